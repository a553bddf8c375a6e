/**
 * Canonical message → a Gemini `GenerateContentResponse` for a Gemini-native client
 * (docs/protocols.md §3.3), and the parts and usage both the body and the stream use.
 *
 * Thinking goes out as `thought: true` parts carrying the upstream's signature as
 * `thoughtSignature` (redacted thinking as an empty thought part signed `redacted:<data>`), so
 * a client that echoes its history back (as Gemini clients must) hands the signature back and
 * multi-turn tool use with thinking keeps working. Tool calls keep the upstream's call id in
 * `functionCall.id`. Usage: promptTokenCount counts every input token (cache reads included, as
 * Gemini reports it), candidatesTokenCount the visible output, thoughtsTokenCount the thinking.
 */
import type { Block, CanonicalMessage, CanonicalUsage, StopReason } from '../canonical.js';
import { REDACTED_PREFIX } from './request-in.js';

type J = Record<string, unknown>;

const FINISH: Record<StopReason, string> = { end_turn: 'STOP', stop_sequence: 'STOP', tool_use: 'STOP', pause_turn: 'STOP', max_tokens: 'MAX_TOKENS', refusal: 'SAFETY' };

export function finishReason(stop: StopReason | null): string {
  return stop ? FINISH[stop] : 'STOP';
}

export function usageMetadata(u: CanonicalUsage): J {
  const prompt = u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens;
  const thoughts = Math.min(u.reasoning_tokens ?? 0, u.output_tokens);
  const out: J = { promptTokenCount: prompt, candidatesTokenCount: u.output_tokens - thoughts, totalTokenCount: prompt + u.output_tokens };
  if (u.cache_read_input_tokens) out.cachedContentTokenCount = u.cache_read_input_tokens;
  if (thoughts) out.thoughtsTokenCount = thoughts;
  out.promptTokensDetails = [{ modality: 'TEXT', tokenCount: prompt }];
  return out;
}

/** One canonical block as Gemini parts (none for an empty text). */
export function partsOf(b: Block): J[] {
  switch (b.type) {
    case 'text':
      return b.text ? [{ text: b.text }] : [];
    case 'thinking':
      return [{ text: b.thinking, thought: true, ...(b.signature ? { thoughtSignature: b.signature } : {}) }];
    case 'redacted_thinking':
      return [{ text: '', thought: true, thoughtSignature: `${REDACTED_PREFIX}${b.data}` }];
    case 'tool_use':
      return [{ functionCall: { id: b.id, name: b.name, args: b.input && typeof b.input === 'object' ? b.input : {} } }];
    default:
      return [];
  }
}

export function responseId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '');
}

export function encodeBody(m: CanonicalMessage, publicModel: string): J {
  const parts = m.content.flatMap(partsOf);
  return {
    candidates: [{ content: { parts, role: 'model' }, finishReason: finishReason(m.stop_reason), index: 0 }],
    usageMetadata: usageMetadata(m.usage),
    modelVersion: publicModel,
    responseId: responseId(m.id),
  };
}
