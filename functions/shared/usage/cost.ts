/**
 * Cost of one request in integer micro-dollars. Prices are micro-dollars per million tokens,
 * so Σ tokens × price is an exact integer (summed as BigInt, so no count can overflow it) and
 * the division by 10⁶ is the only rounding, half up. Reasoning tokens are part of
 * `outputTokens` and are not added again.
 */
import type { ModelPrice, PriceTier } from './prices.js';
import type { TokenUsage } from './types.js';

/** Prompt size that decides a long-context band: every input-side token, cached or not. */
export function promptTokens(u: TokenUsage): number {
  return u.inputTokens + u.cacheReadTokens + u.cacheWrite5mTokens + u.cacheWrite1hTokens;
}

/** The tier a request is billed at (the long-context band applies to all of its tokens). */
export function tierFor(u: TokenUsage, p: ModelPrice): PriceTier {
  return p.longContext && promptTokens(u) > p.longContext.aboveInputTokens ? p.longContext : p;
}

/** Below this, sums of non-negative integers stay exact as doubles (with room for the rounding). */
const MAX_EXACT = Number.MAX_SAFE_INTEGER - 500_000;

export function costMicros(u: TokenUsage, p: ModelPrice): number {
  const t = tierFor(u, p);
  // Math.round guards hand-edited overrides; the CLI only stores integers.
  const r = (n: number): number => Math.max(0, Math.round(n));
  const a = r(u.inputTokens) * r(t.input);
  const c = r(u.cacheReadTokens) * r(t.cacheRead);
  const w5 = r(u.cacheWrite5mTokens) * r(t.cacheWrite5m);
  const w1 = r(u.cacheWrite1hTokens) * r(t.cacheWrite1h);
  const o = r(u.outputTokens) * r(t.output);
  const sum = a + c + w5 + w1 + o;
  // Every product and the sum exact as doubles (the usual case): the same integer arithmetic, no BigInt.
  if (sum <= MAX_EXACT && a <= MAX_EXACT && c <= MAX_EXACT && w5 <= MAX_EXACT && w1 <= MAX_EXACT && o <= MAX_EXACT) {
    const rem = sum % 1_000_000;
    return (sum - rem) / 1_000_000 + (rem >= 500_000 ? 1 : 0);
  }
  const b = (n: number): bigint => BigInt(r(n));
  const scaled =
    b(u.inputTokens) * b(t.input) +
    b(u.cacheReadTokens) * b(t.cacheRead) +
    b(u.cacheWrite5mTokens) * b(t.cacheWrite5m) +
    b(u.cacheWrite1hTokens) * b(t.cacheWrite1h) +
    b(u.outputTokens) * b(t.output);
  // BigInt keeps the sum exact whatever the counts; one half-up rounding to whole micro-dollars.
  return Number((scaled + 500_000n) / 1_000_000n);
}
