/**
 * One small non-stream upstream call with failover, for the endpoints beside generation (token
 * counting, embeddings): the same key pool, cooldowns and retryable statuses as the attempt loop
 * of a generation (attempts.ts), without streaming, hedging or content gating. A candidate the
 * gateway answers itself (a local token count) ends the loop without any network call.
 */
import { gatewayConfig } from '../config.js';
import { GatewayError } from '../gateway/errors.js';
import type { Route } from '../store/records.js';
import { UpstreamError } from '../upstream/errors.js';
import { healthOf, recordFailure, recordRejected, recordSuccess } from '../upstream/health.js';
import { readBody, sendUpstream } from '../upstream/http.js';
import { candidateRef, nextCandidate, type Candidate } from '../upstream/pool.js';
import { upstreamSide } from '../protocol/registry.js';
import { upstreamUrl } from '../upstream/providers.js';
import { KEY_REJECTED_STATUSES, RETRYABLE_STATUSES, retryAfterMs } from '../upstream/retry-facts.js';

export interface UnaryLeg {
  path: string;
  body: string;
  headers: Record<string, string>;
}

export type UnaryResult = { cand: Candidate; local: true } | { cand: Candidate; local: false; status: number; body: string; contentType: string; attempts: number };

/** `build` returns the request for a candidate, or 'local' when the gateway answers it itself. */
export async function callWithFailover(route: Route, model: string, build: (cand: Candidate) => UnaryLeg | 'local', signal: AbortSignal): Promise<UnaryResult> {
  const cfg = gatewayConfig();
  const tried = new Set<string>();
  const outcomes: string[] = [];
  let lastWait: number | undefined;
  while (outcomes.length < cfg.maxAttempts) {
    const { candidate: cand, soonestRetryMs } = await nextCandidate(route, tried);
    if (!cand) {
      lastWait ??= soonestRetryMs;
      break;
    }
    const ref = candidateRef(cand);
    tried.add(ref);
    const leg = build(cand);
    if (leg === 'local') return { cand, local: true };
    try {
      const res = await sendUpstream(upstreamUrl(cand.upstream.baseUrl, leg.path), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...leg.headers, ...upstreamSide(cand.upstream.protocol).authHeaders(cand.apiKey) },
        body: leg.body,
        signal,
        headersTimeoutMs: cfg.headersTimeoutMs,
      });
      const body = (await readBody(res.body)).toString('utf8');
      outcomes.push(`${cand.upstream.id}/${cand.keyId} → ${res.status}`);
      if (KEY_REJECTED_STATUSES.has(res.status)) {
        recordRejected(ref, `upstream answered ${res.status}`);
        continue;
      }
      if (RETRYABLE_STATUSES.has(res.status)) {
        lastWait = retryAfterMs(res.headers) ?? lastWait;
        recordFailure(ref, retryAfterMs(res.headers), res.status >= 500);
        continue;
      }
      recordSuccess(ref, await healthOf(ref));
      const ct = res.headers['content-type'];
      return { cand, local: false, status: res.status, body, contentType: (Array.isArray(ct) ? ct[0] : ct) ?? 'application/json', attempts: outcomes.length };
    } catch (err) {
      if (signal.aborted) throw new GatewayError(504, 'timeout', 'The request reached its total time limit before an upstream answered.');
      outcomes.push(`${cand.upstream.id}/${cand.keyId} → ${err instanceof UpstreamError ? err.failure : 'connect'}`);
      recordFailure(ref, undefined, true);
    }
  }
  const extra = lastWait !== undefined ? { retryAfterS: lastWait / 1000 } : {};
  if (!outcomes.length) throw new GatewayError(503, 'overloaded', `Every upstream key for '${model}' is resting after rate limits or failures; retry later.`, extra);
  const limited = outcomes.every((o) => o.endsWith('→ 429'));
  throw new GatewayError(limited ? 429 : 502, limited ? 'rate_limit' : 'upstream', `All ${outcomes.length} upstream attempt(s) for '${model}' failed: ${outcomes.join('; ')}.`, extra);
}
