/**
 * A gateway key in steady use never waits for the store at its cache TTL (gateway/auth.ts): its
 * entry is read again beside a request once it is three quarters through its TTL. Here the
 * store answers key reads (GetItem) 300 ms late; requests of a warm key go on every 50 ms across
 * the TTL. Before the read-ahead, the first request after the TTL waited for that read, and
 * every request behind it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MODELS, startStack, type Stack } from '../helpers/stack.js';

const TTL = 2000;
const STORE_DELAY_MS = 300;
let s: Stack;
let slow = false;
let keyReads = 0;

beforeAll(async () => {
  s = await startStack({ EZYBUS_CACHE_TTL_MS: String(TTL) });
  const store = s.gw.storeServer;
  if (!store) throw new Error('the stack runs its own store');
  const [dynalite] = store.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  if (!dynalite) throw new Error('no store handler');
  store.removeAllListeners('request');
  store.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (slow && String(req.headers['x-amz-target'] ?? '').endsWith('.GetItem')) {
      keyReads++;
      setTimeout(() => dynalite.call(store, req, res), STORE_DELAY_MS);
    } else dynalite.call(store, req, res);
  });
});
afterAll(async () => s?.close());

async function timedChat(): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${s.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${s.key}` },
    body: JSON.stringify({ model: MODELS.openai, messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }),
  });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  return performance.now() - t0;
}

it('a key in steady use is read again before its TTL ends, beside a request, not in front of one', async () => {
  await timedChat(); // the key's first read, at full speed
  slow = true;
  const times: number[] = [];
  const until = performance.now() + TTL * 1.4;
  while (performance.now() < until) {
    times.push(await timedChat());
    await new Promise((r) => setTimeout(r, 50));
  }
  slow = false;
  expect(keyReads).toBeGreaterThanOrEqual(1); // the read-ahead went to the (slow) store
  expect(Math.max(...times)).toBeLessThan(STORE_DELAY_MS * 0.66);
}, 30_000);
