/**
 * The request path of POST /v1/chat/completions and POST /v1/messages (design.md, "The request
 * path inside a function"): check, authenticate, route, admit (beside the upstream call), commit
 * the stream, try upstream keys until one answers, deliver, then account — the usage record is
 * written before the handler returns, after the client's stream has ended.
 */
import { gatewayConfig } from '../config.js';
import { log } from '../logging/log.js';
import type { FunctionUrlEvent, LambdaContext, LambdaResponseStream, StreamingHandler } from '../runtime/awslambda.js';
import { ResponseWriter } from '../runtime/response.js';
import type { Route } from '../store/records.js';
import { UpstreamError } from '../upstream/errors.js';
import { healthOf, recordFailure, recordNearLimit, recordRejected, recordSuccess } from '../upstream/health.js';
import { readBody, sendUpstream, type UpstreamResponse } from '../upstream/http.js';
import { candidateRef, nextCandidate, type Candidate } from '../upstream/pool.js';
import { authHeaders, upstreamUrl } from '../upstream/providers.js';
import { KEY_REJECTED_STATUSES, nearLimitResetMs, RETRYABLE_STATUSES, retryAfterMs } from '../upstream/retry-facts.js';
import type { AttemptRecord } from '../usage/record.js';
import type { ClientProtocol, TokenUsage } from '../usage/types.js';
import { authenticate, checkOrigin, extractKey } from './auth.js';
import { deliverJson, deliverStream, type Delivery } from './deliver.js';
import { GatewayError } from './errors.js';
import { asGatewayError, finish, newRecord } from './finish.js';
import { Heartbeat } from './heartbeat.js';
import { buildLeg } from './legs.js';
import { attributeCacheWrites, priceUsage } from './pricing.js';
import { admit, estimateTokens } from './limits.js';
import { errorBody, errorEvent, errorHeaders } from './render.js';
import { decodeBody, parseClientRequest, type ClientRequest } from './request.js';
import { assertModelAllowed, findRoute } from './routes.js';

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

/** The handler for one completion endpoint; `path` is the only path it serves. */
export function completionHandler(client: ClientProtocol, fn: string, path: string): StreamingHandler {
  return (event, responseStream, context) => handleCompletion(client, fn, path, event, responseStream, context);
}

/** What one request's attempts share. */
interface Flow {
  client: ClientProtocol;
  event: FunctionUrlEvent;
  req: ClientRequest;
  route: Route;
  out: ResponseWriter;
  heartbeat: Heartbeat | undefined;
  attempts: AttemptRecord[];
  requestId: string;
  startedAt: number;
  /** Resolves once admitted (and, for streams, committed); content waits for it. */
  gate: Promise<void>;
  /** Aborted when admission refuses: every attempt stops. */
  refused: AbortSignal;
}

async function handleCompletion(
  client: ClientProtocol,
  fn: string,
  path: string,
  event: FunctionUrlEvent,
  responseStream: LambdaResponseStream,
  context: LambdaContext,
): Promise<void> {
  const startedAt = performance.now();
  const cfg = gatewayConfig();
  const requestId = context.awsRequestId;
  const out = new ResponseWriter(responseStream);
  const rec = newRecord(requestId, event, fn, client);
  let flow: Flow | undefined;
  let settle: ((tokens: number | null) => Promise<void>) | undefined;
  try {
    if (event.rawPath !== path) {
      throw new GatewayError(404, 'not_found', `No endpoint ${event.rawPath} here; this function serves ${path}.`);
    }
    const method = event.requestContext.http.method;
    if (method !== 'POST') {
      throw new GatewayError(405, 'method_not_allowed', `Method ${method} is not allowed on ${event.rawPath}; use POST.`);
    }
    checkOrigin(event.headers);
    const apiKey = extractKey(event.headers);
    if (!apiKey) {
      throw new GatewayError(401, 'authentication', 'Missing API key. Send "Authorization: Bearer <key>" or "x-api-key: <key>".');
    }
    const auth = authenticate(apiKey);
    auth.catch(() => undefined); // awaited below; decoding runs meanwhile
    const text = decodeBody(event, cfg.maxBodyBytes);
    const key = await auth;
    rec.keyId = key.id;
    const req = parseClientRequest(client, text);
    rec.model = req.model;
    rec.stream = req.stream;
    const route = await findRoute(req.model);
    assertModelAllowed(key, req.model);

    const admission = admit(key, estimateTokens(text, req.json));
    settle = admission.settle;
    const refusal = new AbortController();
    admission.ready.catch((err: unknown) => refusal.abort(err));
    const f: Flow = {
      client,
      event,
      req,
      route,
      out,
      heartbeat: undefined,
      attempts: rec.attempts,
      requestId,
      startedAt,
      gate: Promise.resolve(),
      refused: refusal.signal,
    };
    flow = f;
    // Streams commit as soon as the request is admitted: status, SSE headers, a first heartbeat.
    // Anything that fails later reaches the client as an error event in its protocol.
    f.gate = req.stream
      ? admission.ready.then(async () => {
          out.commit(200, { ...SSE_HEADERS, 'x-request-id': requestId, 'request-id': requestId });
          f.heartbeat = new Heartbeat(out, cfg.heartbeatMs);
          await f.heartbeat.start();
        })
      : admission.ready;
    f.gate.catch(() => undefined);
    const { delivery: d, cand, notes } = await attempt(f);
    rec.provider = cand.upstream.protocol;
    rec.upstreamId = cand.upstream.id;
    rec.upstreamModel = cand.target.model;
    rec.upstreamKeyId = cand.keyId;
    rec.notes = notes;
    rec.status = d.status;
    rec.errorType = d.errorType;
    rec.usage = d.usage ? billable(f, cand, d.usage) : null;
    rec.cutShort = d.cutShort;
    rec.ttfbMs = d.firstByteAt;
    const priced = await priceUsage(cand.upstream.protocol, cand.target.model, rec.usage);
    rec.costMicros = priced.costMicros;
    rec.priceSource = priced.priceSource;
    rec.priceVersion = priced.priceVersion;
  } catch (err) {
    const ge = asGatewayError(err, requestId);
    rec.status = ge.status;
    rec.errorType = ge.kind;
    if (!out.isCommitted) {
      await out.send(ge.status, { ...errorHeaders(ge), 'x-request-id': requestId, 'request-id': requestId }, errorBody(client, ge, requestId));
    } else {
      await out.write(errorEvent(client, ge, requestId));
    }
  } finally {
    flow?.heartbeat?.stop();
    await out.end();
    const u = rec.usage;
    await settle?.(u ? u.inputTokens + u.cacheReadTokens + u.cacheWrite5mTokens + u.cacheWrite1hTokens + u.outputTokens : null);
    await finish(rec, startedAt);
  }
}

