/**
 * Trying upstream keys until one answers (design invariant 4: failover is invisible).
 *
 * Each launch sends the request to one candidate and classifies its outcome once
 * (upstream/outcome.ts): a retryable status (429, 5xx, 529 — or the route's own set), a rejected
 * key (401/403) or a network failure becomes one UpstreamError, which alone decides whether the
 * key rests (for its retry-after), is disabled, and whether another key is tried; anything else
 * is the answer. An exception that is not an UpstreamError is a gateway bug: it ends the request
 * (500) and never touches key health. Retries happen only here, before any content reached the
 * client.
 *
 * Hedging (opt-in per route, `hedgeAfterMs`): when the first launch has produced no content
 * within the threshold, a second launch starts on another key; the first to produce content
 * wins and the other is aborted. Content means the first body bytes for streams (a stream's
 * head arrives before the model's first token) and the head for non-stream answers. Both
 * attempts are in the usage record; the loser is marked so its upstream cost is visible.
 */
import { events, stream } from '../runtime/builtins.js';
import { hasOrgBoundReasoning, isEncryptedContentRefusal } from '../protocol/responses/failover.js';
import { gatewayConfig } from '../config.js';
import { log } from '../logging/log.js';
import { UpstreamError } from '../upstream/errors.js';
import { healthOf, recordFailure, recordNearLimit, recordRejected, recordSuccess } from '../upstream/health.js';
import { readBody, sendUpstream, type UpstreamResponse } from '../upstream/http.js';
import { candidateRef, nextCandidate, type Candidate } from '../upstream/pool.js';
import { upstreamUrl } from '../upstream/providers.js';
import { fromUpstreamIo, headOutcome, keyVerdict } from '../upstream/outcome.js';
import { nearLimitResetMs } from '../upstream/retry-facts.js';
import type { AttemptRecord } from '../usage/record.js';
import { upstreamSide } from '../protocol/registry.js';
import type { WireProtocol } from '../protocol/wire.js';
import { GatewayError } from './errors.js';
import { buildLeg, type Leg } from './legs.js';
import { anySignal } from './signals.js';
import type { ClientRequest } from './request.js';
import type { FunctionUrlEvent } from '../runtime/awslambda.js';
import type { Route } from '../store/records.js';

const { once } = events;
const { Readable } = stream;

export interface AttemptContext {
  client: WireProtocol;
  event: FunctionUrlEvent;
  req: ClientRequest;
  route: Route;
  attempts: AttemptRecord[];
  requestId: string;
  /** Aborted when admission refuses: every attempt stops. Absent when there is nothing to refuse (a key without limits). */
  refused?: AbortSignal;
  total: AbortSignal;
  /** Keys already tried for this request (kept across calls when a stream fails before content). */
  tried?: Set<string>;
}

export interface Won {
  cand: Candidate;
  leg: Leg;
  res: UpstreamResponse;
  abort: AbortController;
  signal: AbortSignal;
  rec: AttemptRecord;
  t0: number;
}

type Launch = { ok: true; won: Won } | { ok: false; error: UpstreamError };

/** Resolves once a body has bytes to read (or has ended), without consuming them. */
async function contentReady(res: UpstreamResponse, signal: AbortSignal): Promise<void> {
  const body = res.body;
  while (body.readableLength === 0 && !body.readableEnded && !body.destroyed) {
    signal.throwIfAborted();
    await Promise.race([once(body, 'readable', { signal }), once(body, 'end', { signal }), once(body, 'close', { signal })]);
  }
}

/** The one place an outcome reaches key health (shared by every instance). */
function judgeKey(ctx: AttemptContext, cand: Candidate, e: UpstreamError): void {
  const ref = candidateRef(cand);
  const v = keyVerdict(e);
  if (v.kind === 'disable') {
    recordRejected(ref, v.reason);
    log('warn', 'upstream key rejected; taken out of rotation', { requestId: ctx.requestId, upstream: cand.upstream.id, upstreamKeyId: cand.keyId, status: e.status });
  } else if (v.kind === 'rest') recordFailure(ref, v.hintMs, v.serverError);
}

