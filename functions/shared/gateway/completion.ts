/**
 * The request path of POST /v1/chat/completions and POST /v1/messages (design.md, "The request
 * path inside a function"): check, authenticate, route, admit (beside the upstream call), commit
 * the stream, try upstream keys until one answers, deliver, then account — the usage record is
 * written before the handler returns, after the client's stream has ended.
 */
import { gatewayConfig } from '../config.js';
import type { FunctionUrlEvent, LambdaContext, LambdaResponseStream, StreamingHandler } from '../runtime/awslambda.js';
import { requestDeadline, type Deadline } from '../runtime/lifecycle.js';
import { ResponseWriter } from '../runtime/response.js';
import type { Route } from '../store/records.js';
import { candidateRef, type Candidate } from '../upstream/pool.js';
import { recordFailure } from '../upstream/health.js';
import { log } from '../logging/log.js';
import type { AttemptRecord } from '../usage/record.js';
import type { TokenUsage } from '../usage/types.js';
import type { Endpoint } from '../../endpoints.js';
import type { ClientSide } from '../protocol/adapter.js';
import { adapterFor, clientSide } from '../protocol/registry.js';
import type { WireProtocol } from '../protocol/wire.js';
import { authenticate, checkOrigin, extractKey } from './auth.js';
import { boundNotes } from './bounds.js';
import { deliverJson, deliverStream, type Delivery } from './deliver.js';
import { GatewayError } from './errors.js';
import { asGatewayError, newRecord, persist, seal } from './finish.js';
import { Heartbeat } from './heartbeat.js';
import { firstAnswer } from './attempts.js';
import { planTranslations, type Leg } from './legs.js';
import { priceUsage, type Priced } from './pricing.js';
import { admit, budgetInput, estimateTokens, type Admission } from './limits.js';
import { errorBody, errorEvent, errorHeaders } from './render.js';
import { decodeBody, parseClientRequest, type ClientRequest } from './request.js';
import { assertModelAllowed, findRoute } from './routes.js';

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

/** The handler for one completion endpoint (functions/endpoints.ts); its `path` is the only path it serves. */
export function completionHandler(ep: Endpoint): StreamingHandler {
  if (!ep.protocol) throw new Error(`endpoint ${ep.name} names no client protocol`);
  const protocol = ep.protocol;
  const side = clientSide(protocol); // at module init: a protocol without a client side cannot get a handler
  return (event, responseStream, context) => handleCompletion(protocol, side, ep.name, ep.path, ep.subpaths ?? [], event, responseStream, context);
}

/** What one request's attempts share. */
interface Flow {
  protocol: WireProtocol;
  client: ClientSide;
  event: FunctionUrlEvent;
  req: ClientRequest;
  route: Route;
  out: ResponseWriter;
  heartbeat: Heartbeat | undefined;
  attempts: AttemptRecord[];
  requestId: string;
  startedAt: number;
  /** Resolves once admitted (and, for streams, committed); content waits for it. Undefined: nothing to wait for. */
  gate: Promise<void> | undefined;
  /** Aborted when admission refuses: every attempt stops (absent when admission cannot refuse). */
  refused: AbortSignal | undefined;
  /** The request's total deadline (and the environment's drain). */
  total: AbortSignal;
  /** When the request started: the time its prices are looked up at. */
  at: Date;
  /** What a non-stream answer's headers were priced at, reused for its record (one lookup). */
  priced?: { usage: TokenUsage; billed: TokenUsage; result: Priced };
}