/** Usage as billed: Anthropic cache writes attributed to 5 m / 1 h when the split is missing. */
function billable(f: Flow, cand: Candidate, u: TokenUsage): TokenUsage {
  return cand.upstream.protocol === 'anthropic' && f.client === 'anthropic' ? attributeCacheWrites(u, f.req.json) : u;
}

async function attempt(f: Flow): Promise<{ delivery: Delivery; cand: Candidate; notes: string[] }> {
  const cfg = gatewayConfig();
  const total = AbortSignal.timeout(cfg.totalTimeoutMs);
  const tried = new Set<string>();
  let last: { retryAfterMs?: number } | undefined;
  let soonest: number | undefined;
  const refusedError = (): unknown => (f.refused.reason instanceof GatewayError ? f.refused.reason : undefined);
  for (let n = 0; n < cfg.maxAttempts; n++) {
    const next = await nextCandidate(f.route, tried);
    soonest = next.soonestRetryMs;
    const cand = next.candidate;
    if (!cand) break;
    const ref = candidateRef(cand);
    tried.add(ref);
    const leg = buildLeg(f.client, f.req, f.event.headers, cand, f.route);
    const abort = new AbortController();
    const signal = AbortSignal.any([abort.signal, total, f.refused]);
    const rec: AttemptRecord = { upstream: cand.upstream.id, upstreamKeyId: cand.keyId, model: cand.target.model, outcome: 0, ms: 0 };
    f.attempts.push(rec);
    const t0 = performance.now();
    let res: UpstreamResponse;
    try {
      res = await sendUpstream(upstreamUrl(cand.upstream.baseUrl, leg.path), {
        method: 'POST',
        headers: { ...leg.headers, ...authHeaders(cand.upstream.protocol, cand.apiKey) },
        body: leg.body,
        signal,
        // Non-stream answers send their head only when generation is done.
        headersTimeoutMs: f.req.stream ? cfg.headersTimeoutMs : cfg.totalTimeoutMs,
      });
    } catch (err) {
      const ue = err instanceof UpstreamError ? err : new UpstreamError('connect', String(err), { retryable: true });
      rec.outcome = ue.failure;
      rec.ms = Math.round(performance.now() - t0);
      const refused = refusedError();
      if (refused) throw refused;
      if (total.aborted) throw new GatewayError(504, 'timeout', 'The request reached its total time limit before an upstream answered.');
      recordFailure(ref, undefined, true);
      last = {};
      continue;
    }
    rec.outcome = res.status;
    if (RETRYABLE_STATUSES.has(res.status) || KEY_REJECTED_STATUSES.has(res.status)) {
      await readBody(res.body, 256 * 1024).catch(() => undefined);
      rec.ms = Math.round(performance.now() - t0);
      const wait = retryAfterMs(res.headers);
      if (KEY_REJECTED_STATUSES.has(res.status)) {
        recordRejected(ref, `upstream answered ${res.status}`);
        log('warn', 'upstream key rejected; taken out of rotation', {
          requestId: f.requestId,
          upstream: cand.upstream.id,
          upstreamKeyId: cand.keyId,
          status: res.status,
        });
      } else recordFailure(ref, wait, res.status >= 500);
      last = wait !== undefined ? { retryAfterMs: wait } : {};
      continue;
    }
    recordSuccess(ref, await healthOf(ref));
    const near = nearLimitResetMs(res.headers);
    if (near !== undefined) recordNearLimit(ref, near);
    try {
      await f.gate; // admitted (and committed, for streams) before any content goes out
    } catch (err) {
      abort.abort(err);
      throw err;
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
      price: async (u) => (await priceUsage(cand.upstream.protocol, cand.target.model, billable(f, cand, u))).costMicros,
    });
    rec.ms = Math.round(performance.now() - t0);
    return { delivery: d, cand, notes: leg.notes };
  }
  await f.gate; // a refusal explains the failure better than the attempts do
  const summary = f.attempts.map((a) => `${a.upstream}/${a.upstreamKeyId} → ${a.outcome}`).join('; ');
  const waitMs = last?.retryAfterMs ?? soonest;
  const extra = waitMs !== undefined ? { retryAfterS: waitMs / 1000 } : {};
  if (f.attempts.length === 0) {
    throw new GatewayError(503, 'overloaded', `Every upstream key for '${f.req.model}' is resting after rate limits or failures; retry later.`, extra);
  }
  const allLimited = f.attempts.every((a) => a.outcome === 429);
  throw new GatewayError(
    allLimited ? 429 : 502,
    allLimited ? 'rate_limit' : 'upstream',
    `All ${f.attempts.length} upstream attempt(s) for '${f.req.model}' failed: ${summary}.`,
    extra,
  );
}
