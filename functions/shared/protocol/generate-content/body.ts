/** generateContent non-stream body → the canonical message. */
import type { Block, CanonicalMessage } from '../canonical.js';
import { textOr, obj, objs, type J } from '../json.js';
import { canonicalUsage } from '../usage.js';
import { encodeGeminiCallId } from './ids.js';
import { stopFromFinish } from './stop.js';
import { generateContentUsage } from './usage.js';

export function decodeBody(d: J): CanonicalMessage {
  const c = objs(d.candidates)[0] ?? {};
  const content: Block[] = [];
  let calls = 0;
  for (const p of objs(obj(c.content).parts)) {
    const sig = typeof p.thoughtSignature === 'string' ? p.thoughtSignature : undefined;
    if (p.thought === true) content.push({ type: 'thinking', thinking: textOr(p.text, ''), signature: sig ? `gemini:${sig}` : '' });
    else if (p.functionCall) {
      const f = obj(p.functionCall);
      content.push({ type: 'tool_use', id: encodeGeminiCallId(calls++, textOr(f.name, ''), sig), name: textOr(f.name, ''), input: f.args ?? {} });
    } else if (typeof p.text === 'string') {
      if (sig) content.push({ type: 'thinking', thinking: '', signature: `gemini:${sig}` });
      content.push({ type: 'text', text: p.text });
    }
  }
  const usage = generateContentUsage.fromBody(d);
  const blocked = typeof obj(d.promptFeedback).blockReason === 'string';
  const stop = blocked ? 'refusal' : typeof c.finishReason === 'string' ? stopFromFinish(c.finishReason) : 'end_turn';
  return {
    id: textOr(d.responseId, 'gemini'),
    model: textOr(d.modelVersion, ''),
    content,
    stop_reason: calls > 0 && stop === 'end_turn' ? 'tool_use' : stop,
    stop_sequence: null,
    usage: usage ? canonicalUsage(usage) : { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, reasoning_tokens: 0 },
  };
}
