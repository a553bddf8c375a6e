/** Chat Completions non-stream bodies ↔ the canonical message. */
import type { Block, CanonicalMessage } from '../canonical.js';
import type { EncoderOptions } from '../adapter.js';
import { textOr, arr, obj, type J } from '../json.js';
import { usesLegacyFunctions } from './request-in.js';
import { canonicalUsage } from '../usage.js';
import { finishFromStop, stopFromFinish } from './stop.js';
import { chatCompletionsUsage, usageObject } from './usage.js';

export function decodeBody(d: J): CanonicalMessage {
  const c = arr(d.choices).map(obj)[0] ?? {};
  const m = obj(c.message);
  const content: Block[] = [];
  const reasoning = typeof m.reasoning_content === 'string' ? m.reasoning_content : '';
  if (reasoning) content.push({ type: 'thinking', thinking: reasoning, signature: '' });
  if (typeof m.content === 'string' && m.content) content.push({ type: 'text', text: m.content });
  if (typeof m.refusal === 'string' && m.refusal) content.push({ type: 'text', text: m.refusal });
  for (const tc of arr(m.tool_calls).map(obj)) {
    const f = obj(tc.function);
    let input: unknown = {};
    try {
      input = JSON.parse(textOr(f.arguments, '{}'));
    } catch {
      input = { _raw: f.arguments };
    }
    content.push({ type: 'tool_use', id: textOr(tc.id, ''), name: textOr(f.name, ''), input });
  }
  const usage = chatCompletionsUsage.fromBody(d);
  return {
    id: textOr(d.id, 'chatcmpl'),
    model: textOr(d.model, ''),
    content,
    stop_reason: typeof c.finish_reason === 'string' ? stopFromFinish(c.finish_reason) : 'end_turn',
    stop_sequence: null,
    usage: usage ? canonicalUsage(usage) : { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, reasoning_tokens: 0 },
  };
}

export function encodeBody(m: CanonicalMessage, o: EncoderOptions): J {
  const legacy = usesLegacyFunctions(o.request);
  const text = m.content.filter((b) => b.type === 'text').map((b) => (b as { text: string }).text).join('');
  const reasoning = m.content.filter((b) => b.type === 'thinking').map((b) => (b as { thinking: string }).thinking).join('');
  const thinkingBlocks = m.content
    .filter((b) => (b.type === 'thinking' && b.signature) || b.type === 'redacted_thinking')
    .map((b) => (b.type === 'thinking' ? { type: 'thinking', thinking: b.thinking, signature: b.signature } : b));
  const calls = m.content.filter((b) => b.type === 'tool_use') as Extract<Block, { type: 'tool_use' }>[];
  const message: J = { role: 'assistant', content: text || (calls.length ? null : ''), refusal: null };
  if (reasoning) message.reasoning_content = reasoning;
  if (thinkingBlocks.length) message.thinking_blocks = thinkingBlocks;
  if (calls.length && legacy) message.function_call = { name: calls[0]?.name, arguments: JSON.stringify(calls[0]?.input ?? {}) };
  else if (calls.length) message.tool_calls = calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.input ?? {}) } }));
  return {
    id: `chatcmpl-${m.id.replace(/^(msg_|chatcmpl-)/, '')}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: o.publicModel,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishFromStop(m.stop_reason, legacy) }],
    usage: usageObject(m.usage),
  };
}
