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

export function costMicros(u: TokenUsage, p: ModelPrice): number {
  const t = tierFor(u, p);
  // Math.round guards hand-edited overrides; the CLI only stores integers.
  const b = (n: number): bigint => BigInt(Math.max(0, Math.round(n)));
  const scaled =
    b(u.inputTokens) * b(t.input) +
    b(u.cacheReadTokens) * b(t.cacheRead) +
    b(u.cacheWrite5mTokens) * b(t.cacheWrite5m) +
    b(u.cacheWrite1hTokens) * b(t.cacheWrite1h) +
    b(u.outputTokens) * b(t.output);
  // BigInt keeps the sum exact whatever the counts; one half-up rounding to whole micro-dollars.
  return Number((scaled + 500_000n) / 1_000_000n);
}
