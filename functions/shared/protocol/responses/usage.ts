/**
 * Responses usage (docs/protocols.md §5.5) ↔ EzyBus usage. Billing semantics as everywhere
 * (usage/types.ts): `input_tokens` includes cached reads (and, in the 2026 spec, cache writes),
 * so uncached input = input − cached − written; `output_tokens` includes
 * `reasoning_tokens`, which is its thinking share, never added on top. Usage arrives only in the
 * terminal event of a stream (`response.completed` / `.incomplete` / `.failed`).
 */
import { emptyUsage, type TokenUsage } from '../../usage/types.js';
import type { CanonicalUsage } from '../canonical.js';
import type { SseEvent } from '../sse.js';
import { count, obj, objs, str, type J } from './json.js';

export function responsesUsage(u: J): TokenUsage {
  const details = obj(u.input_tokens_details);
  const cached = count(details.cached_tokens);
  const written = count(details.cache_write_tokens);
  return {
    ...emptyUsage(),
    inputTokens: Math.max(0, count(u.input_tokens) - cached - written),
    cacheReadTokens: cached,
    cacheWrite5mTokens: written,
    outputTokens: count(u.output_tokens),
    reasoningTokens: count(obj(u.output_tokens_details).reasoning_tokens),
  };
}

export function canonicalUsageOf(u: J): CanonicalUsage {
  const t = responsesUsage(u);
  return {
    input_tokens: t.inputTokens,
    output_tokens: t.outputTokens,
    cache_read_input_tokens: t.cacheReadTokens,
    cache_creation_input_tokens: t.cacheWrite5mTokens,
    reasoning_tokens: t.reasoningTokens,
  };
}

/** Canonical usage → the usage object a Responses client reads. */
export function responsesUsageObject(u: CanonicalUsage): J {
  const input = u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: u.cache_read_input_tokens },
    output_tokens: u.output_tokens,
    output_tokens_details: { reasoning_tokens: u.reasoning_tokens ?? 0 },
    total_tokens: input + u.output_tokens,
  };
}

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

export interface ResponsesUsageReader {
  event(e: SseEvent): void;
  result(): { usage: TokenUsage | null; stopReason: string | null; sawContent: boolean; upstreamError: boolean };
}

const estimate = (chars: number): number => Math.ceil(chars / 4);

/** Usage beside a passed-through Responses stream, one event at a time; estimates a cut stream. */
export function responsesUsageReader(): ResponsesUsageReader {
  let usage: TokenUsage | null = null;
  let stopReason: string | null = null;
  let sawContent = false;
  let upstreamError = false;
  let chars = 0;
  return {
    event(e) {
      if (!e.data) return;
      let d: J;
      try {
        d = obj(JSON.parse(e.data));
      } catch {
        return;
      }
      const type = str(d.type) ?? e.event;
      if (type === 'error') upstreamError = true;
      if (type && TERMINAL.has(type)) {
        const r = obj(d.response);
        if (r.usage && typeof r.usage === 'object') usage = responsesUsage(obj(r.usage));
        stopReason = str(r.status) ?? type.slice('response.'.length);
        if (type === 'response.failed') upstreamError = true;
      } else if (type?.endsWith('.delta')) {
        sawContent = true;
        chars += (str(d.delta) ?? '').length;
      }
    },
    result() {
      let u = usage;
      if (stopReason === null && sawContent) {
        const out = estimate(chars);
        u = u ? { ...u, outputTokens: Math.max(u.outputTokens, out), estimated: true } : { ...emptyUsage(), outputTokens: out, estimated: true };
      }
      return { usage: u, stopReason, sawContent, upstreamError };
    },
  };
}

export function usageFromResponsesBody(d: J): TokenUsage | null {
  return d.usage && typeof d.usage === 'object' ? responsesUsage(obj(d.usage)) : null;
}

/** Items of a response body's output (helper for readers). */
export const outputItems = (d: J): J[] => objs(d.output);
