/**
 * The one entry point the gateway calls for cross-protocol requests: client request → upstream
 * request, upstream stream/body/error → client stream/body/error, all through the canonical
 * model (canonical.ts). Same-protocol requests never come here (they are passed through).
 */
import { messageFromAnthropic, messageFromGemini, messageFromOpenAI, messageToAnthropic, messageToOpenAI } from './body.js';
import type { CanonicalEvent } from './canonical.js';
import { TranslationError } from './errors.js';
import { fromAnthropic, fromOpenAI } from './request-in.js';
import { toAnthropic, toGemini, toOpenAI } from './request-out.js';
import { createSseParser } from './sse.js';
import { anthropicParser, geminiParser, openaiParser, type UpstreamParser } from './stream-in.js';
import { anthropicEncoder, openaiEncoder, type ClientEncoder } from './stream-out.js';
import { createUsageReader, usageFromBody } from './usage.js';
import { emptyUsage, type ClientProtocol, type Protocol, type TokenUsage } from '../usage/types.js';

export { TranslationError };

export interface TranslateOptions {
  upstreamModel: string;
  publicModel: string;
  stream: boolean;
  maxTokensDefault: number;
  thinkingBudgets?: { low: number; medium: number; high: number };
}

export interface UpstreamRequestPlan {
  path: string;
  body: string;
  headers: Record<string, string>;
  notes: string[];
}

export function planUpstreamRequest(client: ClientProtocol, upstream: Protocol, body: Record<string, unknown>, opts: TranslateOptions): UpstreamRequestPlan {
  const notes: string[] = [];
  const req = client === 'openai' ? fromOpenAI(body, notes) : fromAnthropic(body, notes);
  const out = { model: opts.upstreamModel, stream: opts.stream, maxTokensDefault: opts.maxTokensDefault, ...(opts.thinkingBudgets ? { thinkingBudgets: opts.thinkingBudgets } : {}) };
  if (upstream === 'anthropic') {
    return { path: '/v1/messages', body: JSON.stringify(toAnthropic(req, out, notes)), headers: { 'anthropic-version': '2023-06-01' }, notes };
  }
  if (upstream === 'openai') return { path: '/v1/chat/completions', body: JSON.stringify(toOpenAI(req, out, notes)), headers: {}, notes };
  const m = encodeURIComponent(opts.upstreamModel);
  return {
    path: `/v1beta/models/${m}:${opts.stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
    body: JSON.stringify(toGemini(req, out, notes)),
    headers: {},
    notes,
  };
}

function parserFor(p: Protocol): UpstreamParser {
  return p === 'openai' ? openaiParser() : p === 'anthropic' ? anthropicParser() : geminiParser();
}

/**
 * Upstream SSE bytes → client SSE bytes. Each upstream event is translated and enqueued as soon
 * as it is parsed; nothing is held back beyond the bytes of an incomplete SSE line.
 */
export function createStreamTranslator(
  client: ClientProtocol,
  upstream: Protocol,
  opts: TranslateOptions & { includeUsage: boolean; onUsage(u: TokenUsage, stopReason: string | null, upstreamError: boolean): void },
): TransformStream<Uint8Array, Uint8Array> {
  const enc = new TextEncoder();
  const parser = parserFor(upstream);
  const encoder: ClientEncoder =
    client === 'openai' ? openaiEncoder({ publicModel: opts.publicModel, includeUsage: opts.includeUsage }) : anthropicEncoder({ publicModel: opts.publicModel, includeUsage: true });
  const usage = createUsageReader(upstream);
  let stop: string | null = null;
  let sse: ReturnType<typeof createSseParser>;
  let out = '';
  const emit = (events: CanonicalEvent[]): void => {
    for (const e of events) {
      if (e.type === 'message_delta') stop = e.delta.stop_reason;
      out += encoder.push(e);
    }
  };
  return new TransformStream<Uint8Array, Uint8Array>({
    start() {
      sse = createSseParser((e) => {
        usage.event(e);
        emit(parser.push(e));
      });
    },
    transform(chunk, controller) {
      sse.push(chunk);
      if (out) {
        controller.enqueue(enc.encode(out));
        out = '';
      }
    },
    flush(controller) {
      sse.end();
      emit(parser.end());
      if (out) controller.enqueue(enc.encode(out));
      const r = usage.result();
      opts.onUsage(r.usage ?? { ...emptyUsage(), estimated: true }, stop, r.upstreamError);
    },
  });
}

export function translateResponseBody(client: ClientProtocol, upstream: Protocol, upstreamBody: string, opts: TranslateOptions): { body: string; usage: TokenUsage | null } {
  let d: Record<string, unknown>;
  try {
    d = JSON.parse(upstreamBody) as Record<string, unknown>;
  } catch {
    throw new Error('upstream answered with a body that is not JSON');
  }
  const m = upstream === 'openai' ? messageFromOpenAI(d) : upstream === 'anthropic' ? messageFromAnthropic(d) : messageFromGemini(d);
  const body = client === 'openai' ? messageToOpenAI(m, opts.publicModel) : messageToAnthropic(m, opts.publicModel);
  return { body: JSON.stringify(body), usage: usageFromBody(upstream, upstreamBody) };
}

const ANTHROPIC_TYPE: Record<number, string> = { 400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error', 413: 'request_too_large', 429: 'rate_limit_error', 529: 'overloaded_error' };

/** Upstream error → the client's error shape, same status class; the message is kept. */
export function translateErrorBody(client: ClientProtocol, upstream: Protocol, status: number, upstreamBody: string): { status: number; body: string } {
  let message = `Upstream ${upstream} error (${status})`;
  try {
    const d = JSON.parse(upstreamBody) as { error?: { message?: unknown } };
    if (typeof d.error?.message === 'string') message = d.error.message;
  } catch {
    if (upstreamBody.trim()) message = upstreamBody.trim().slice(0, 500);
  }
  if (client === 'anthropic') {
    return { status, body: JSON.stringify({ type: 'error', error: { type: ANTHROPIC_TYPE[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message } }) };
  }
  // OpenAI clients know no 529; it is an overload, so 503 keeps the class and the meaning.
  const s = status === 529 ? 503 : status;
  const type = s === 429 ? 'requests' : s >= 500 ? 'server_error' : 'invalid_request_error';
  return { status: s, body: JSON.stringify({ error: { message, type, param: null, code: s === 429 ? 'rate_limit_exceeded' : null } }) };
}
