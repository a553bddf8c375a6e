/**
 * Responses usage (docs/protocols.md §5.5) ↔ EzyBus usage. Billing semantics as everywhere
 * (usage/types.ts): `input_tokens` includes cached reads (and, in the 2026 spec, cache writes),
 * so uncached input = input − cached − written; `output_tokens` includes
 * `reasoning_tokens`, which is its thinking share, never added on top. Usage arrives only in the
 * terminal event of a stream (`response.completed` / `.incomplete` / `.failed`).
 */
import { emptyUsage, type TokenUsage } from '../../usage/types.js';
import type { UsageModel, UsageReader } from '../adapter.js';
import type { CanonicalUsage } from '../canonical.js';
import { learnTemplate, type DataTemplate } from '../data-template.js';
import { count, obj, str, type J } from '../json.js';
import { canonicalUsage, cutStreamUsage } from '../usage.js';

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

export const canonicalUsageOf = (u: J): CanonicalUsage => canonicalUsage(responsesUsage(u));

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

/** Usage beside a passed-through Responses stream, one event at a time; estimates a cut stream. */
export function responsesUsageReader(): UsageReader {
  let usage: TokenUsage | null = null;
  let stopReason: string | null = null;
  let sawContent = false;
  let upstreamError = false;
  let chars = 0;
  /**
   * The stream's delta event of one type and item, once one has been parsed (data-template.ts):
   * the next ones, which differ in their delta, `sequence_number` and `obfuscation`, need no
   * JSON.parse. Only a delta whose data names its type is learned from: the `event:` name, which
   * the reader would fall back on, is not part of the text a template matches.
   */
  let template: DataTemplate | undefined;
  return {
    event({ event, data, json: d }) {
      if (!d) return;
      const type = str(d.type) ?? event;
      if (type === 'error') upstreamError = true;
      if (type && TERMINAL.has(type)) {
        const r = obj(d.response);
        if (r.usage && typeof r.usage === 'object') usage = responsesUsage(obj(r.usage));
        stopReason = str(r.status) ?? type.slice('response.'.length);
        if (type === 'response.failed') upstreamError = true;
      } else if (type?.endsWith('.delta')) {
        sawContent = true;
        chars += (str(d.delta) ?? '').length;
        if (typeof d.type === 'string' && typeof d.delta === 'string') {
          const t = learnTemplate(data, 'delta', 'obfuscation', 'sequence_number');
          if (t && t.match(data) === d.delta) template = t;
        }
      }
    },
    fromText(data) {
      const text = template?.match(data);
      if (text === undefined) return false;
      sawContent = true;
      chars += text.length;
      return true;
    },
    result: () => ({ usage: cutStreamUsage(usage, stopReason, sawContent, chars), stopReason, sawContent, upstreamError }),
  };
}

export function usageFromResponsesBody(d: J): TokenUsage | null {
  return d.usage && typeof d.usage === 'object' ? responsesUsage(obj(d.usage)) : null;
}

export const responsesUsageModel: UsageModel = {
  read: responsesUsage,
  fromBody: usageFromResponsesBody,
  reader: responsesUsageReader,
  // OpenAI caches automatically: nothing to attribute from the request.
  billable: (u) => u,
};
