/** Deterministic words for replies: a seeded PRNG (mulberry32) keyed by seed and request. */
const WORDS = 'the a quick model answers your question with care and some detail about streams tokens gateways latency clouds keys routes'.split(' ');

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** `n` tokens of text; each token is one word with its leading space (one stream chunk each). */
export function tokens(seed: number, n: number, literal?: string): string[] {
  if (literal !== undefined) return literal.split(/(?=\s)/);
  const r = prng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const w = WORDS[Math.floor(r() * WORDS.length)] ?? 'x';
    out.push(i === 0 ? w[0]!.toUpperCase() + w.slice(1) : ` ${w}`);
  }
  if (out.length) out[out.length - 1] += '.';
  return out;
}

export const estimateTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));
