/**
 * Every upstream attempt's outcome, classified once: either the answer (deliver it) or one
 * `UpstreamError` whose `retryable`, `status` and `retryAfterMs` are what failover and key health
 * read — nothing else decides. An exception that did not come from the upstream (a gateway bug,
 * a bad configuration) is not an UpstreamError and never reaches key health: it must not rest a
 * healthy key in the state every instance shares.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { UpstreamError } from './errors.js';
import { KEY_REJECTED_STATUSES, RETRYABLE_STATUSES, retryAfterMs } from './retry-facts.js';

/**
 * The head's verdict: undefined when the answer should go to the client (2xx, and 4xx the
 * client caused), an UpstreamError when another key should be tried.
 */
export function headOutcome(status: number, headers: IncomingHttpHeaders, failoverStatuses?: readonly number[], now = Date.now()): UpstreamError | undefined {
  const rejected = KEY_REJECTED_STATUSES.has(status);
  const retry = failoverStatuses ? failoverStatuses.includes(status) : RETRYABLE_STATUSES.has(status);
  if (!rejected && !retry) return undefined;
  const wait = retryAfterMs(headers, now);
  return new UpstreamError('status', `upstream answered ${status}`, { retryable: true, status, ...(wait !== undefined ? { retryAfterMs: wait } : {}) });
}

/** What an outcome does to the key that produced it. */
export type KeyVerdict =
  | { kind: 'disable'; reason: string }
  | { kind: 'rest'; hintMs: number | undefined; serverError: boolean }
  | { kind: 'none' };

export function keyVerdict(e: UpstreamError): KeyVerdict {
  if (e.status !== undefined && KEY_REJECTED_STATUSES.has(e.status)) return { kind: 'disable', reason: `upstream answered ${e.status}` };
  // Not retryable (aborted by the gateway: a lost hedge, the client's deadline): not the key's fault.
  if (!e.retryable) return { kind: 'none' };
  // A status without 5xx (429, 408, 409) is a limit, not a broken key; network failures count as server-side.
  return { kind: 'rest', hintMs: e.retryAfterMs, serverError: e.status === undefined || e.status >= 500 };
}

/** A thrown value from the upstream I/O, as an UpstreamError (network errors included). */
export function fromUpstreamIo(err: unknown, signal: AbortSignal): UpstreamError {
  if (err instanceof UpstreamError) return err;
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof UpstreamError ? reason : new UpstreamError('aborted', reason instanceof Error ? reason.message : 'aborted', { retryable: false });
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as NodeJS.ErrnoException).code ?? '';
  const tls = code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL');
  return new UpstreamError(tls ? 'tls' : 'connect', `${code || e.name}: ${e.message}`, { retryable: true });
}
