/**
 * Chat Completions usage. Billing semantics: prompt_tokens includes cached_tokens and (in newer
 * responses) cache_write_tokens, so input = prompt − cached − written; reasoning_tokens is part
 * of completion_tokens.
 */
import type { CanonicalUsage } from '../canonical.js';
import type { UsageModel, UsageReader } from '../adapter.js';
import { learnTemplate, type DataTemplate } from '../data-template.js';
import { count, obj, type J } from '../json.js';
import { cutStreamUsage } from '../usage.js';
import { emptyUsage, type TokenUsage } from '../../usage/types.js';

export function readUsage(u: J): TokenUsage {
  const details = obj(u.prompt_tokens_details);
  const cached = count(details.cached_tokens);
  const written = count(details.cache_write_tokens);
  return {
    ...emptyUsage(),
    inputTokens: Math.max(0, count(u.prompt_tokens) - cached - written),
    cacheReadTokens: cached,
    cacheWrite5mTokens: written,
    outputTokens: count(u.completion_tokens),
    reasoningTokens: count(obj(u.completion_tokens_details).reasoning_tokens),
  };
}

/** Canonical usage → the usage object a Chat Completions client reads. */
export function usageObject(u: CanonicalUsage): J {
  const prompt = u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: u.output_tokens,
    total_tokens: prompt + u.output_tokens,
    prompt_tokens_details: { cached_tokens: u.cache_read_input_tokens, cache_creation_tokens: u.cache_creation_input_tokens },
    completion_tokens_details: { reasoning_tokens: u.reasoning_tokens ?? 0 },
  };
}

function reader(): UsageReader {
  let usage: TokenUsage | null = null;
  let stopReason: string | null = null;
  let sawContent = false;
  let upstreamError = false;
  let contentChars = 0;
  /** The stream's plain text chunk, once one has been parsed: the next ones need no JSON.parse. */
  let template: DataTemplate | undefined;
  return {
    event({ data, json: d }) {
      if (!d) return;
      const error = d.error && typeof d.error === 'object';
      if (error) upstreamError = true;
      const hasUsage = d.usage && typeof d.usage === 'object';
      if (hasUsage) usage = readUsage(d.usage as J);
      if (!Array.isArray(d.choices)) return;
      for (const c of d.choices as unknown[]) {
        const ch = obj(c);
        const delta = obj(ch.delta);
        const text = typeof delta.content === 'string' ? delta.content : '';
        const reasoning = typeof delta.reasoning_content === 'string' ? delta.reasoning_content : '';
        if (text || reasoning || delta.tool_calls) sawContent = true;
        contentChars += text.length + reasoning.length + (delta.tool_calls ? JSON.stringify(delta.tool_calls).length - 2 : 0);
        if (typeof ch.finish_reason === 'string') stopReason = ch.finish_reason;
      }
      // A chunk whose only effect here is its text: what the template's matches stand for.
      const only = d.choices.length === 1 ? obj(d.choices[0]) : undefined;
      const delta = obj(only?.delta);
      if (only && !error && !hasUsage && typeof delta.content === 'string' && delta.reasoning_content === undefined && delta.tool_calls === undefined && typeof only.finish_reason !== 'string') {
        const t = learnTemplate(data, 'content', 'obfuscation');
        if (t && t.match(data) === delta.content) template = t;
      }
    },
    fromText(data) {
      const text = template?.match(data);
      if (text === undefined) return false;
      if (text) sawContent = true;
      contentChars += text.length;
      return true;
    },
    result: () => ({ usage: cutStreamUsage(usage, stopReason, sawContent, contentChars), stopReason, sawContent, upstreamError }),
  };
}

export const chatCompletionsUsage: UsageModel = {
  read: readUsage,
  fromBody: (d) => (d.usage ? readUsage(obj(d.usage)) : null),
  reader,
  billable: (u) => u,
};