async function handleCompletion(
  protocol: WireProtocol,
  client: ClientSide,
  fn: string,
  path: string,
  subpaths: readonly string[],
  event: FunctionUrlEvent,
  responseStream: LambdaResponseStream,
  context: LambdaContext,
): Promise<void> {
  const startedAt = performance.now();
  const cfg = gatewayConfig();
  const requestId = context.awsRequestId;
  const out = new ResponseWriter(responseStream);
  const rec = newRecord(requestId, event, fn, adapterFor(protocol).recordName);
  let flow: Flow | undefined;
  let settle: Admission['settle'] | undefined;
  let admission: Admission | undefined;
  let deadline: Deadline | undefined;
  try {
    const query = event.queryStringParameters ?? {};
    const subpath = event.rawPath.startsWith(path) ? event.rawPath.slice(path.length) : event.rawPath;
    // A protocol that names the call in the path (Gemini) serves every path it can read.
    if (client.routing ? !client.routing(event.rawPath, query) : subpath !== '' && !subpaths.includes(subpath)) {
      throw new GatewayError(404, 'not_found', `No endpoint ${event.rawPath} here; this function serves ${path}.`);
    }
    const method = event.requestContext.http.method;
    if (method !== 'POST') {
      throw new GatewayError(405, 'method_not_allowed', `Method ${method} is not allowed on ${event.rawPath}; use POST.`);
    }
    checkOrigin(event.headers);
    const apiKey = extractKey(event.headers, query);
    if (!apiKey) {
      throw new GatewayError(401, 'authentication', 'Missing API key. Send "Authorization: Bearer <key>", "x-api-key: <key>" or "x-goog-api-key: <key>".');
    }
    // The warm path reads every cache without a promise: a value is used as is, only a read is awaited.
    const auth = authenticate(apiKey);
    if (auth instanceof Promise) auth.catch(() => undefined); // awaited below; decoding runs meanwhile
    const text = decodeBody(event, cfg.maxBodyBytes);
    const key = auth instanceof Promise ? await auth : auth;
    rec.keyId = key.id;
    const req = parseClientRequest(client, text, { path: event.rawPath, query }, client.routing ? '' : subpath);
    const framing = req.stream ? client.streamFraming?.(query) : undefined;
    if (framing) out.reframe(framing);
    rec.model = req.model;
    rec.stream = req.stream;
    const found = findRoute(req.model);
    const route = found instanceof Promise ? await found : found;
    assertModelAllowed(key, req.model);
    const planned = planTranslations(protocol, req, event.headers, route);
    if (planned) await planned;

    admission = admit(key, estimateTokens(text, req.json), budgetInput(route, text, req.json));
    settle = admission.settle;
    let refused: AbortSignal | undefined;
    if (admission.waits) {
      const refusal = new AbortController();
      admission.ready.catch((err: unknown) => refusal.abort(err));
      refused = refusal.signal;
    }
    deadline = requestDeadline(cfg.totalTimeoutMs);
    const f: Flow = {
      protocol,
      client,
      event,
      req,
      route,
      out,
      heartbeat: undefined,
      attempts: rec.attempts,
      requestId,
      startedAt,
      gate: undefined,
      refused,
      total: deadline.signal,
      at: new Date(rec.time),
    };
    flow = f;
    // Streams commit as soon as the request is admitted: status, SSE headers, a first heartbeat.
    // Anything that fails later reaches the client as an error event in its protocol.
    // Non-stream requests on an `earlyCommit` route do the same with whitespace before the JSON.
    f.gate =
      req.stream || route.earlyCommit
        ? admission.ready.then(async () => {
            const headers = req.stream ? SSE_HEADERS : { 'content-type': 'application/json', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };
            out.commit(200, { ...headers, 'x-request-id': requestId, 'request-id': requestId });
            f.heartbeat = new Heartbeat(out, cfg.heartbeatMs, req.stream ? (client.streamHeartbeat ?? 'sse') : 'json');
            await f.heartbeat.start();
          })
        : admission.waits
          ? admission.ready
          : undefined;
    f.gate?.catch(() => undefined);
    const { delivery: d, cand, leg, notes } = await attempt(f);
    rec.provider = adapterFor(cand.upstream.protocol).recordName;
    rec.upstreamId = cand.upstream.id;
    rec.upstreamModel = cand.target.model;
    rec.upstreamKeyId = cand.keyId;
    rec.notes = boundNotes(notes);
    rec.status = d.status;
    rec.errorType = d.errorType;
    const early = f.priced && f.priced.usage === d.usage ? f.priced : undefined;
    rec.usage = early ? early.billed : d.usage ? billable(leg, cand, d.usage) : null;
    rec.cutShort = d.cutShort;
    rec.ttfbMs = d.firstByteAt;
    let priced = early?.result ?? priceUsage(adapterFor(cand.upstream.protocol).recordName, cand.target.model, rec.usage, f.at);
    if (priced instanceof Promise) priced = await priced;
    rec.costMicros = priced.costMicros;
    rec.priceSource = priced.priceSource;
    rec.priceVersion = priced.priceVersion;
  } catch (err) {
    const ge = asGatewayError(err, requestId);
    rec.status = ge.status;
    rec.errorType = ge.kind;
    if (!out.isCommitted) {
      await out.send(ge.status, { ...errorHeaders(ge), 'x-request-id': requestId, 'request-id': requestId }, errorBody(client, ge, requestId), { end: false });
    } else if (flow && !flow.req.stream) {
      await out.write(errorBody(client, ge, requestId)); // early-committed JSON: the error is the body
    } else {
      await out.write(errorEvent(client, ge, requestId));
    }
  } finally {
    deadline?.dispose();
    flow?.heartbeat?.stop();
    if (admission) {
      // The record carries its budget reservation so the ledger writer can settle it.
      if (admission.waits) await admission.ready.catch(() => undefined);
      const r = admission.reservation();
      if (r) rec.reservation = r;
    }
    seal(rec, startedAt);
    await out.end();
    const u = rec.usage;
    const settled = settle?.(u ? u.inputTokens + u.cacheReadTokens + u.cacheWrite5mTokens + u.cacheWrite1hTokens + u.outputTokens : null);
    if (settled) await settled;
    const persisted = persist(rec);
    if (persisted) await persisted;
  }
}

