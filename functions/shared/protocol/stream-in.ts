/**
 * Upstream stream → canonical events, one stateful parser per provider (protocols.md §4.11).
 * Each takes one SSE event and returns the canonical events it implies; `end()` closes whatever
 * is open. Parsers never throw on odd input: an unparsable event is skipped.
 */
import type { SseEvent } from './sse.js';
import { emptyCanonicalUsage, type CanonicalEvent, type CanonicalUsage, type StopReason } from './canonical.js';
import { encodeGeminiCallId } from './ids.js';

type J = Record<string, unknown>;
const obj = (v: unknown): J => (v && typeof v === 'object' && !Array.isArray(v) ? (v as J) : {});
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

export interface UpstreamParser {
  push(e: SseEvent): CanonicalEvent[];
  end(): CanonicalEvent[];
}

function parse(e: SseEvent): J | undefined {
  if (!e.data || e.data === '[DONE]') return undefined;
  try {
    return JSON.parse(e.data) as J;
  } catch {
    return undefined;
  }
}

/** Block bookkeeping shared by the OpenAI and Gemini parsers. */
function blocks() {
  let index = -1;
  let open: string | undefined; // 'text' | 'thinking' | 'tool:<key>'
  let started = false;
  return {
    get started() {
      return started;
    },
    start(out: CanonicalEvent[], id: string, model: string, usage = emptyCanonicalUsage()): void {
      if (started) return;
      started = true;
      out.push({ type: 'message_start', message: { id, model, usage } });
    },
    ensure(out: CanonicalEvent[], kind: string, block: Extract<CanonicalEvent, { type: 'content_block_start' }>['content_block']): number {
      if (open === kind) return index;
      this.close(out);
      index++;
      open = kind;
      out.push({ type: 'content_block_start', index, content_block: block });
      return index;
    },
    close(out: CanonicalEvent[]): void {
      if (open !== undefined) out.push({ type: 'content_block_stop', index });
      open = undefined;
    },
    get openKind() {
      return open;
    },
  };
}

const OPENAI_STOP: Record<string, StopReason> = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use', function_call: 'tool_use', content_filter: 'refusal' };

function openaiUsage(u: J): CanonicalUsage {
  const cached = num(obj(u.prompt_tokens_details).cached_tokens);
  return {
    input_tokens: Math.max(0, num(u.prompt_tokens) - cached),
    output_tokens: num(u.completion_tokens),
    cache_read_input_tokens: cached,
    cache_creation_input_tokens: 0,
    reasoning_tokens: num(obj(u.completion_tokens_details).reasoning_tokens),
  };
}

export function openaiParser(): UpstreamParser {
  const b = blocks();
  let stop: StopReason | null = null;
  let usage: CanonicalUsage | undefined;
  const toolKeys = new Map<number, string>();
  let done = false;
  const finish = (out: CanonicalEvent[]): void => {
    if (done || !b.started) return;
    done = true;
    b.close(out);
    out.push({ type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: usage ?? {} });
    out.push({ type: 'message_stop' });
  };
  return {
    push(e) {
      const out: CanonicalEvent[] = [];
      if (e.data === '[DONE]') {
        finish(out);
        return out;
      }
      const d = parse(e);
      if (!d) return out;
      if (d.error) {
        const err = obj(d.error);
        out.push({ type: 'error', error: { type: String(err.type ?? 'api_error'), message: String(err.message ?? 'upstream error') } });
        return out;
      }
      b.start(out, String(d.id ?? 'chatcmpl'), String(d.model ?? ''));
      if (d.usage && typeof d.usage === 'object') usage = openaiUsage(d.usage as J);
      for (const c of Array.isArray(d.choices) ? (d.choices as J[]) : []) {
        const delta = obj(c.delta);
        const reasoning = typeof delta.reasoning_content === 'string' ? delta.reasoning_content : typeof delta.reasoning === 'string' ? delta.reasoning : '';
        if (reasoning) {
          const i = b.ensure(out, 'thinking', { type: 'thinking', thinking: '', signature: '' });
          out.push({ type: 'content_block_delta', index: i, delta: { type: 'thinking_delta', thinking: reasoning } });
        }
        const text = typeof delta.content === 'string' ? delta.content : typeof delta.refusal === 'string' ? delta.refusal : '';
        if (text) {
          const i = b.ensure(out, 'text', { type: 'text', text: '' });
          out.push({ type: 'content_block_delta', index: i, delta: { type: 'text_delta', text } });
        }
        for (const tc of Array.isArray(delta.tool_calls) ? (delta.tool_calls as J[]) : []) {
          const ti = num(tc.index);
          const f = obj(tc.function);
          let key = toolKeys.get(ti);
          if (!key || (typeof tc.id === 'string' && tc.id !== key)) {
            key = typeof tc.id === 'string' ? tc.id : `call_${ti}`;
            toolKeys.set(ti, key);
          }
          const i = b.ensure(out, `tool:${key}`, { type: 'tool_use', id: key, name: String(f.name ?? ''), input: {} });
          if (typeof f.arguments === 'string' && f.arguments) out.push({ type: 'content_block_delta', index: i, delta: { type: 'input_json_delta', partial_json: f.arguments } });
        }
        if (typeof c.finish_reason === 'string') stop = OPENAI_STOP[c.finish_reason] ?? 'end_turn';
      }
      return out;
    },
    end() {
      const out: CanonicalEvent[] = [];
      if (b.started && !done && stop !== null) finish(out);
      return out;
    },
  };
}

