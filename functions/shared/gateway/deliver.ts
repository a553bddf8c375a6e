/**
 * Delivering the chosen upstream's answer to the client: a JSON body (non-stream) or a stream
 * relayed chunk by chunk. Each upstream chunk is handed to the response stream the moment it
 * arrives; reading usage happens after the hand-over, never between arrival and delivery
 * (design invariant 2). Idle and total deadlines abort the upstream call (invariant 7).
 */
import type { ResponseWriter } from '../runtime/response.js';
import type { Route } from '../store/records.js';
import { UpstreamError } from '../upstream/errors.js';
import { readBody, type UpstreamResponse } from '../upstream/http.js';
import type { Candidate } from '../upstream/pool.js';
import type { CutShort } from '../usage/record.js';
import { emptyUsage, type TokenUsage } from '../usage/types.js';
import type { ClientSide } from '../protocol/adapter.js';
import { adapterFor, upstreamSide } from '../protocol/registry.js';
import { parseEventData } from '../protocol/json.js';
import { GatewayError } from './errors.js';
import type { Heartbeat } from './heartbeat.js';
import { translatedBody, translatedError, translatedStream, type Leg } from './legs.js';
import { errorEvent } from './render.js';
import { scrubberFor } from './scrub.js';
import { createUsageStripper } from './usage-strip.js';
import { createUsageTap } from './usage-tap.js';
import { ContentGate, PreContentFailure } from './preamble.js';
import { pump } from '../upstream/pump.js';
import { QuietTimer } from './quiet-timer.js';
import type { ClientRequest } from './request.js';

export interface Delivery {
  status: number;
  usage: TokenUsage | null;
  errorType: string | null;
  cutShort: CutShort;
  /** ms from request start to the first content byte written to the client. */
  firstByteAt: number | null;
  /** The upstream failed before any content reached the client: try another key. */
  retry?: PreContentFailure;
}

export interface DeliverContext {
  client: ClientSide;
  req: ClientRequest;
  leg: Leg;
  cand: Candidate;
  route: Route;
  res: UpstreamResponse;
  out: ResponseWriter;
  heartbeat: Heartbeat | undefined;
  /** Aborts this attempt (the idle deadline uses it). */
  abort: AbortController;
  /** This attempt's signal: its own abort plus the request's total deadline. */
  signal: AbortSignal;
  idleTimeoutMs: number;
  requestId: string;
  startedAt: number;
  /** Prices the usage of a non-stream answer so its headers can carry usage and cost. */
  price(usage: TokenUsage): number | Promise<number>;
}

