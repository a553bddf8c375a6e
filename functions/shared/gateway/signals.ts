/**
 * What AbortSignal.any gives, without its cost on the request path. Node's composite signals
 * hold their sources through WeakRefs and a FinalizationRegistry, and a listener on one (as
 * node:http adds for its `signal` option) pins it in a process-wide set until removed; with two
 * composites per attempt that was tens of microseconds per request, mostly garbage-collector
 * work. Here the result is a plain controller's signal, aborted by a listener on each source:
 * the sources live no longer than the request, so the listeners go with it.
 *
 * Same contract as AbortSignal.any: already aborted (with the first aborted source's reason)
 * when a source is, otherwise aborted with the reason of whichever source aborts first.
 */
export function anySignal(sources: readonly AbortSignal[]): AbortSignal {
  const c = new AbortController();
  for (const s of sources) {
    if (s.aborted) {
      c.abort(s.reason);
      return c.signal;
    }
  }
  const onAbort = function (this: AbortSignal): void {
    c.abort(this.reason);
  };
  for (const s of sources) s.addEventListener('abort', onAbort, { once: true });
  return c.signal;
}
