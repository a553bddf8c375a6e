/**
 * The one entry point the gateway calls for cross-protocol requests: client request → upstream
 * request, upstream stream/body/error → client stream/body/error, all through the canonical
 * model (canonical.ts) and the two protocols' adapters (registry.ts). Same-protocol requests
 * never come here (they are passed through).
 */
import type { StreamEvent } from './adapter.js';
import type { CanonicalEvent } from './canonical.js';
import { TranslationError } from './errors.js';
import { parseEventData, type J } from './json.js';
import { adapterFor, clientSide, upstreamSide } from './registry.js';
import { createSseParser } from './sse.js';
import type { WireProtocol } from './wire.js';
import { emptyUsage, type TokenUsage } from '../usage/types.js';

export { TranslationError };

export interface TranslateOptions {
  upstreamModel: string;
  publicModel: string;
  stream: boolean;
  maxTokensDefault: number;
  thinkingBudgets?: { low: number; medium: number; high: number };
  /** Route option: automatic prompt-cache breakpoints, where the upstream protocol has them. */
  autoCache?: '5m' | '1h';
}

export interface UpstreamRequestPlan {
  path: string;
  body: string;
  headers: Record<string, string>;
  notes: string[];
}

export function planUpstreamRequest(client: WireProtocol, upstream: WireProtocol, body: J, clientHeaders: Record<string, string>, opts: TranslateOptions): UpstreamRequestPlan {
  const notes: string[] = [];
  const req = clientSide(client).decodeRequest(body, notes);
  const up = upstreamSide(upstream);
  const out = up.encodeRequest(
    req,
    { model: opts.upstreamModel, stream: opts.stream, maxTokensDefault: opts.maxTokensDefault, ...(opts.thinkingBudgets ? { thinkingBudgets: opts.thinkingBudgets } : {}) },
    notes,
  );
  if (opts.autoCache && up.placeCachePoints) notes.push(...up.placeCachePoints(out, opts.autoCache));
  return { path: up.path(opts.upstreamModel, opts.stream), body: JSON.stringify(out), headers: up.translatedHeaders(clientHeaders), notes };
}

/** An SSE event with its data parsed once, for every reader of it. */
export const streamEvent = (e: { event: string | undefined; data: string }): StreamEvent => ({ event: e.event, data: e.data, json: parseEventData(e.data) });

/**
 * Upstream SSE bytes → client SSE bytes. Each upstream event is parsed once, translated and
 * enqueued as soon as it is complete; nothing is held back beyond an incomplete SSE line.
 */
export function createStreamTranslator(
  client: WireProtocol,
  upstream: WireProtocol,
  opts: TranslateOptions & { includeUsage: boolean; onUsage(u: TokenUsage, stopReason: string | null, upstreamError: boolean): void },
): TransformStream<Uint8Array, Uint8Array> {
  const enc = new TextEncoder();
  const parser = upstreamSide(upstream).parser();
  const encoder = clientSide(client).encoder({ publicModel: opts.publicModel, includeUsage: opts.includeUsage });
  const usage = adapterFor(upstream).usage.reader();
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
      sse = createSseParser((raw) => {
        const e = streamEvent(raw);
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

export function translateResponseBody(client: WireProtocol, upstream: WireProtocol, upstreamBody: string, opts: TranslateOptions): { body: string; usage: TokenUsage | null } {
  const d = parseEventData(upstreamBody.trim());
  if (!d) throw new Error('upstream answered with a body that is not a JSON object');
  const m = upstreamSide(upstream).decodeBody(d);
  return { body: JSON.stringify(clientSide(client).encodeBody(m, opts.publicModel)), usage: adapterFor(upstream).usage.fromBody(d) };
}

/** Upstream error → the client's error shape, same status class; the message is kept. */
export function translateErrorBody(client: WireProtocol, upstream: WireProtocol, status: number, upstreamBody: string): { status: number; body: string } {
  let message = `Upstream ${adapterFor(upstream).recordName} error (${status})`;
  const d = parseEventData(upstreamBody.trim());
  const found = d ? upstreamSide(upstream).errorMessage(d) : undefined;
  if (found !== undefined) message = found;
  else if (!d && upstreamBody.trim()) message = upstreamBody.trim().slice(0, 500);
  return clientSide(client).upstreamError(status, message);
}
