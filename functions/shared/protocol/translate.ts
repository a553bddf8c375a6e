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
import { canonicalUsage, estimateTokens } from './usage.js';
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
  /** The client's request as parsed. */
  request: J;
  /**
   * Input tokens to announce in a translated message_start when the upstream has not reported
   * them by then (Chat Completions reports usage only at the end; Claude Code reads input tokens
   * only from message_start): the sent body's length / 4 — EzyBus's documented estimate. The
   * exact figure follows in message_delta.
   */
  inputTokensEstimate?: number;
}

export interface UpstreamRequestPlan {
  path: string;
  body: string;
  headers: Record<string, string>;
  notes: string[];
  inputTokensEstimate: number;
}

export function planUpstreamRequest(client: WireProtocol, upstream: WireProtocol, clientHeaders: Record<string, string>, opts: TranslateOptions): UpstreamRequestPlan {
  const notes: string[] = [];
  const req = clientSide(client).decodeRequest(opts.request, notes);
  const up = upstreamSide(upstream);
  const out = up.encodeRequest(
    req,
    { model: opts.upstreamModel, stream: opts.stream, maxTokensDefault: opts.maxTokensDefault, ...(opts.thinkingBudgets ? { thinkingBudgets: opts.thinkingBudgets } : {}) },
    notes,
  );
  if (opts.autoCache && up.placeCachePoints) notes.push(...up.placeCachePoints(out, opts.autoCache));
  const text = JSON.stringify(out);
  return { path: up.path(opts.upstreamModel, opts.stream), body: text, headers: up.translatedHeaders(clientHeaders), notes, inputTokensEstimate: estimateTokens(text.length) };
}

/** An SSE event with its data parsed once, for every reader of it. */
export const streamEvent = (e: { event: string | undefined; data: string }): StreamEvent => ({ event: e.event, data: e.data, json: parseEventData(e.data) });

/** A stream translation driven by its caller: each push returns the client bytes it completed. */
export interface StreamTranslation {
  /** Upstream bytes in; the client bytes they complete out (null when none yet). */
  push(chunk: Uint8Array): Uint8Array | null;
  /** End of the upstream stream: the last client bytes; reports usage through `onUsage`. */
  end(): Uint8Array | null;
}

/**
 * Upstream SSE bytes → client SSE bytes. Each upstream event is parsed once, translated and
 * returned as soon as it is complete; nothing is held back beyond an incomplete SSE line. Plain
 * calls rather than a TransformStream: the gateway relays each chunk the moment it arrives,
 * and a web stream's promise and queue machinery per chunk would cost more than translating it.
 */
export function createStreamTranslation(
  client: WireProtocol,
  upstream: WireProtocol,
  opts: TranslateOptions & { onUsage(u: TokenUsage, stopReason: string | null, upstreamError: boolean): void },
): StreamTranslation {
  const parser = upstreamSide(upstream).parser();
  const side = clientSide(client);
  const encoder = side.encoder({ publicModel: opts.publicModel, includeUsage: side.includeUsage(opts.request), request: opts.request });
  const usage = adapterFor(upstream).usage.reader();
  let stop: string | null = null;
  let out = '';
  const emit = (events: CanonicalEvent[]): void => {
    for (const e of events) {
      if (e.type === 'message_start') out += encoder.push(withInputTokens(e, usage.result().usage, opts.inputTokensEstimate));
      else if (e.type === 'message_delta') {
        stop = e.delta.stop_reason;
        // The usage the client sees is the usage that is billed: one extraction, one figure.
        const billed = usage.result().usage;
        out += encoder.push(billed ? { ...e, usage: canonicalUsage(billed) } : e);
      } else out += encoder.push(e);
    }
  };
  const sse = createSseParser((raw) => {
    // A delta the parser and the usage reader both read from its text needs no JSON.parse.
    const known = parser.fromText?.(raw.data);
    if (known && usage.fromText?.(raw.data)) return emit(known);
    const e = streamEvent(raw);
    usage.event(e);
    emit(parser.push(e));
  });
  const take = (): Uint8Array | null => {
    if (!out) return null;
    // Buffer.from, not TextEncoder: a small string lands in Node's shared pool instead of a new
    // ArrayBuffer per chunk (about 1 µs of each translated chunk).
    const bytes = Buffer.from(out, 'utf8');
    out = '';
    return bytes;
  };
  return {
    push(chunk) {
      sse.push(chunk);
      return take();
    },
    end() {
      sse.end();
      emit(parser.end());
      const rest = take();
      const r = usage.result();
      opts.onUsage(r.usage ?? { ...emptyUsage(), estimated: true }, stop, r.upstreamError);
      return rest;
    },
  };
}

/** The same translation as a TransformStream, for callers that pipe. */
export function createStreamTranslator(
  client: WireProtocol,
  upstream: WireProtocol,
  opts: TranslateOptions & { onUsage(u: TokenUsage, stopReason: string | null, upstreamError: boolean): void },
): TransformStream<Uint8Array, Uint8Array> {
  let t: StreamTranslation;
  const put = (bytes: Uint8Array | null, controller: TransformStreamDefaultController<Uint8Array>): void => {
    if (bytes) controller.enqueue(bytes);
  };
  return new TransformStream<Uint8Array, Uint8Array>({
    start() {
      t = createStreamTranslation(client, upstream, opts);
    },
    transform: (chunk, controller) => put(t.push(chunk), controller),
    flush: (controller) => put(t.end(), controller),
  });
}

/** A message_start that says 0 input tokens: what the upstream reported so far, else the estimate. */
function withInputTokens(e: Extract<CanonicalEvent, { type: 'message_start' }>, known: TokenUsage | null, estimate: number | undefined): CanonicalEvent {
  const u = e.message.usage;
  if (u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens > 0) return e;
  if (known && known.inputTokens + known.cacheReadTokens + known.cacheWrite5mTokens + known.cacheWrite1hTokens > 0) {
    return { ...e, message: { ...e.message, usage: { ...canonicalUsage(known), output_tokens: u.output_tokens } } };
  }
  return estimate ? { ...e, message: { ...e.message, usage: { ...u, input_tokens: estimate } } } : e;
}

export function translateResponseBody(client: WireProtocol, upstream: WireProtocol, upstreamBody: string, opts: TranslateOptions): { body: string; usage: TokenUsage | null } {
  const d = parseEventData(upstreamBody.trim());
  if (!d) throw new Error('upstream answered with a body that is not a JSON object');
  const m = upstreamSide(upstream).decodeBody(d);
  const side = clientSide(client);
  return { body: JSON.stringify(side.encodeBody(m, { publicModel: opts.publicModel, includeUsage: true, request: opts.request })), usage: adapterFor(upstream).usage.fromBody(d) };
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
