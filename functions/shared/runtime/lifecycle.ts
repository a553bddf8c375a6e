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

import { LiveSet } from './live-set.js';

let drain = new AbortController();
/** The deadline of every request still running, so that a drain reaches each of them (a list, not a Set: live-set.ts). */
const running = new LiveSet<AbortController>();

export interface Deadline {
  readonly signal: AbortSignal;
  /** The request is over: its timer goes and the drain forgets it. */
  dispose(): void;
}

const NO_OP = (): void => undefined;

/**
 * The signal a request's attempts run under: its total deadline, or the drain, whichever comes
 * first. The drain's reason is a TimeoutError, the same kind the total deadline raises, so the
 * delivery code treats a shutdown exactly like reaching the deadline (which is what it is: the
 * environment's deadline).
 *
 * One controller and one timer, cleared by dispose() when the request ends, rather than
 * AbortSignal.any over AbortSignal.timeout: those keep a timer per request for the whole
 * total time (14 minutes by default) and are released only by the garbage collector through
 * WeakRefs and a FinalizationRegistry, which cost more CPU per request than the rest of the
 * deadline handling together.
 */
export function requestDeadline(totalMs: number): Deadline {
  const c = new AbortController();
  if (drain.signal.aborted) {
    c.abort(drain.signal.reason);
    return { signal: c.signal, dispose: NO_OP };
  }
  // The reason AbortSignal.timeout gives (delivery tells a deadline from other aborts by it).
  const timer = setTimeout(() => c.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), totalMs);
  timer.unref();
  const entry = running.add(c);
  return {
    signal: c.signal,
    dispose() {
      clearTimeout(timer);
      running.delete(entry);
    },
  };
}

export function beginDrain(): void {
  if (drain.signal.aborted) return;
  drain.abort(new DOMException('The gateway instance is shutting down.', 'TimeoutError'));
  for (const c of running.values()) c.abort(drain.signal.reason);
  running.clear();
}

export function isDraining(): boolean {
  return drain.signal.aborted;
}

/** Tests that drain an in-process server start the next one fresh. */
export function resetDrain(): void {
  drain = new AbortController();
}
