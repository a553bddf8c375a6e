/**
 * Provider-reported usage → TokenUsage, for all three protocols, from a stream (one SSE event at
 * a time, beside the relayed bytes) or a whole JSON body. Billing semantics follow TokenUsage:
 * - OpenAI: prompt_tokens includes cached_tokens, so input = prompt − cached; reasoning_tokens is
 *   part of completion_tokens.
 * - Anthropic: input_tokens already excludes cache reads and writes; the write split is
 *   cache_creation.ephemeral_{5m,1h}_input_tokens (all counted as 5 m when absent); thinking is
 *   folded into output_tokens, so its share is estimated from the streamed thinking text
 *   (≈ 4 characters per token, flagged reasoningEstimated) and never added on top.
 * - Gemini: promptTokenCount includes cachedContentTokenCount; thoughtsTokenCount is billed as
 *   output but reported beside candidatesTokenCount, so output = candidates + thoughts.
 * Where a stream ends without usage, the reader estimates from what it saw and flags it.
 */
import type { SseEvent } from './sse.js';
import { emptyUsage, type Protocol, type TokenUsage } from '../usage/types.js';

type J = Record<string, unknown>;
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const obj = (v: unknown): J => (v && typeof v === 'object' && !Array.isArray(v) ? (v as J) : {});

export function openaiUsage(u: J): TokenUsage {
  const details = obj(u.prompt_tokens_details);
  const cached = num(details.cached_tokens);
  // Newer responses count cache writes too (inside prompt_tokens, like cached reads).
  const written = num(details.cache_write_tokens);
  return {
    ...emptyUsage(),
    inputTokens: Math.max(0, num(u.prompt_tokens) - cached - written),
    cacheReadTokens: cached,
    cacheWrite5mTokens: written,
    outputTokens: num(u.completion_tokens),
    reasoningTokens: num(obj(u.completion_tokens_details).reasoning_tokens),
  };
}

export function anthropicUsage(u: J, into: TokenUsage = emptyUsage()): TokenUsage {
  const cc = obj(u.cache_creation);
  const total = num(u.cache_creation_input_tokens);
  const w1h = num(cc.ephemeral_1h_input_tokens);
  const w5m = 'ephemeral_5m_input_tokens' in cc ? num(cc.ephemeral_5m_input_tokens) : total - w1h;
  return {
    ...into,
    inputTokens: 'input_tokens' in u ? num(u.input_tokens) : into.inputTokens,
    cacheReadTokens: 'cache_read_input_tokens' in u ? num(u.cache_read_input_tokens) : into.cacheReadTokens,
    cacheWrite5mTokens: 'cache_creation_input_tokens' in u ? w5m : into.cacheWrite5mTokens,
    cacheWrite1hTokens: 'cache_creation_input_tokens' in u ? w1h : into.cacheWrite1hTokens,
    ...('cache_creation_input_tokens' in u ? { cacheSplitMissing: total > 0 && !('cache_creation' in u) } : {}),
    outputTokens: 'output_tokens' in u ? num(u.output_tokens) : into.outputTokens,
    // Newer responses report the thinking share themselves; that beats any estimate.
    ...(thinkingReported(u) ? { reasoningTokens: num(obj(u.output_tokens_details).thinking_tokens), reasoningEstimated: false } : {}),
  };
}

/** Anthropic's `output_tokens_details.thinking_tokens`, when the response carries it. */
export function thinkingReported(u: J): boolean {
  return 'thinking_tokens' in obj(u.output_tokens_details);
}

export function geminiUsage(u: J): TokenUsage {
  const cached = num(u.cachedContentTokenCount);
  const thoughts = num(u.thoughtsTokenCount);
  return {
    ...emptyUsage(),
    inputTokens: Math.max(0, num(u.promptTokenCount) - cached),
    cacheReadTokens: cached,
    outputTokens: num(u.candidatesTokenCount) + thoughts,
    reasoningTokens: thoughts,
  };
}

const estimate = (chars: number): number => Math.ceil(chars / 4);

export interface UsageReader {
  event(e: SseEvent): void;
  /** `upstreamError`: the stream carried the provider's own error event (already relayed to the client). */
  result(): { usage: TokenUsage | null; stopReason: string | null; sawContent: boolean; upstreamError: boolean };
}

