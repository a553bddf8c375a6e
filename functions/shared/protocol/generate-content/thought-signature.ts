/**
 * Another provider's thinking, carried through a Gemini-native client in a `thoughtSignature`.
 *
 * Anthropic needs its signed thinking blocks back, whole, on the assistant turn before tool
 * results; Gemini clients send back only signatures: Gemini CLI drops `thought` parts from its
 * history and keeps `thoughtSignature` on the part that follows (observed, see
 * test/fixtures/clients/gemini-cli). So EzyBus puts the blocks themselves (text and signature,
 * or redacted data) into the signature of the first part after them: `ezybus.` +
 * base64url(JSON). The prefix cannot occur in a real Gemini signature (base64 has no `.`), and
 * the round trip needs no server state.
 */
import type { Block } from '../canonical.js';

export type ThinkingBlock = Extract<Block, { type: 'thinking' | 'redacted_thinking' }>;

const PREFIX = 'ezybus.';

export function encodeThinking(blocks: ThinkingBlock[]): string {
  const payload = blocks.map((b) => (b.type === 'thinking' ? { t: b.thinking, s: b.signature } : { r: b.data }));
  return PREFIX + Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/** The blocks a signature carries, or undefined when it is not one of EzyBus's. */
export function decodeThinking(sig: string): ThinkingBlock[] | undefined {
  if (!sig.startsWith(PREFIX)) return undefined;
  try {
    const v = JSON.parse(Buffer.from(sig.slice(PREFIX.length), 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(v)) return undefined;
    const out: ThinkingBlock[] = [];
    for (const x of v as Record<string, unknown>[]) {
      if (typeof x.r === 'string') out.push({ type: 'redacted_thinking', data: x.r });
      else if (typeof x.t === 'string' && typeof x.s === 'string') out.push({ type: 'thinking', thinking: x.t, signature: x.s });
    }
    return out;
  } catch {
    return undefined;
  }
}