/**
 * One attempt on one key. Only the upstream's own I/O (the request, its head, its first body
 * bytes) can produce an UpstreamError; anything else thrown here is a gateway bug and leaves the
 * key's health alone.
 */
async function launch(ctx: AttemptContext, cand: Candidate, waitForContent: boolean, abort = new AbortController(), strip = false): Promise<Launch> {
  const cfg = gatewayConfig();
  const ref = candidateRef(cand);
  // After a first attempt on another key, reasoning encrypted for that key's organisation goes.
  const leg = buildLeg(ctx.client, ctx.req, ctx.event.headers, cand, ctx.route, ctx.event.rawQueryString, strip || ctx.attempts.length > 0);
  const url = upstreamUrl(cand.upstream.baseUrl, leg.path);
  const signal = anySignal(ctx.refused ? [abort.signal, ctx.total, ctx.refused] : [abort.signal, ctx.total]);
  const rec: AttemptRecord = { upstream: cand.upstream.id, upstreamKeyId: cand.keyId, model: cand.target.model, outcome: 0, ms: 0 };
  ctx.attempts.push(rec);
  const t0 = performance.now();
  let res: UpstreamResponse;
  try {
    res = await sendUpstream(url, {
      method: 'POST',
      headers: { ...leg.headers, ...upstreamSide(cand.upstream.protocol).authHeaders(cand.apiKey) },
      body: leg.body,
      signal,
      // Non-stream answers send their head only when generation is done.
      headersTimeoutMs: ctx.req.stream ? cfg.headersTimeoutMs : cfg.totalTimeoutMs,
    });
    rec.outcome = res.status;
    if (!strip && res.status === 400 && leg.passThrough && leg.upstreamProtocol === 'responses' && hasOrgBoundReasoning(leg.body)) {
      // Another organisation's encrypted reasoning: the same key, once, without it (docs/responses.md).
      const raw = (await readBody(res.body, 256 * 1024)).toString('utf8');
      if (isEncryptedContentRefusal(res.status, raw)) {
        rec.ms = Math.round(performance.now() - t0);
        return launch(ctx, cand, waitForContent, abort, true);
      }
      // Any other 400 is the answer: its bytes, already read, are relayed as read (deliver only streams the body).
      res.body = Readable.from([Buffer.from(raw)]) as UpstreamResponse['body'];
    }
    const refused = headOutcome(res.status, res.headers, ctx.route.failoverStatuses);
    if (refused) {
      await readBody(res.body, 256 * 1024).catch(() => undefined);
      throw refused;
    }
    if (waitForContent && res.status === 200) await contentReady(res, signal).catch((err: unknown) => Promise.reject(fromUpstreamIo(err, signal)));
  } catch (err) {
    rec.ms = Math.round(performance.now() - t0);
    if (ctx.refused?.aborted && ctx.refused.reason instanceof GatewayError) throw ctx.refused.reason;
    if (ctx.total.aborted) throw new GatewayError(504, 'timeout', 'The request reached its total time limit before an upstream answered.');
    if (abort.signal.aborted) {
      rec.outcome = 'hedge-lost';
      return { ok: false, error: new UpstreamError('aborted', 'lost the hedge', { retryable: false }) };
    }
    if (!(err instanceof UpstreamError)) throw err; // a gateway bug: the request fails, the key stays healthy
    if (err.status === undefined) rec.outcome = err.failure;
    judgeKey(ctx, cand, err);
    return { ok: false, error: err };
  }
  const known = healthOf(ref);
  recordSuccess(ref, known instanceof Promise ? await known : known);
  const near = nearLimitResetMs(res.headers);
  if (near !== undefined) recordNearLimit(ref, near);
  return { ok: true, won: { cand, leg, res, abort, signal, rec, t0 } };
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

/** Tries candidates until one answers; throws one GatewayError naming every attempt when none does. */
export async function firstAnswer(ctx: AttemptContext): Promise<Won> {
  const cfg = gatewayConfig();
  const tried = ctx.tried ?? new Set<string>();
  let lastWait: number | undefined;
  let soonest: number | undefined;
  const took = (n: { candidate: Candidate | null; soonestRetryMs: number | undefined }): Candidate | null => {
    soonest = n.soonestRetryMs;
    if (n.candidate) tried.add(candidateRef(n.candidate));
    return n.candidate;
  };
  // A value when the pool's caches are warm (no promise on the warm path), else a promise.
  const next = (): Candidate | null | Promise<Candidate | null> => {
    if (ctx.attempts.length >= cfg.maxAttempts) return null;
    const n = nextCandidate(ctx.route, tried);
    return n instanceof Promise ? n.then(took) : took(n);
  };
  const hedgeAfter = ctx.route.hedgeAfterMs;
  for (;;) {
    const c = next();
    const cand = c instanceof Promise ? await c : c;
    if (!cand) break;
    const abortFirst = new AbortController();
    const first = launch(ctx, cand, hedgeAfter !== undefined && ctx.req.stream, abortFirst);
    let result: Launch;
    if (hedgeAfter === undefined) result = await first;
    else {
      const settled = new AbortController();
      const raced = await Promise.race([first.then((r) => ({ r })), sleep(hedgeAfter, settled.signal).then(() => null)]);
      settled.abort();
      if (raced) result = raced.r;
      else {
        const second = await next();
        if (!second) result = await first;
        else {
          const abortSecond = new AbortController();
          result = await hedge([first, launch(ctx, second, ctx.req.stream, abortSecond)], [abortFirst, abortSecond]);
        }
      }
    }
    if (result.ok) return result.won;
    lastWait = result.error.retryAfterMs ?? lastWait;
    // Another key cannot help with what the upstream said is not worth retrying.
    if (!result.error.retryable) break;
  }
  const summary = ctx.attempts.map((a) => `${a.upstream}/${a.upstreamKeyId} → ${a.outcome}`).join('; ');
  const waitMs = lastWait ?? soonest;
  const extra = waitMs !== undefined ? { retryAfterS: waitMs / 1000 } : {};
  if (ctx.attempts.length === 0) {
    throw new GatewayError(503, 'overloaded', `Every upstream key for '${ctx.req.model}' is resting after rate limits or failures; retry later.`, extra);
  }
  const allLimited = ctx.attempts.every((a) => a.outcome === 429);
  throw new GatewayError(
    allLimited ? 429 : 502,
    allLimited ? 'rate_limit' : 'upstream',
    `All ${ctx.attempts.length} upstream attempt(s) for '${ctx.req.model}' failed: ${summary}.`,
    extra,
  );
}

/** Two launches in flight: the first to succeed wins and the other is aborted at once. */
async function hedge(launches: [Promise<Launch>, Promise<Launch>], aborts: [AbortController, AbortController]): Promise<Launch> {
  const tagged = launches.map((p, i) => p.then((r) => ({ i, r })));
  const firstDone = await Promise.race(tagged);
  let winner = firstDone;
  if (!firstDone.r.ok) winner = (await tagged[1 - firstDone.i]) as { i: number; r: Launch };
  if (winner.r.ok) {
    const loser = 1 - winner.i;
    aborts[loser]?.abort(new UpstreamError('aborted', 'lost the hedge', { retryable: false }));
    // A loser that had already answered holds an open body: release it.
    void (launches[loser] as Promise<Launch>).then((r) => {
      if (r.ok) {
        r.won.res.body.destroy();
        r.won.rec.outcome = 'hedge-lost';
        r.won.rec.ms = Math.round(performance.now() - r.won.t0);
      }
    }, () => undefined);
  }
  return winner.r;
}
