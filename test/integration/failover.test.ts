/**
 * Upstream key pools and failover on the simulator's fault scripts (key directives choose the
 * fault per upstream key): invisible failover, retry-after, cooldowns shared across instances,
 * disabled keys, probes, all-failed errors, mid-stream failures and hedging.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUpstream, addUpstreamKey, setRoute } from '../../functions/shared/admin/ops.js';
import { dataLines, readAll, startSecondInstance, startStack, until, type Stack } from '../helpers/stack.js';

let s: Stack;
beforeAll(async () => {
  s = await startStack({ EZYBUS_FAILURES_BEFORE_PROBE: '3', EZYBUS_PROBE_AFTER_MS: '300', EZYBUS_CACHE_TTL_MS: '200' });
});
afterAll(async () => s?.close());

let n = 0;
/** A route of its own with the given upstream keys (key = simulator directives after ';'). */
async function pool(protocol: 'openai' | 'anthropic', keys: string[], extra: Parameters<typeof setRoute>[2] = {}): Promise<string> {
  const id = `pool-${++n}`;
  await addUpstream(id, protocol, s.sim.url);
  for (const [i, k] of keys.entries()) await addUpstreamKey(id, k, `k${i + 1}`);
  const model = `${id}-model`;
  await setRoute(model, [{ upstream: id, model: `${protocol}-sim` }], extra);
  await new Promise((r) => setTimeout(r, 250)); // past the route cache TTL of this file
  return model;
}

function chat(model: string, extra: Record<string, unknown> = {}, url = s.url): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${s.key}` },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], ...extra }),
  });
}
function messages(model: string, extra: Record<string, unknown> = {}): Promise<Response> {
  return fetch(`${s.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': s.key, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model, max_tokens: 32, messages: [{ role: 'user', content: 'hi' }], ...extra }),
  });
}
const keysSeen = (from: number): string[] => s.sim.received.slice(from).map((r) => (r.apiKey ?? '').split(';')[0] ?? '');

