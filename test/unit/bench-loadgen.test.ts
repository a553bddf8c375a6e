/**
 * The in-house load generator, in its own process (test/bench/load-client.ts), against a real
 * HTTP server on 127.0.0.1: it sends on schedule, records every request once, measures from the
 * scheduled start (a server's pause shows in the requests that came due during it), and sheds
 * what is over its in-flight bound.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoadClient, type LoadClient } from '../bench/load-client.js';

let server: Server;
let url = '';
let load: LoadClient;
let received = 0;
/** Set by a test: the event loop of this process blocks this long on the next request. */
let stallNextMs = 0;
const held: Array<() => void> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    received++;
    req.resume();
    req.on('end', () => {
      if (req.url === '/hold') return void held.push(() => res.end('{}'));
      if (stallNextMs) {
        const until = performance.now() + stallNextMs;
        stallNextMs = 0;
        while (performance.now() < until); // a server pause, as a long GC would make it
      }
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  load = await startLoadClient(process.execPath);
}, 60_000);

afterAll(async () => {
  await load.close();
  for (const h of held) h();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('load client (its own process)', () => {
  it('runs in a process other than the one that asked', () => {
    expect(load.pid).toBeGreaterThan(0);
    expect(load.pid).not.toBe(process.pid);
  });

  it('sends rate × duration requests and records each once', async () => {
    received = 0;
    const r = await load.openLoop({ url, path: '/', headers: {} }, '{}', 200, 500);
    expect(r.sent).toBe(100);
    expect(r.ok).toBe(100);
    expect(r.errors).toBe(0);
    expect(received).toBe(100);
    expect(r.latencies).toHaveLength(100);
    expect([...r.latencies].sort((a, b) => a - b)).toEqual(r.latencies);
  });

  it('measures from the scheduled start: a 150 ms server pause delays what came due during it', async () => {
    // Warm the sockets first so that the pause is the only slow thing.
    await load.openLoop({ url, path: '/', headers: {} }, '{}', 200, 200);
    stallNextMs = 150;
    const r = await load.openLoop({ url, path: '/', headers: {} }, '{}', 200, 1000);
    expect(r.ok).toBe(200);
    // At 200/s a 150 ms pause holds ~30 requests that were due; a client that waited for each
    // answer before sending the next would have seen one slow request.
    expect(r.latencies.filter((l) => l > 50).length).toBeGreaterThanOrEqual(15);
    expect(r.latencies.at(-1)).toBeGreaterThanOrEqual(140);
  });

  it('sheds, counts and does not send what is over the in-flight bound', async () => {
    received = 0;
    const pending = load.openLoop({ url, path: '/hold', headers: {} }, '{}', 200, 200, 5);
    await new Promise((r) => setTimeout(r, 400));
    expect(received).toBe(5);
    for (const h of held.splice(0)) h();
    const r = await pending;
    expect(r.sent).toBe(40);
    expect(r.shed).toBe(35);
    expect(r.ok).toBe(5);
    expect(r.latencies).toHaveLength(5);
  });

  it('closed loop: completed requests per second from every connection', async () => {
    received = 0;
    const r = await load.closedLoop({ url, path: '/', headers: {} }, '{}', 4, 300);
    expect(r.errors).toBe(0);
    expect(r.sent).toBe(received);
    expect(r.rps).toBeGreaterThan(100);
  });
});
