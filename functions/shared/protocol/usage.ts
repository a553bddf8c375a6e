/**
 * What every protocol's usage model shares: the one conversion from the ledger's TokenUsage to
 * the canonical (Anthropic-shaped) usage a translated client sees, and the estimates for what a
 * provider never reported. Each protocol's own extraction lives in its adapter (`usage.ts`).
 */
import type { CanonicalUsage } from './canonical.js';
import { emptyUsage, type TokenUsage } from '../usage/types.js';

/** ≈ 4 characters per token: EzyBus's documented estimate where a provider reports nothing. */
export const estimateTokens = (chars: number): number => Math.ceil(chars / 4);

export function canonicalUsage(t: TokenUsage): CanonicalUsage {
  return {
    input_tokens: t.inputTokens,
    output_tokens: t.outputTokens,
    cache_read_input_tokens: t.cacheReadTokens,
    cache_creation_input_tokens: t.cacheWrite5mTokens + t.cacheWrite1hTokens,
    reasoning_tokens: t.reasoningTokens,
  };
}

export function mergeUsage(into: CanonicalUsage, u: Partial<CanonicalUsage>): CanonicalUsage {
  const out = { ...into };
  for (const k of ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens', 'reasoning_tokens'] as const) {
    const v = u[k];
    if (typeof v === 'number') out[k] = v;
  }
  return out;
}

/** A cut stream: keep what the provider reported, and estimate output it never reported. */
export function cutStreamUsage(u: TokenUsage | null, stopReason: string | null, sawContent: boolean, contentChars: number): TokenUsage | null {
  if (stopReason !== null || !sawContent) return u;
  const out = estimateTokens(contentChars);
  return u ? { ...u, outputTokens: Math.max(u.outputTokens, out), estimated: true } : { ...emptyUsage(), outputTokens: out, estimated: true };
}
