/**
 * Canonical events → the client's stream, one stateful encoder per client protocol.
 *
 * OpenAI clients: text as `content` deltas, thinking as `reasoning_content` deltas, and each
 * finished thinking block (with its signature) or redacted block once as a `thinking_blocks`
 * delta entry — the field an OpenAI-format client sends back on the assistant message so that
 * multi-turn tool use with thinking keeps working (docs/conformance.md). The usage chunk is
 * written only when the client asked for it (`stream_options.include_usage`).
 */
import type { CanonicalEvent, CanonicalUsage, StopReason } from './canonical.js';

export interface ClientEncoder {
  push(e: CanonicalEvent): string;
}

export interface EncoderOptions {
  publicModel: string;
  includeUsage: boolean;
}

const FINISH: Record<StopReason, string> = { end_turn: 'stop', stop_sequence: 'stop', max_tokens: 'length', tool_use: 'tool_calls', refusal: 'content_filter', pause_turn: 'stop' };

export function openaiUsageObject(u: CanonicalUsage): Record<string, unknown> {
  const prompt = u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: u.output_tokens,
    total_tokens: prompt + u.output_tokens,
    prompt_tokens_details: { cached_tokens: u.cache_read_input_tokens, cache_creation_tokens: u.cache_creation_input_tokens },
    completion_tokens_details: { reasoning_tokens: u.reasoning_tokens ?? 0 },
  };
}

export function mergeUsage(into: CanonicalUsage, u: Partial<CanonicalUsage>): CanonicalUsage {
  const out = { ...into };
  for (const k of ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens', 'reasoning_tokens'] as const) {
    const v = u[k];
    if (typeof v === 'number') out[k] = v;
  }
  return out;
}

export function openaiEncoder(o: EncoderOptions): ClientEncoder {
  let id = 'chatcmpl-ezybus';
  const created = Math.floor(Date.now() / 1000);
  let usage: CanonicalUsage = { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
  const kinds = new Map<number, { kind: string; tool?: number; thinking?: string; signature?: string }>();
  let tools = 0;
  let finish: string | null = null;
  const chunk = (delta: Record<string, unknown>, finish_reason: string | null = null): string =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: o.publicModel, choices: [{ index: 0, delta, logprobs: null, finish_reason }] })}\n\n`;
  return {
    push(e) {
      switch (e.type) {
        case 'message_start':
          id = `chatcmpl-${e.message.id.replace(/^(msg_|chatcmpl-)/, '')}`;
          usage = mergeUsage(usage, e.message.usage);
          return chunk({ role: 'assistant', content: '' });
        case 'content_block_start': {
          const b = e.content_block;
          if (b.type === 'tool_use') {
            const tool = tools++;
            kinds.set(e.index, { kind: 'tool', tool });
            return chunk({ tool_calls: [{ index: tool, id: b.id, type: 'function', function: { name: b.name, arguments: '' } }] });
          }
          if (b.type === 'redacted_thinking') {
            kinds.set(e.index, { kind: 'redacted' });
            return chunk({ thinking_blocks: [{ type: 'redacted_thinking', data: b.data }] });
          }
          kinds.set(e.index, { kind: b.type, thinking: '', signature: '' });
          return '';
        }
        case 'content_block_delta': {
          const k = kinds.get(e.index);
          const d = e.delta;
          if (d.type === 'text_delta') return d.text ? chunk({ content: d.text }) : '';
          if (d.type === 'thinking_delta') {
            if (k) k.thinking += d.thinking;
            return d.thinking ? chunk({ reasoning_content: d.thinking }) : '';
          }
          if (d.type === 'signature_delta') {
            if (k) k.signature = (k.signature ?? '') + d.signature;
            return '';
          }
          if (d.type === 'input_json_delta' && k?.tool !== undefined) return d.partial_json ? chunk({ tool_calls: [{ index: k.tool, function: { arguments: d.partial_json } }] }) : '';
          return '';
        }
        case 'content_block_stop': {
          const k = kinds.get(e.index);
          if (k?.kind === 'thinking' && k.signature) return chunk({ thinking_blocks: [{ type: 'thinking', thinking: k.thinking ?? '', signature: k.signature }] });
          return '';
        }
        case 'message_delta':
          usage = mergeUsage(usage, e.usage);
          finish = e.delta.stop_reason ? FINISH[e.delta.stop_reason] : 'stop';
          return chunk({}, finish);
        case 'message_stop': {
          let out = finish === null ? chunk({}, 'stop') : '';
          if (o.includeUsage) out += `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: o.publicModel, choices: [], usage: openaiUsageObject(usage) })}\n\n`;
          return `${out}data: [DONE]\n\n`;
        }
        case 'error':
          return `data: ${JSON.stringify({ error: { message: e.error.message, type: e.error.type, param: null, code: null } })}\n\n`;
      }
    },
  };
}

export function anthropicEncoder(o: EncoderOptions): ClientEncoder {
  const ev = (type: string, data: unknown): string => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
  return {
    push(e) {
      if (e.type === 'message_start') {
        const id = e.message.id.startsWith('msg_') ? e.message.id : `msg_${e.message.id.replace(/[^A-Za-z0-9]/g, '')}`;
        return ev('message_start', {
          type: 'message_start',
          message: { id, type: 'message', role: 'assistant', model: o.publicModel, content: [], stop_reason: null, stop_sequence: null, usage: { ...e.message.usage, reasoning_tokens: undefined } },
        });
      }
      if (e.type === 'content_block_start' && e.content_block.type === 'thinking' && e.content_block.signature === '') {
        return ev(e.type, e);
      }
      if (e.type === 'content_block_delta' && e.delta.type === 'signature_delta' && e.delta.signature.startsWith('gemini:')) {
        return ev(e.type, e); // an opaque signature, returned to us on the next turn
      }
      if (e.type === 'message_delta') {
        const { reasoning_tokens: _r, ...usage } = e.usage;
        return ev(e.type, { ...e, usage });
      }
      return ev(e.type, e);
    },
  };
}