/** Usage and cost of a non-stream response, as headers (stream usage is in the stream itself). */
export function usageHeaders(u: TokenUsage, costMicros: number): Record<string, string> {
  return {
    'x-ezybus-input-tokens': String(u.inputTokens),
    'x-ezybus-cache-read-tokens': String(u.cacheReadTokens),
    'x-ezybus-cache-write-tokens': String(u.cacheWrite5mTokens + u.cacheWrite1hTokens),
    'x-ezybus-output-tokens': String(u.outputTokens),
    'x-ezybus-reasoning-tokens': String(u.reasoningTokens),
    'x-ezybus-cost-micros': String(costMicros),
    'x-ezybus-cost-usd': (costMicros / 1e6).toFixed(6),
  };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function responseHeaders(ctx: DeliverContext, contentType: string): Record<string, string> {
  const h: Record<string, string> = {
    'content-type': contentType,
    // SDKs surface these as the request id; ours is the one an operator can look up.
    'x-request-id': ctx.requestId,
    'request-id': ctx.requestId,
  };
  const upstreamId = headerValue(ctx.res.headers['x-request-id']) ?? headerValue(ctx.res.headers['request-id']);
  if (upstreamId) h['x-ezybus-upstream-request-id'] = upstreamId;
  // Relayed header values come from the upstream: an echo of its key must not reach the client.
  return scrubberFor(ctx.cand.apiKey).headers(h);
}

export async function deliverJson(ctx: DeliverContext): Promise<Delivery> {
  const { res, leg } = ctx;
  const ok = res.status >= 200 && res.status < 300;
  const received = (await readBody(res.body)).toString('utf8');
  // Error bodies may echo the request's Authorization header; success bodies are relayed as sent.
  const raw = ok ? received : scrubberFor(ctx.cand.apiKey).text(received);
  let body = raw;
  let status = res.status;
  let usage: TokenUsage | null = null;
  if (leg.passThrough) {
    if (ok) {
      const d = parseEventData(raw.trim());
      usage = d ? adapterFor(leg.upstreamProtocol).usage.fromBody(d) : null;
    }
  } else if (ok) {
    const t = translatedBody(leg, raw);
    body = t.body;
    usage = t.usage;
  } else {
    const t = translatedError(leg, res.status, raw);
    body = t.body;
    status = t.status;
  }
  const contentType = leg.passThrough ? (headerValue(res.headers['content-type']) ?? 'application/json') : 'application/json';
  const headers = responseHeaders(ctx, contentType);
  if (usage) Object.assign(headers, usageHeaders(usage, await ctx.price(usage)));
  const firstByteAt = performance.now() - ctx.startedAt;
  if (ctx.out.isCommitted) {
    // Early-committed (route option): status and headers are out; the answer is the body.
    ctx.out.bodyStarted = true;
    await ctx.out.write(body);
  } else await ctx.out.send(status, headers, body, { end: false }); // ended after the record is sealed
  return { status, usage, errorType: ok ? null : 'upstream', cutShort: null, firstByteAt };
}

/** One-line JSON for an SSE data field (upstream error bodies may be pretty-printed). */
function oneLine(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body));
  } catch {
    return JSON.stringify({ error: { message: body.slice(0, 2000), type: 'upstream_error' } });
  }
}

/** Ends a possibly half-written event so that an error event that follows parses on its own. */
async function closeOpenEvent(out: ResponseWriter): Promise<void> {
  const where = out.sseBoundary;
  if (where === 'line') await out.write('\n');
  else if (where === 'none') await out.write('\n\n');
}

/** The held preamble and the chunk with the first content, relayed in order (waiting on a full stream between them). */
function relayInOrder(chunks: Buffer[], relay: (chunk: Buffer) => Promise<void> | undefined): Promise<void> | undefined {
  let pending: Promise<void> | undefined;
  for (const c of chunks) pending = pending ? pending.then(() => relay(c)) : relay(c);
  return pending;
}

