/** PLACEHOLDER until the cost module lands (issue #6): integer micro-dollars, one rounding. */
import type { ModelPrice } from './prices.js';
import type { TokenUsage } from './types.js';

export function costMicros(u: TokenUsage, p: ModelPrice): number {
  const total = u.inputTokens * p.input + u.cacheReadTokens * p.cacheRead + u.cacheWrite5mTokens * p.cacheWrite5m + u.cacheWrite1hTokens * p.cacheWrite1h + u.outputTokens * p.output;
  return Math.floor((total + 500_000) / 1_000_000);
}
