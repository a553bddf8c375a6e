/**
 * The bounded fuzz run inside `npm test`: every hand-written case (methods, paths, encodings,
 * sizes at and over each limit, broken framing) and a few hundred fast-check requests over every
 * endpoint, against the whole local gateway over raw sockets. Client input never gets a 5xx, and
 * every answer is in the endpoint's own protocol. The long run: `npm run fuzz -- --runs 20000`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../helpers/stack.js';
import { startStack } from '../helpers/stack.js';
import { expectedShape, judge, rawRequest } from './harness.js';
import { FUZZ_MAX_BODY_BYTES, fuzz } from './run.js';

let s: Stack;
beforeAll(async () => {
  s = await startStack({ EZYBUS_MAX_BODY_BYTES: String(FUZZ_MAX_BODY_BYTES), EZYBUS_HEARTBEAT_MS: '60000' });
});
afterAll(async () => s?.close());

describe('fuzz: client input never causes a 5xx, and every answer speaks the endpoint’s protocol', () => {
  it('cases found by the fuzzer stay fixed', async () => {
    const auth = { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' };
    const cases = [
      { method: 'GET', path: '/v1/models/%zz', headers: auth, status: 400 },
      { method: 'GET', path: '/v1/models/%E0%A4%A', headers: { ...auth, 'anthropic-version': '2023-06-01' }, status: 400 },
      { method: 'GET', path: '/v1/nothing-here', headers: auth, status: 404 },
      // Duplicate keys: JSON.parse keeps the last, and so does the pass-through model edit.
      { method: 'POST', path: '/v1/chat/completions', headers: auth, body: '{"model":1,"messages":[{"role":"user","content":"hi"}],"model":"gpt-test"}', status: 200 },
      { method: 'POST', path: '/v1/messages', headers: { ...auth, 'anthropic-version': '2023-06-01' }, body: '{"model":"x","model":"claude-test","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}', status: 200 },
    ];
    for (const c of cases) {
      const r = await rawRequest(s.url, c);
      expect({ path: c.path, status: r.status }).toEqual({ path: c.path, status: c.status });
      expect(judge(expectedShape(c.path, c.headers), r, c.method)).toEqual({ ok: true });
    }
  });

  it('a bounded run: hand-written cases plus generated bodies and headers', async () => {
    const seed = Number(process.env.EZYBUS_FUZZ_SEED ?? 20261201);
    const f = await fuzz(s, { runs: Number(process.env.EZYBUS_FUZZ_RUNS ?? 400), seed });
    expect(f.failures, `seed ${seed}`).toEqual([]);
    expect(f.fiveXx).toBe(0);
    expect(f.nonProtocol).toBe(0);
    // The run reached past authentication and validation, not just the first checks.
    expect(f.status['200'] ?? 0).toBeGreaterThan(20);
    expect(f.status['400'] ?? 0).toBeGreaterThan(20);
    expect(f.status['413'] ?? 0).toBeGreaterThanOrEqual(4);
  }, 120_000);
});