export async function deliverStream(ctx: DeliverContext): Promise<Delivery> {
  const { res, leg, out, client } = ctx;
  if (res.status !== 200) {
    // The 200 head already went out; the upstream's refusal becomes the protocol's error event.
    const raw = scrubberFor(ctx.cand.apiKey).text((await readBody(res.body)).toString('utf8'));
    const t = translatedError(leg, res.status, raw);
    await out.write(client.errorEvent(oneLine(t.body)));
    return { status: t.status, usage: null, errorType: 'upstream', cutShort: null, firstByteAt: null };
  }

  let firstByteAt: number | null = null;
  let usage: TokenUsage | null = null;
  let complete = false;
  let relayedError = false; // the provider's own error event reached the client
  const idle = new QuietTimer(ctx.idleTimeoutMs, () => {
    ctx.abort.abort(new UpstreamError('idle', `upstream silent for ${ctx.idleTimeoutMs} ms`, { retryable: false }));
  });
  let failure: unknown;
  // Held until the first content, so that a failure before it can still fail over (preamble.ts).
  const gate = new ContentGate(upstreamSide(leg.upstreamProtocol).streamEventKind);
  /** Each upstream chunk as it arrives; a promise only when the client's stream is full. */
  const each = (relay: (chunk: Buffer) => Promise<void> | undefined) => (chunk: Buffer): Promise<void> | undefined => {
    idle.touch();
    if (gate.open) return relay(chunk);
    const held = gate.push(chunk);
    return held ? relayInOrder(held, relay) : undefined;
  };
  // The usage tap outlives a broken stream: what was produced before the break is billed.
  const tap = leg.passThrough ? createUsageTap(adapterFor(leg.upstreamProtocol).usage.reader()) : undefined;
  const scrub = scrubberFor(ctx.cand.apiKey);
  try {
    if (tap) {
      const strip = leg.stripUsage ? createUsageStripper() : undefined;
      const relay = (chunk: Buffer): Promise<void> | undefined => {
        ctx.heartbeat?.touch();
        firstByteAt ??= performance.now() - ctx.startedAt;
        const bytes = strip ? strip.push(chunk) : chunk;
        // A provider's error event is scrubbed of its key; any other chunk goes out as it came.
        const written = bytes ? out.write(scrub.errorChunk(bytes)) : undefined; // with the response stream from here on
        tap.push(chunk); // read in batches, after the bytes went out (usage-tap.ts)
        return written;
      };
      await pump(res.body, each(relay));
      gate.ended();
      const rest = strip?.end();
      if (rest) await out.write(scrub.errorChunk(rest));
    } else {
      const ts = translatedStream(leg, (u, stop, upstreamError) => {
        usage = u;
        complete = stop !== null;
        relayedError = upstreamError;
      });
      // Each upstream chunk's translation goes out before the next chunk is read: the client's
      // backpressure reaches the upstream socket, as on the pass-through path.
      const send = (bytes: Uint8Array | null): Promise<void> | undefined => {
        if (!bytes) return undefined;
        ctx.heartbeat?.touch();
        firstByteAt ??= performance.now() - ctx.startedAt;
        return out.write(scrub.errorChunk(bytes));
      };
      await pump(res.body, each((chunk) => send(ts.push(chunk))));
      gate.ended();
      await send(ts.end());
    }
  } catch (err) {
    failure = gate.failure(err, ctx.signal.aborted);
  } finally {
    idle.stop();
  }
  // Nothing reached the client: the caller tries the next key (after resting this one).
  if (failure instanceof PreContentFailure) return { status: 502, usage: null, errorType: 'upstream', cutShort: null, firstByteAt: null, retry: failure };
  if (tap) {
    const r = tap.result();
    usage = r.usage;
    complete = r.stopReason !== null;
    relayedError = r.upstreamError;
  }

  if (failure === undefined && complete) {
    return { status: 200, usage, errorType: null, cutShort: null, firstByteAt };
  }
  if (!usage) {
    // The provider never reported usage; it still bills the prompt. Estimate it (~4 characters
    // per token) and say so.
    usage = { ...emptyUsage(), inputTokens: Math.ceil(leg.body.length / 4), estimated: true };
  }
  const reason: unknown = ctx.signal.aborted ? ctx.signal.reason : failure;
  let cut: CutShort = 'upstream';
  let err = new GatewayError(502, 'upstream', 'The upstream stream ended before the response was complete.');
  if (reason instanceof UpstreamError && reason.failure === 'idle') {
    cut = 'idle';
    err = new GatewayError(504, 'timeout', `The upstream sent nothing for ${ctx.idleTimeoutMs} ms; the stream was closed.`);
  } else if (reason instanceof DOMException && reason.name === 'TimeoutError') {
    cut = 'deadline';
    err = new GatewayError(504, 'timeout', 'The request reached its total time limit; the stream was closed.');
  }
  // One error event per stream: when the provider's own already went out, a second would only
  // repeat it (the SDKs stop at the first).
  if (!relayedError) {
    await closeOpenEvent(out);
    await out.write(errorEvent(client, err, ctx.requestId));
  }
  return { status: err.status, usage, errorType: err.kind, cutShort: cut, firstByteAt };
}
