/**
 * generateContent usage. Billing semantics: promptTokenCount includes cachedContentTokenCount;
 * thoughtsTokenCount is billed as output but reported beside candidatesTokenCount, so
 * output = candidates + thoughts.
 */
import type { UsageModel, UsageReader } from '../adapter.js';
import { textOr, count, obj, objs, type J } from '../json.js';
import { cutStreamUsage } from '../usage.js';
import { emptyUsage, type TokenUsage } from '../../usage/types.js';

export function readUsage(u: J): TokenUsage {
  const cached = count(u.cachedContentTokenCount);
  const thoughts = count(u.thoughtsTokenCount);
  return {
    ...emptyUsage(),
    inputTokens: Math.max(0, count(u.promptTokenCount) - cached),
    cacheReadTokens: cached,
    outputTokens: count(u.candidatesTokenCount) + thoughts,
    reasoningTokens: thoughts,
  };
}

function reader(): UsageReader {
  let usage: TokenUsage | null = null;
  let stopReason: string | null = null;
  let sawContent = false;
  let upstreamError = false;
  let contentChars = 0;
  return {
    event({ json: d }) {
      if (!d) return;
      if (d.error && typeof d.error === 'object') upstreamError = true;
      if (d.usageMetadata) usage = readUsage(obj(d.usageMetadata));
      for (const c of objs(d.candidates)) {
        for (const p of objs(obj(c.content).parts)) {
          sawContent = true;
          contentChars += textOr(p.text, JSON.stringify(p.functionCall ?? '')).length;
        }
        if (typeof c.finishReason === 'string') stopReason = c.finishReason;
      }
      const blocked = obj(d.promptFeedback).blockReason;
      if (typeof blocked === 'string') stopReason = blocked;
    },
    result: () => ({ usage: cutStreamUsage(usage, stopReason, sawContent, contentChars), stopReason, sawContent, upstreamError }),
  };
}

export const generateContentUsage: UsageModel = {
  read: readUsage,
  fromBody: (d) => (d.usageMetadata ? readUsage(obj(d.usageMetadata)) : null),
  reader,
  billable: (u) => u,
};
