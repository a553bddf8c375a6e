/**
 * Canonical message → a Gemini `GenerateContentResponse` for a Gemini-native client
 * (docs/protocols.md §3.3), and the parts and usage both the body and the stream use.
 *
 * Thinking goes out twice: as `thought: true` parts for display, and whole (text and signature,
 * or redacted data) inside the `thoughtSignature` of the next part (thought-signature.ts), the
 * one thing Gemini clients hand back — so multi-turn tool use with thinking keeps working.
 * Thinking at the very end rides on an empty text part, as Gemini itself does. Tool calls keep
 * the upstream's call id in `functionCall.id`. Usage: promptTokenCount counts every input token (cache reads included, as
 * Gemini reports it), candidatesTokenCount the visible output, thoughtsTokenCount the thinking.
 */
import type { EncoderOptions } from '../adapter.js';
import type { Block, CanonicalMessage, CanonicalUsage, StopReason } from '../canonical.js';
import { encodeThinking, type ThinkingBlock } from './thought-signature.js';

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

export function callPart(b: Extract<Block, { type: 'tool_use' }>): J {
  return { functionCall: { id: b.id, name: b.name, args: b.input && typeof b.input === 'object' ? b.input : {} } };
}

/**
 * Gemini carries a thought's signature on the part after it: signed thinking blocks wait in
 * `hold` until `sign` puts them on the next part (bodies and streams alike).
 */
export function thoughtSigner(): { hold(b: ThinkingBlock): void; sign(p: J): J; readonly holding: boolean } {
  let pending: ThinkingBlock[] = [];
  return {
    hold: (b) => void pending.push(b),
    sign(p) {
      if (!pending.length) return p;
      const signed = { ...p, thoughtSignature: encodeThinking(pending) };
      pending = [];
      return signed;
    },
    get holding() {
      return pending.length > 0;
    },
  };
}

/** Canonical blocks → Gemini parts, signed thinking carried on the part after it. */
export function partsOf(blocks: Block[]): J[] {
  const parts: J[] = [];
  const signer = thoughtSigner();
  const { hold, sign } = signer;
  for (const b of blocks) {
    if (b.type === 'thinking') {
      if (b.thinking) parts.push({ text: b.thinking, thought: true });
      if (b.signature) hold(b);
    } else if (b.type === 'redacted_thinking') hold(b);
    else if (b.type === 'text' && b.text) parts.push(sign({ text: b.text }));
    else if (b.type === 'tool_use') parts.push(sign(callPart(b)));
  }
  if (signer.holding) parts.push(sign({ text: '' }));
  return parts;
}

export function responseId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '');
}

export function encodeBody(m: CanonicalMessage, o: EncoderOptions): J {
  const parts = partsOf(m.content);
  return {
    candidates: [{ content: { parts, role: 'model' }, finishReason: finishReason(m.stop_reason), index: 0 }],
    usageMetadata: usageMetadata(m.usage),
    modelVersion: o.publicModel,
    responseId: responseId(m.id),
  };
}
