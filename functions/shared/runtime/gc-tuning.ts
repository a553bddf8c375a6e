/**
 * V8's allocation-site pretenuring, turned off once per process, at module init (edge-config.ts).
 *
 * Why: a gateway request builds a graph of short-lived objects (the server's request and
 * response, the response stream, headers, the handler's promises and closures), and a few of
 * them are alive when a scavenge runs. V8's pretenuring feedback then marks their allocation
 * sites as long-lived and allocates those objects straight in the old generation; each one is
 * written with pointers to younger objects of its request, and the remembered set keeps those
 * alive through every scavenge until a full mark-sweep finds the whole graph dead. Measured with
 * the focused benchmark (`scripts/hot-path.ts --gc`: a V8 GC profiler in the gateway process, 8
 * connections, non-stream): each scavenge of a 54 MiB new space promoted 5 MiB and took 12–13 ms,
 * and the old generation needed a mark-sweep every ~2 s; with pretenuring off, about nothing is
 * promoted and a scavenge takes 1.5–2 ms. A single extra `once('error')` listener on the response
 * stream was enough to tip a bare handler into it: a property of the workload, not one line to
 * fix (the in-flight lists, live-set.ts, were a second, separate cause).
 *
 * Why this way: Lambda's NODE_OPTIONS admits no V8 flag but the heap sizes, so the flag is set
 * from inside (`v8.setFlagsFromString`; V8 reads it at each scavenge). Why at init and not after
 * the first request: a site V8 has already marked stays marked when the flag goes off, and the
 * init's own work (and, locally, the store's setup) runs scavenges. node:v8 costs ≈ 0.3 ms to
 * load once node:http is loaded (Lambda's runtime client has loaded it before the handler).
 */
import { gatewayConfig } from '../config.js';

let done = false;

/** Sets the flag on the first call (a process loads several handler modules in Web Functions mode). */
export function tuneGc(): void {
  if (done) return;
  done = true;
  if (gatewayConfig().v8Pretenuring) return;
  process.getBuiltinModule('node:v8').setFlagsFromString('--no-allocation-site-pretenuring');
}