describe('failover', () => {
  it('three keys, two failing at random (429, 503, resets): a long run with zero client-visible errors', async () => {
    const model = await pool('openai', ['sim-a;fail=429&fail_rate=0.5&retry_after=1', 'sim-b;fail=503&fail_rate=0.4&reset_rate=0.3', 'sim-c']);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const stream = i % 2 === 0;
      const res = await chat(model, stream ? { stream: true } : {});
      const body = await res.text();
      statuses.push(res.status);
      if (stream) expect(body).not.toContain('"error"');
    }
    expect(statuses.every((x) => x === 200)).toBe(true);
    // The faults did happen: failovers are in the usage records.
    const failovers = s.logs.map((l) => JSON.parse(l) as { msg: string; model?: string; Failovers?: number }).filter((l) => l.msg === 'request' && l.model === model);
    expect(failovers.reduce((n, l) => n + (l.Failovers ?? 0), 0)).toBeGreaterThanOrEqual(2);
  });

  it('Anthropic 529 fails over too', async () => {
    const model = await pool('anthropic', ['sim-x;fail=529', 'sim-y']);
    const res = await messages(model);
    expect(res.status).toBe(200);
  });

  it('honours retry-after to the second', async () => {
    const model = await pool('openai', ['sim-r1;fail=429&retry_after=2&fail_times=1', 'sim-r2']);
    const from = s.sim.received.length;
    expect((await chat(model)).status).toBe(200); // r1 → 429 (2 s), then r2
    const t0 = Date.now();
    while (Date.now() - t0 < 1500) expect((await chat(model)).status).toBe(200);
    expect(keysSeen(from).filter((k) => k === 'sim-r1')).toHaveLength(1); // rested while cooling
    await new Promise((r) => setTimeout(r, 2100 - (Date.now() - t0)));
    for (let i = 0; i < 4; i++) await chat(model);
    expect(keysSeen(from).filter((k) => k === 'sim-r1').length).toBeGreaterThan(1); // back after 2 s
  });

  it('a second gateway instance on the same store skips a key the first one cooled down', async () => {
    const model = await pool('openai', ['sim-s1;fail=429&retry_after=30', 'sim-s2']);
    expect((await chat(model)).status).toBe(200); // instance 1 learns: s1 rests 30 s
    await new Promise((r) => setTimeout(r, 100));
    const second = await startSecondInstance(s, { EZYBUS_CACHE_TTL_MS: '200' });
    try {
      const from = s.sim.received.length;
      for (let i = 0; i < 6; i++) expect((await chat(model, {}, second.url)).status).toBe(200);
      expect(keysSeen(from)).not.toContain('sim-s1');
    } finally {
      await second.close();
    }
  });

  it('a key answered with 401 is disabled and stays out of rotation', async () => {
    const model = await pool('openai', ['sim-bad;fail=401', 'sim-good']);
    const from = s.sim.received.length;
    for (let i = 0; i < 6; i++) expect((await chat(model)).status).toBe(200);
    expect(keysSeen(from).filter((k) => k === 'sim-bad')).toHaveLength(1);
  });

  it('a key disabled after repeated 5xx returns after a successful probe', { timeout: 20_000 }, async () => {
    const model = await pool('openai', ['sim-p1;fail=500&fail_times=3', 'sim-p2']);
    const from = s.sim.received.length;
    const p1 = (since: number): number => keysSeen(since).filter((k) => k === 'sim-p1').length;
    // Keep traffic flowing until p1 has failed three times (it rests between failures).
    const t0 = Date.now();
    while (p1(from) < 3 && Date.now() - t0 < 15_000) expect((await chat(model)).status).toBe(200);
    expect(p1(from)).toBe(3);
    // Now disabled: no traffic to it until the probe delay (300 ms here) has passed. Counted
    // by arrival time at the simulator, so a slow machine (requests past the delay are probes,
    // rightly) cannot fail it.
    const disabledAt = s.sim.received.filter((r) => r.apiKey?.startsWith('sim-p1;')).at(-1)?.at ?? 0;
    const mid = s.sim.received.length;
    for (let i = 0; i < 4; i++) expect((await chat(model)).status).toBe(200);
    expect(s.sim.received.slice(mid).filter((r) => r.apiKey?.startsWith('sim-p1;') && r.at < disabledAt + 300)).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 350));
    const late = s.sim.received.length;
    for (let i = 0; i < 6; i++) expect((await chat(model)).status).toBe(200);
    // One probe succeeded (the key's failures are over), so it is back in the rotation.
    expect(p1(late)).toBeGreaterThanOrEqual(2);
  });

  it('when every target fails: one clear error in each client protocol, naming the attempts', async () => {
    const oa = await pool('openai', ['sim-f1;fail=503', 'sim-f2;fail=502']);
    const res = await chat(oa);
    expect(res.status).toBe(502);
    const err = ((await res.json()) as { error: { message: string; type: string } }).error;
    expect(err.type).toBe('server_error');
    expect(err.message).toMatch(/All 2 upstream attempt\(s\).*k1 → 503.*k2 → 502/);
    const an = await pool('anthropic', ['sim-g1;fail=429&retry_after=7', 'sim-g2;fail=429&retry_after=5']);
    const res2 = await messages(an);
    expect(res2.status).toBe(429);
    expect(res2.headers.get('retry-after')).toBe('5');
    expect(((await res2.json()) as { error: { type: string } }).error.type).toBe('rate_limit_error');
    const stream = await chat(oa, { stream: true });
    const text = (await readAll(stream)).text;
    expect(JSON.parse(dataLines(text).pop()!)).toMatchObject({ error: { type: expect.any(String) } });
  });

  it('mid-stream failure: a protocol error event, a clean end, and the partial answer billed', async () => {
    const oa = await pool('openai', ['sim-m;reset_after=4&tokens=20&gap_ms=15']);
    const r1 = await readAll(await chat(oa, { stream: true }));
    const last = JSON.parse(dataLines(r1.text).pop()!) as { error?: { message: string } };
    expect(last.error?.message).toBeTruthy();
    expect(r1.text).not.toContain('[DONE]');
    const an = await pool('anthropic', ['sim-n;reset_after=6&tokens=20&gap_ms=15']);
    const r2 = await readAll(await messages(an, { stream: true }));
    expect(r2.text).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"api_error"/);
    expect(r2.text.trimEnd().endsWith('}')).toBe(true);
    await s.gw.runtime.settled(); // both records are in the log
    const records = s.logs
      .map((l) => JSON.parse(l) as { msg: string; record?: { model: string; cutShort: string | null; usage: { outputTokens: number; estimated: boolean } | null } })
      .filter((l) => l.msg === 'request' && (l.record?.model === oa || l.record?.model === an));
    expect(records).toHaveLength(2);
    for (const l of records) {
      expect(l.record?.cutShort).toBe('upstream');
      expect(l.record?.usage?.outputTokens).toBeGreaterThan(0); // what was produced is billed
      expect(l.record?.usage?.estimated).toBe(true);
    }
  });

  it('hedging: a slow first attempt loses to a second key, and the simulator sees it aborted', async () => {
    const model = await pool('openai', ['sim-slow;ttft_ms=3000', 'sim-fast'], { hedgeAfterMs: 150 });
    const from = s.sim.received.length;
    const t0 = performance.now();
    const res = await chat(model, { stream: true });
    const { text } = await readAll(res);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(text).toContain('[DONE]');
    await until(() => s.sim.received.slice(from).find((r) => r.apiKey?.startsWith('sim-slow'))?.aborted === true, 'the simulator to see the slow attempt aborted');
  });
});
