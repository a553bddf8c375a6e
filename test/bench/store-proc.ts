/**
 * Benchmark child: the DynamoDB-API store (dynalite) in its own process. In production the store
 * is a managed service on other machines; here it must share a core, and it must not share the
 * load generator's event loop (its work would delay the timers and reads that measure latency).
 * It runs niced on the load generator's core, and counts the calls it serves — when each
 * arrived and which operation — for the bench's "no store call between chunks" check and for
 * quiescing between phases.
 */
import { writeSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startStore } from '../../local/gateway.js';

const store = await startStore('127.0.0.1', undefined);
const calls: Array<{ at: number; op: string }> = [];
let inflight = 0;
// Sits in front of dynalite's own handler: every call is seen and passed on unchanged — or,
// while `hold` is on, queued until it is switched off (the bench streams with the store held
// to show that no store call is awaited between a stream's chunks).
const dynalite = store.server.listeners('request') as Array<(...a: unknown[]) => void>;
store.server.removeAllListeners('request');
let hold = false;
const held: Array<() => void> = [];
store.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
  calls.push({ at: performance.timeOrigin + performance.now(), op: String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '' });
  inflight++;
  res.once('close', () => inflight--);
  const pass = (): void => {
    for (const h of dynalite) h.call(store.server, req, res);
  };
  if (!hold) return pass();
  req.pause();
  held.push(() => {
    pass();
    req.resume();
  });
});
const stats = createServer((req, res) => {
  const q = new URL(req.url ?? '/', 'http://x').searchParams;
  if (q.has('hold')) {
    hold = q.get('hold') === '1';
    if (!hold) for (const release of held.splice(0)) release();
  }
  const since = Number(q.get('since') ?? NaN);
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(Number.isNaN(since) ? { n: calls.length, inflight } : { n: calls.length, inflight, calls: calls.slice(since) }));
});
await new Promise<void>((r) => stats.listen(0, '127.0.0.1', r));
writeSync(3, JSON.stringify({ url: store.endpoint, stats: `http://127.0.0.1:${(stats.address() as AddressInfo).port}` }) + '\n');
process.once('SIGTERM', () => void store.close().then(() => process.exit(0)));
