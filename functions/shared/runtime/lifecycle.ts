/**
 * The execution environment's lifecycle as the request path sees it: one process-wide "drain"
 * that a Web Function's SIGTERM starts (AWS Lambda docs, "Execution environment lifecycle" for
 * Web Functions: after SIGTERM the process has about one second left). Every request's total
 * deadline includes it, so on drain each in-flight upstream call is aborted and the gateway's
 * own deadline path runs: the client gets a protocol error event and a clean end, and the
 * usage record (what was delivered so far) is written before the handler returns.
 *
 * Module scope on purpose: this is state of the process, not of a request. Behind a Function
 * URL nothing ever starts a drain.
 */

let drain = new AbortController();

/**
 * The signal a request's attempts run under: its total deadline, or the drain, whichever comes
 * first. The drain's reason is a TimeoutError, the same kind the total deadline raises, so the
 * delivery code treats a shutdown exactly like reaching the deadline (which is what it is: the
 * environment's deadline).
 */
export function requestDeadline(totalMs: number): AbortSignal {
  return AbortSignal.any([AbortSignal.timeout(totalMs), drain.signal]);
}

export function beginDrain(): void {
  if (!drain.signal.aborted) drain.abort(new DOMException('The gateway instance is shutting down.', 'TimeoutError'));
}

export function isDraining(): boolean {
  return drain.signal.aborted;
}

/** Tests that drain an in-process server start the next one fresh. */
export function resetDrain(): void {
  drain = new AbortController();
}
