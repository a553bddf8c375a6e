/**
 * Token usage of one request, split the way providers bill it.
 *
 * Billing semantics: `inputTokens` is uncached input only (OpenAI's `prompt_tokens` minus
 * `cached_tokens`; Anthropic's `input_tokens`, which already excludes cache reads and writes;
 * Gemini's `promptTokenCount` minus `cachedContentTokenCount`). `outputTokens` includes
 * reasoning; `reasoningTokens` is the part of it spent on thinking, never added twice.
 */
export interface TokenUsage {
  inputTokens: number;
  cacheReadTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  /** The thinking share was estimated from streamed text (Anthropic folds it into output). */
  reasoningEstimated: boolean;
  /** Counts were estimated by EzyBus because the upstream never reported them (cut stream). */
  estimated: boolean;
  /** Anthropic reported cache writes without the 5 m / 1 h split (older API paths). */
  cacheSplitMissing?: boolean;
  /** The 5 m / 1 h split was attributed by EzyBus from the request's cache_control TTLs. */
  cacheSplitEstimated?: boolean;
}

export function emptyUsage(): TokenUsage {
  return {
    inputTokens: 0,
    cacheReadTokens: 0,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    reasoningEstimated: false,
    estimated: false,
  };
}

/**
 * The name a usage record, a log line and the price catalog give a wire protocol (`clientProtocol`,
 * `provider`): the names stored before protocols were named for what they are, kept so that
 * dashboards and Loki queries keep working. The protocol itself is a WireProtocol
 * (protocol/wire.ts); its adapter's `recordName` is this.
 */
export type Protocol = 'openai' | 'anthropic' | 'gemini';
/** @deprecated the record name of a client's protocol is a Protocol like any other. */
export type ClientProtocol = Protocol;
