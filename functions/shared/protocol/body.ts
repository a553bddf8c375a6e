/**
 * Non-stream answers: upstream JSON → canonical message → client JSON.
 */
import type { Block, CanonicalMessage, CanonicalUsage, StopReason } from './canonical.js';
import { encodeGeminiCallId } from './ids.js';
import { openaiUsageObject } from './stream-out.js';

type J = Record<string, unknown>;
const obj = (v: unknown): J => (v && typeof v === 'object' && !Array.isArray(v) ? (v as J) : {});
const arr = (v: unknown): J[] => (Array.isArray(v) ? (v as J[]) : []);
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

const OPENAI_STOP: Record<string, StopReason> = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use', content_filter: 'refusal' };
const GEMINI_STOP: Record<string, StopReason> = { STOP: 'end_turn', MAX_TOKENS: 'max_tokens', SAFETY: 'refusal', RECITATION: 'refusal' };

export function messageFromOpenAI(d: J): CanonicalMessage {
  const c = arr(d.choices)[0] ?? {};
  const m = obj(c.message);
  const content: Block[] = [];
  const reasoning = typeof m.reasoning_content === 'string' ? m.reasoning_content : '';
  if (reasoning) content.push({ type: 'thinking', thinking: reasoning, signature: '' });
  if (typeof m.content === 'string' && m.content) content.push({ type: 'text', text: m.content });
  if (typeof m.refusal === 'string' && m.refusal) content.push({ type: 'text', text: m.refusal });
  for (const tc of arr(m.tool_calls)) {
    const f = obj(tc.function);
    let input: unknown = {};
    try {
      input = JSON.parse(String(f.arguments ?? '{}'));
    } catch {
      input = { _raw: f.arguments };
    }
    content.push({ type: 'tool_use', id: String(tc.id ?? ''), name: String(f.name ?? ''), input });
  }
  const u = obj(d.usage);
  const cached = num(obj(u.prompt_tokens_details).cached_tokens);
  return {
    id: String(d.id ?? 'chatcmpl'),
    model: String(d.model ?? ''),
    content,
    stop_reason: OPENAI_STOP[String(c.finish_reason)] ?? 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: Math.max(0, num(u.prompt_tokens) - cached),
      output_tokens: num(u.completion_tokens),
      cache_read_input_tokens: cached,
      cache_creation_input_tokens: 0,
      reasoning_tokens: num(obj(u.completion_tokens_details).reasoning_tokens),
    },
  };
}

export function messageFromAnthropic(d: J): CanonicalMessage {
  const u = obj(d.usage);
  return {
    id: String(d.id ?? 'msg'),
    model: String(d.model ?? ''),
    content: arr(d.content) as unknown as Block[],
    stop_reason: (d.stop_reason as StopReason | null) ?? null,
    stop_sequence: (d.stop_sequence as string | null) ?? null,
    usage: {
      input_tokens: num(u.input_tokens),
      output_tokens: num(u.output_tokens),
      cache_read_input_tokens: num(u.cache_read_input_tokens),
      cache_creation_input_tokens: num(u.cache_creation_input_tokens),
    },
  };
}

export function messageFromGemini(d: J): CanonicalMessage {
  const c = arr(d.candidates)[0] ?? {};
  const content: Block[] = [];
  let calls = 0;
  for (const p of arr(obj(c.content).parts)) {
    const sig = typeof p.thoughtSignature === 'string' ? p.thoughtSignature : undefined;
    if (p.thought === true) content.push({ type: 'thinking', thinking: String(p.text ?? ''), signature: sig ? `gemini:${sig}` : '' });
    else if (p.functionCall) {
      const f = obj(p.functionCall);
      content.push({ type: 'tool_use', id: encodeGeminiCallId(calls++, String(f.name ?? ''), sig), name: String(f.name ?? ''), input: f.args ?? {} });
    } else if (typeof p.text === 'string') {
      if (sig) content.push({ type: 'thinking', thinking: '', signature: `gemini:${sig}` });
      content.push({ type: 'text', text: p.text });
    }
  }
  const u = obj(d.usageMetadata);
  const cached = num(u.cachedContentTokenCount);
  const thoughts = num(u.thoughtsTokenCount);
  const stop = GEMINI_STOP[String(c.finishReason)] ?? 'end_turn';
  return {
    id: String(d.responseId ?? 'gemini'),
    model: String(d.modelVersion ?? ''),
    content,
    stop_reason: calls > 0 && stop === 'end_turn' ? 'tool_use' : stop,
    stop_sequence: null,
    usage: {
      input_tokens: Math.max(0, num(u.promptTokenCount) - cached),
      output_tokens: num(u.candidatesTokenCount) + thoughts,
      cache_read_input_tokens: cached,
      cache_creation_input_tokens: 0,
      reasoning_tokens: thoughts,
    },
  };
}

const FINISH: Record<StopReason, string> = { end_turn: 'stop', stop_sequence: 'stop', max_tokens: 'length', tool_use: 'tool_calls', refusal: 'content_filter', pause_turn: 'stop' };

export function messageToOpenAI(m: CanonicalMessage, publicModel: string): J {
  const text = m.content.filter((b) => b.type === 'text').map((b) => (b as { text: string }).text).join('');
  const reasoning = m.content.filter((b) => b.type === 'thinking').map((b) => (b as { thinking: string }).thinking).join('');
  const thinkingBlocks = m.content
    .filter((b) => (b.type === 'thinking' && b.signature) || b.type === 'redacted_thinking')
    .map((b) => (b.type === 'thinking' ? { type: 'thinking', thinking: b.thinking, signature: b.signature } : b));
  const calls = m.content.filter((b) => b.type === 'tool_use') as Extract<Block, { type: 'tool_use' }>[];
  const message: J = { role: 'assistant', content: text || (calls.length ? null : ''), refusal: null };
  if (reasoning) message.reasoning_content = reasoning;
  if (thinkingBlocks.length) message.thinking_blocks = thinkingBlocks;
  if (calls.length) message.tool_calls = calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.input ?? {}) } }));
  return {
    id: `chatcmpl-${m.id.replace(/^(msg_|chatcmpl-)/, '')}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: publicModel,
    choices: [{ index: 0, message, logprobs: null, finish_reason: m.stop_reason ? FINISH[m.stop_reason] : 'stop' }],
    usage: openaiUsageObject(m.usage),
  };
}

export function messageToAnthropic(m: CanonicalMessage, publicModel: string): J {
  const usage: Partial<CanonicalUsage> = { ...m.usage };
  delete usage.reasoning_tokens;
  return {
    id: m.id.startsWith('msg_') ? m.id : `msg_${m.id.replace(/[^A-Za-z0-9]/g, '')}`,
    type: 'message',
    role: 'assistant',
    model: publicModel,
    content: m.content,
    stop_reason: m.stop_reason,
    stop_sequence: m.stop_sequence,
    usage,
  };
}
