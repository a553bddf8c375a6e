/**
 * A gateway key in steady use never waits for the store at its cache TTL (gateway/auth.ts): its
 * entry is read again beside a request once it is three quarters through its TTL. Here the
 * store answers key reads (GetItem) 300 ms late; requests of a warm key go on every 50 ms across
 * the TTL. Before the read-ahead, the first request after the TTL waited for that read, and
 * every request behind it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGatewayKey } from '../../functions/shared/admin/ops.js';
import { hashKey } from '../../functions/shared/gateway/auth.js';
import { MODELS, startStack, type Stack } from '../helpers/stack.js';

const TTL = 2000;
const STORE_DELAY_MS = 300;
let s: Stack;
let slow = false;
/** Key reads are refused by the store (a ValidationException: the client does not retry it). */
let refuse = false;
let keyReads = 0;

beforeAll(async () => {
  s = await startStack({ EZYBUS_CACHE_TTL_MS: String(TTL) });
  const store = s.gw.storeServer;
  if (!store) throw new Error('the stack runs its own store');
  const [dynalite] = store.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  if (!dynalite) throw new Error('no store handler');
  store.removeAllListeners('request');
  store.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const getItem = String(req.headers['x-amz-target'] ?? '').endsWith('.GetItem');
    if (refuse && getItem) {
      req.resume();
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ValidationException', message: 'the test refuses key reads' }));
      return;
    }
    if (slow && getItem) {
      keyReads++;
      setTimeout(() => dynalite.call(store, req, res), STORE_DELAY_MS);
    } else dynalite.call(store, req, res);
  });
});
afterAll(async () => s?.close());

async function timedChat(key = s.key): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${s.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
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

it('a read-ahead the store refuses: the key keeps working until its TTL, and the failure is in the log without the key', async () => {
  const { key } = await createGatewayKey({ name: 'read-ahead-refused' });
  const start = performance.now();
  await timedChat(key); // its first read, answered
  refuse = true;
  const from = s.logs.length;
  try {
    // Past the refresh point (¾ of the TTL), short of the TTL itself.
    while (performance.now() - start < TTL * 0.9) {
      await timedChat(key); // asserts 200 each time
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    refuse = false;
  }
  const lines = s.logs.slice(from).filter((l) => l.includes('read-ahead failed'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain('the test refuses key reads');
  expect(lines[0]).not.toContain(key);
  expect(lines[0]).not.toContain(hashKey(key));
}, 30_000);