/** Usage as billed, by the upstream protocol's usage model (e.g. Messages cache-write TTLs). */
function billable(leg: Leg, cand: Candidate, u: TokenUsage): TokenUsage {
  return adapterFor(cand.upstream.protocol).usage.billable(u, leg.body);
}

async function attempt(f: Flow): Promise<{ delivery: Delivery; cand: Candidate; leg: Leg; notes: string[] }> {
  const cfg = gatewayConfig();
  const tried = new Set<string>();
  for (;;) {
    const won = await firstAnswer({
      client: f.protocol,
      event: f.event,
      req: f.req,
      route: f.route,
      attempts: f.attempts,
      requestId: f.requestId,
      refused: f.refused,
      total: f.total,
      tried,
    });
    const { cand, leg, res, abort, signal, rec, t0 } = won;
    if (f.gate) {
      try {
        await f.gate; // admitted (and committed, for streams) before any content goes out
      } catch (err) {
        abort.abort(err);
        throw err;
      }
    }
    const d = await (f.req.stream ? deliverStream : deliverJson)({
      client: f.client,
      req: f.req,
      leg,
      cand,
      route: f.route,
      res,
      out: f.out,
      heartbeat: f.heartbeat,
      abort,
      signal,
      idleTimeoutMs: cfg.idleTimeoutMs,
      requestId: f.requestId,
      startedAt: f.startedAt,
      price: (u) => {
        const billed = billable(leg, cand, u);
        const result = priceUsage(adapterFor(cand.upstream.protocol).recordName, cand.target.model, billed, f.at);
        const keep = (r: Priced): number => {
          f.priced = { usage: u, billed, result: r };
          return r.costMicros;
        };
        return result instanceof Promise ? result.then(keep) : keep(result);
      },
    });
    rec.ms = Math.round(performance.now() - t0);
    if (!d.retry) return { delivery: d, cand, leg, notes: leg.notes };
    // Failed before any content reached the client: rest the key, as a failed head would, and go on.
    abort.abort(d.retry);
    res.body.destroy();
    rec.outcome = d.retry.outcome;
    recordFailure(candidateRef(cand), undefined, true);
    log('warn', 'upstream stream failed before any content; trying the next key', { requestId: f.requestId, upstream: cand.upstream.id, upstreamKeyId: cand.keyId, outcome: d.retry.outcome });
  }
}
