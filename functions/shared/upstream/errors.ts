/**
 * Why an upstream attempt failed, with what failover needs to know: may another key be tried,
 * how long this key should rest. Turned into a client-facing error only at the edge.
 */
export type UpstreamFailure = 'connect' | 'tls' | 'timeout' | 'idle' | 'aborted' | 'status' | 'protocol';

export class UpstreamError extends Error {
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly failure: UpstreamFailure,
    message: string,
    extra: { retryable: boolean; status?: number; retryAfterMs?: number },
  ) {
    super(message);
    this.name = 'UpstreamError';
    this.retryable = extra.retryable;
    this.status = extra.status;
    this.retryAfterMs = extra.retryAfterMs;
  }
}