export function createUsageReader(protocol: Protocol): UsageReader {
  let usage: TokenUsage | null = null;
  let stopReason: string | null = null;
  let sawContent = false;
  let upstreamError = false;
  let contentChars = 0;
  let thinkingChars = 0;
  let thinkingExact = false;
  return {
    event(e) {
      if (e.data === '[DONE]' || e.data === '') return;
      let d: J;
      try {
        d = JSON.parse(e.data) as J;
      } catch {
        return;
      }
      // All three put a mid-stream failure in an `error` object (Anthropic inside `event: error`).
      if (d.error && typeof d.error === 'object') upstreamError = true;
      if (protocol === 'openai') {
        if (d.usage && typeof d.usage === 'object') usage = openaiUsage(d.usage as J);
        for (const c of Array.isArray(d.choices) ? (d.choices as J[]) : []) {
          const delta = obj(c.delta);
          const text = typeof delta.content === 'string' ? delta.content : '';
          const reasoning = typeof delta.reasoning_content === 'string' ? delta.reasoning_content : '';
          if (text || reasoning || delta.tool_calls) sawContent = true;
          contentChars += text.length + reasoning.length + JSON.stringify(delta.tool_calls ?? '').length - 2;
          if (typeof c.finish_reason === 'string') stopReason = c.finish_reason;
        }
      } else if (protocol === 'anthropic') {
        const type = d.type;
        if (type === 'message_start') usage = anthropicUsage(obj(obj(d.message).usage), usage ?? emptyUsage());
        else if (type === 'message_delta') {
          usage = anthropicUsage(obj(d.usage), usage ?? emptyUsage());
          if (thinkingReported(obj(d.usage))) thinkingExact = true;
          const r = obj(d.delta).stop_reason;
          if (typeof r === 'string') stopReason = r;
        } else if (type === 'content_block_delta') {
          sawContent = true;
          const delta = obj(d.delta);
          if (typeof delta.thinking === 'string') thinkingChars += delta.thinking.length;
          contentChars += String(delta.text ?? delta.partial_json ?? delta.thinking ?? '').length;
        }
      } else {
        if (d.usageMetadata) usage = geminiUsage(obj(d.usageMetadata));
        for (const c of Array.isArray(d.candidates) ? (d.candidates as J[]) : []) {
          for (const p of Array.isArray(obj(c.content).parts) ? (obj(c.content).parts as J[]) : []) {
            sawContent = true;
            contentChars += String(p.text ?? JSON.stringify(p.functionCall ?? '')).length;
          }
          if (typeof c.finishReason === 'string') stopReason = c.finishReason;
        }
      }
    },
    result() {
      let u: TokenUsage | null = usage;
      if (u && protocol === 'anthropic' && thinkingChars > 0 && !thinkingExact) {
        u = { ...u, reasoningTokens: Math.min(u.outputTokens, estimate(thinkingChars)), reasoningEstimated: true };
      }
      // A cut stream: keep what the provider reported, and estimate output it never reported.
      if (stopReason === null && sawContent) {
        const out = estimate(contentChars);
        u = u ? { ...u, outputTokens: Math.max(u.outputTokens, out), estimated: true } : { ...emptyUsage(), outputTokens: out, estimated: true };
      }
      return { usage: u, stopReason, sawContent, upstreamError };
    },
  };
}

export function usageFromBody(protocol: Protocol, body: string): TokenUsage | null {
  let d: J;
  try {
    d = JSON.parse(body) as J;
  } catch {
    return null;
  }
  if (protocol === 'openai') return d.usage ? openaiUsage(obj(d.usage)) : null;
  if (protocol === 'gemini') return d.usageMetadata ? geminiUsage(obj(d.usageMetadata)) : null;
  if (!d.usage) return null;
  const u = anthropicUsage(obj(d.usage));
  let thinkingChars = 0;
  for (const b of Array.isArray(d.content) ? (d.content as J[]) : []) if (b.type === 'thinking') thinkingChars += String(b.thinking ?? '').length;
  return thinkingChars && !thinkingReported(obj(d.usage)) ? { ...u, reasoningTokens: Math.min(u.outputTokens, estimate(thinkingChars)), reasoningEstimated: true } : u;
}
