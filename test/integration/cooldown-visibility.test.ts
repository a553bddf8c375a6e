/**
 * The documented bound (README, "Limits"): a key cooled by one instance is skipped by the others
 * within 2 s of the cooldown's write — after an idle spell too, when the other instance's view
 * of key health is older than the bound (a Lambda environment thawed after a quiet spell). Two
 * gateway instances on one store; the route prefers key A (tier 0), which always answers 429
 * with retry-after 30 s, over key B (tier 1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUpstream, addUpstreamKey, setRoute } from '../../functions/shared/admin/ops.js';
import { listHealth } from '../../functions/shared/upstream/health.js';
import { MODELS, startSecondInstance, startStack, type SecondInstance, type Stack } from '../helpers/stack.js';

let s: Stack;
let second: SecondInstance;
beforeAll(async () => {
  s = await startStack({ EZYBUS_CACHE_TTL_MS: '200' });
  second = await startSecondInstance(s, { EZYBUS_CACHE_TTL_MS: '200' });
});
afterAll(async () => {
  await second?.close();
  await s?.close();
});

let n = 0;
async function preferCooling(): Promise<{ model: string; ref: string; secret: string }> {
  const i = ++n;
  await addUpstream(`cv-a${i}`, 'openai', s.sim.url);
  await addUpstream(`cv-b${i}`, 'openai', s.sim.url);
  await addUpstreamKey(`cv-a${i}`, `cv-a${i};fail=429&retry_after=30`, 'ka');
  await addUpstreamKey(`cv-b${i}`, `cv-b${i}`, 'kb');
  const model = `cv-model-${i}`;
  await setRoute(model, [
    { upstream: `cv-a${i}`, model: 'gpt-sim', priority: 0 },
    { upstream: `cv-b${i}`, model: 'gpt-sim', priority: 1 },
  ]);
  await new Promise((r) => setTimeout(r, 250)); // past the route cache TTL of this file
  return { model, ref: `cv-a${i}/ka`, secret: `cv-a${i}` };
}

async function chat(url: string, model: string): Promise<number> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await res.text();
  return res.status;
}

const hitsOn = (secret: string, from: number): number => s.sim.received.slice(from).filter((r) => (r.apiKey ?? '').split(';')[0] === secret).length;

/** Resolves once the store holds the cooldown (the write the bound counts from); its time. */
async function cooldownWritten(ref: string): Promise<number> {
  for (;;) {
    if ((await listHealth()).get(ref)?.hard) return Date.now();
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('cross-instance cooldown visibility', () => {
  it('after an idle spell, the other instance skips a key cooled a moment ago (4 of 4 tries)', { timeout: 60_000 }, async () => {
    const delays: number[] = [];
    let hits = 0;
    for (let round = 0; round < 4; round++) {
      const { model, ref, secret } = await preferCooling();
      expect(await chat(second.url, MODELS.openai)).toBe(200); // the second instance's view of key health, loaded now
      await new Promise((r) => setTimeout(r, 2300)); // the idle spell: that view is now older than the bound
      const from = s.sim.received.length;
      expect(await chat(s.url, model)).toBe(200); // the first instance meets the 429 and cools key A
      const written = await cooldownWritten(ref);
      const before = s.sim.received.length;
      const t = Date.now();
      expect(await chat(second.url, model)).toBe(200);
      delays.push(t - written);
      hits += hitsOn(secret, before);
      expect(hitsOn(secret, from)).toBeGreaterThanOrEqual(1);
    }
    process.stderr.write(`[cooldown] after a 2.3 s idle spell: the second instance used the cooled key in ${hits} of 4 tries, asked ${delays.join(', ')} ms after the write\n`);
    expect(hits).toBe(0);
  });

  it('while both are busy, the other instance stops using the key within 2 s of the write', { timeout: 30_000 }, async () => {
    const { model, ref, secret } = await preferCooling();
    expect(await chat(second.url, MODELS.openai)).toBe(200);
    expect(await chat(s.url, model)).toBe(200);
    const written = await cooldownWritten(ref);
    // The second instance keeps asking; each of its hits on key A would teach it locally, so
    // a hit after the bound could only come from a view older than the bound.
    let lastHitAfter = -1;
    while (Date.now() - written < 2500) {
      const before = s.sim.received.length;
      const t = Date.now();
      expect(await chat(second.url, model)).toBe(200);
      if (hitsOn(secret, before)) lastHitAfter = t - written;
    }
    process.stderr.write(`[cooldown] busy: last use of the cooled key by the second instance ${lastHitAfter < 0 ? 'never' : `${lastHitAfter} ms after the write`}\n`);
    expect(lastHitAfter).toBeLessThan(2000);
  });
});
