/**
 * Messages usage. Billing semantics: input_tokens already excludes cache reads and writes; the
 * write split is cache_creation.ephemeral_{5m,1h}_input_tokens (all counted as 5 m when absent,
 * then attributed by the sent body's cache_control TTLs); thinking is folded into output_tokens,
 * so its share is estimated from the thinking text (≈ 4 characters per token, flagged
 * reasoningEstimated) unless the response reports output_tokens_details.thinking_tokens, and is
 * never added on top.
 */
import type { UsageModel, UsageReader } from '../adapter.js';
import { learnTemplate, type DataTemplate } from '../data-template.js';
import { textOr, arr, count, obj, type J } from '../json.js';
import { cutStreamUsage, estimateTokens } from '../usage.js';
import { splitCacheWrites } from '../../usage/cache-split.js';
import { emptyUsage, type TokenUsage } from '../../usage/types.js';

/** `u` over what is known so far (`into`): a message_delta reports only what changed. */
export function readUsage(u: J, into: TokenUsage = emptyUsage()): TokenUsage {
  const cc = obj(u.cache_creation);
  const total = count(u.cache_creation_input_tokens);
  const w1h = count(cc.ephemeral_1h_input_tokens);
  const w5m = 'ephemeral_5m_input_tokens' in cc ? count(cc.ephemeral_5m_input_tokens) : total - w1h;
  return {
    ...into,
    inputTokens: 'input_tokens' in u ? count(u.input_tokens) : into.inputTokens,
    cacheReadTokens: 'cache_read_input_tokens' in u ? count(u.cache_read_input_tokens) : into.cacheReadTokens,
    cacheWrite5mTokens: 'cache_creation_input_tokens' in u ? w5m : into.cacheWrite5mTokens,
    cacheWrite1hTokens: 'cache_creation_input_tokens' in u ? w1h : into.cacheWrite1hTokens,
    ...('cache_creation_input_tokens' in u ? { cacheSplitMissing: total > 0 && !('cache_creation' in u) } : {}),
    outputTokens: 'output_tokens' in u ? count(u.output_tokens) : into.outputTokens,
    // Newer responses report the thinking share themselves; that beats any estimate.
    ...(thinkingReported(u) ? { reasoningTokens: count(obj(u.output_tokens_details).thinking_tokens), reasoningEstimated: false } : {}),
  };
}

/** Messages' `output_tokens_details.thinking_tokens`, when the response carries it. */
export function thinkingReported(u: J): boolean {
  return 'thinking_tokens' in obj(u.output_tokens_details);
}

const withThinkingEstimate = (u: TokenUsage, thinkingChars: number): TokenUsage =>
  thinkingChars > 0 ? { ...u, reasoningTokens: Math.min(u.outputTokens, estimateTokens(thinkingChars)), reasoningEstimated: true } : u;

function reader(): UsageReader {
  let usage: TokenUsage | null = null;
  let stopReason: string | null = null;
  let sawContent = false;
  let upstreamError = false;
  let contentChars = 0;
  let thinkingChars = 0;
  let thinkingExact = false;
  /** The open block's plain text or thinking delta, once one has been parsed (data-template.ts). */
  let template: { t: DataTemplate; thinking: boolean } | undefined;
  return {
    event({ data, json: d }) {
      if (!d) return;
      const error = d.error && typeof d.error === 'object';
      if (error) upstreamError = true;
      const type = d.type;
      if (type === 'message_start') usage = readUsage(obj(obj(d.message).usage), usage ?? emptyUsage());
      else if (type === 'message_delta') {
        usage = readUsage(obj(d.usage), usage ?? emptyUsage());
        if (thinkingReported(obj(d.usage))) thinkingExact = true;
        const r = obj(d.delta).stop_reason;
        if (typeof r === 'string') stopReason = r;
      } else if (type === 'content_block_delta') {
        sawContent = true;
        const delta = obj(d.delta);
        if (typeof delta.thinking === 'string') thinkingChars += delta.thinking.length;
        contentChars += textOr(delta.text ?? delta.partial_json ?? delta.thinking, '').length;
        // A delta whose only effect here is its text or its thinking: what a template match stands for.
        const key = typeof delta.text === 'string' ? 'text' : typeof delta.thinking === 'string' && delta.text === undefined ? 'thinking' : undefined;
        if (!error && key && delta.partial_json === undefined && (key === 'thinking' || delta.thinking === undefined)) {
          const t = learnTemplate(data, key);
          if (t && t.match(data) === delta[key]) template = { t, thinking: key === 'thinking' };
        }
      }
    },
    fromText(data) {
      const text = template?.t.match(data);
      if (text === undefined || !template) return false;
      sawContent = true;
      if (template.thinking) thinkingChars += text.length;
      contentChars += text.length;
      return true;
    },
    result() {
      const u = usage && !thinkingExact ? withThinkingEstimate(usage, thinkingChars) : usage;
      return { usage: cutStreamUsage(u, stopReason, sawContent, contentChars), stopReason, sawContent, upstreamError };
    },
  };
}

function fromBody(d: J): TokenUsage | null {
  if (!d.usage) return null;
  const u = readUsage(obj(d.usage));
  if (thinkingReported(obj(d.usage))) return u;
  let thinkingChars = 0;
  for (const b of arr(d.content).map(obj)) if (b.type === 'thinking') thinkingChars += textOr(b.thinking, '').length;
  return withThinkingEstimate(u, thinkingChars);
}

/**
 * Messages reports cache writes without the 5 m / 1 h split on some paths; when it is missing,
 * attribute the writes by the cache_control TTLs of the body actually sent upstream (which holds
 * the client's breakpoints and any the route placed automatically).
 */
export function attributeCacheWrites(usage: TokenUsage, upstreamBody: string): TokenUsage {
  if (!usage.cacheSplitMissing || usage.cacheWrite5mTokens + usage.cacheWrite1hTokens === 0) return usage;
  let body: unknown;
  try {
    body = JSON.parse(upstreamBody);
  } catch {
    return usage;
  }
  if (typeof body !== 'object' || body === null) return usage;
  const total = usage.cacheWrite5mTokens + usage.cacheWrite1hTokens;
  const { w5m, w1h } = splitCacheWrites(total, usage.cacheReadTokens, body as J);
  return { ...usage, cacheWrite5mTokens: w5m, cacheWrite1hTokens: w1h, cacheSplitEstimated: w1h > 0 };
}

export const messagesUsage: UsageModel = { read: (u) => readUsage(u), fromBody, reader, billable: attributeCacheWrites };