/** Anthropic's events are canonical already; `ping` is dropped. */
export function anthropicParser(): UpstreamParser {
  return {
    push(e) {
      const d = parse(e);
      if (!d || d.type === 'ping' || typeof d.type !== 'string') return [];
      return [d as unknown as CanonicalEvent];
    },
    end: () => [],
  };
}

const GEMINI_STOP: Record<string, StopReason> = { STOP: 'end_turn', MAX_TOKENS: 'max_tokens', SAFETY: 'refusal', RECITATION: 'refusal', BLOCKLIST: 'refusal', PROHIBITED_CONTENT: 'refusal', SPII: 'refusal' };

function geminiUsage(u: J): CanonicalUsage {
  const cached = num(u.cachedContentTokenCount);
  const thoughts = num(u.thoughtsTokenCount);
  return {
    input_tokens: Math.max(0, num(u.promptTokenCount) - cached),
    output_tokens: num(u.candidatesTokenCount) + thoughts,
    cache_read_input_tokens: cached,
    cache_creation_input_tokens: 0,
    reasoning_tokens: thoughts,
  };
}

export function geminiParser(): UpstreamParser {
  const b = blocks();
  let stop: StopReason | null = null;
  let usage: CanonicalUsage | undefined;
  let calls = 0;
  let sawCall = false;
  let done = false;
  const finish = (out: CanonicalEvent[]): void => {
    if (done || !b.started) return;
    done = true;
    b.close(out);
    out.push({ type: 'message_delta', delta: { stop_reason: sawCall && stop === 'end_turn' ? 'tool_use' : stop, stop_sequence: null }, usage: usage ?? {} });
    out.push({ type: 'message_stop' });
  };
  return {
    push(e) {
      const out: CanonicalEvent[] = [];
      const d = parse(e);
      if (!d) return out;
      if (d.error) {
        const err = obj(d.error);
        out.push({ type: 'error', error: { type: 'api_error', message: String(err.message ?? 'upstream error') } });
        return out;
      }
      b.start(out, String(d.responseId ?? 'gemini'), String(d.modelVersion ?? ''));
      if (d.usageMetadata) usage = geminiUsage(obj(d.usageMetadata));
      for (const c of Array.isArray(d.candidates) ? (d.candidates as J[]) : []) {
        for (const p of Array.isArray(obj(c.content).parts) ? (obj(c.content).parts as J[]) : []) {
          const sig = typeof p.thoughtSignature === 'string' ? p.thoughtSignature : undefined;
          if (p.thought === true) {
            const i = b.ensure(out, 'thinking', { type: 'thinking', thinking: '', signature: '' });
            if (typeof p.text === 'string' && p.text) out.push({ type: 'content_block_delta', index: i, delta: { type: 'thinking_delta', thinking: p.text } });
            if (sig) out.push({ type: 'content_block_delta', index: i, delta: { type: 'signature_delta', signature: `gemini:${sig}` } });
          } else if (p.functionCall) {
            const f = obj(p.functionCall);
            sawCall = true;
            const id = encodeGeminiCallId(calls++, String(f.name ?? ''), sig);
            const i = b.ensure(out, `tool:${id}`, { type: 'tool_use', id, name: String(f.name ?? ''), input: {} });
            out.push({ type: 'content_block_delta', index: i, delta: { type: 'input_json_delta', partial_json: JSON.stringify(f.args ?? {}) } });
          } else if (typeof p.text === 'string') {
            if (sig) {
              // A signature on a text part: keep it as an (empty) signed thinking block so an
              // OpenAI-format client can hand it back on the next turn.
              const i = b.ensure(out, `sig:${sig.slice(0, 16)}`, { type: 'thinking', thinking: '', signature: '' });
              out.push({ type: 'content_block_delta', index: i, delta: { type: 'signature_delta', signature: `gemini:${sig}` } });
            }
            if (p.text) {
              const i = b.ensure(out, 'text', { type: 'text', text: '' });
              out.push({ type: 'content_block_delta', index: i, delta: { type: 'text_delta', text: p.text } });
            }
          }
        }
        if (typeof c.finishReason === 'string') stop = GEMINI_STOP[c.finishReason] ?? 'end_turn';
      }
      if (stop !== null) finish(out);
      return out;
    },
    end() {
      return [];
    },
  };
}
