/**
 * The life of an upstream key's health on a fake clock: every decision takes `now`, so hours of
 * cooldowns, probes and expiry run in milliseconds here, against the real DynamoDB-API engine
 * (dynalite) that carries them between execution environments. "Another environment" is this
 * process after newEnvironment(): its own memory gone, only the store left.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { storeWithGateway, type LocalStore } from '../helpers/store.js';
import { newEnvironment } from '../helpers/environment.js';
import {
  flushHealthWrites,
  healthOf,
  listHealth,
  recordFailure,
  recordNearLimit,
  recordRejected,
  recordSuccess,
  startProbe,
  usability,
} from '../../functions/shared/upstream/health.js';

const T = Date.parse('2026-11-25T09:00:00Z');
let store: LocalStore;
let n = 0;
let ref = '';

/** What a fresh execution environment decides about `ref` at `at`. */
async function elsewhere(at: number): Promise<string> {
  await flushHealthWrites();
  newEnvironment();
  return usability(await healthOf(ref), ref, at);
}

beforeAll(async () => {
  store = await storeWithGateway('healthclock', { EZYBUS_FAILURES_BEFORE_PROBE: '3', EZYBUS_PROBE_AFTER_MS: '30000' });
});
afterAll(async () => {
  await flushHealthWrites();
  await store.close();
});
beforeEach(() => {
  newEnvironment();
  ref = `sim-openai/k${++n}`;
});

describe('key health on a fake clock', () => {
  it('a retry-after rests the key to the millisecond, here and in every other environment', async () => {
    recordFailure(ref, 120_000, false, T);
    const h = await healthOf(ref);
    expect(usability(h, ref, T + 119_999)).toBe('no');
    expect(usability(h, ref, T + 120_000)).toBe('ready');
    expect(await elsewhere(T + 60_000)).toBe('no');
    // The item is still in the table (TTL deletion lags by hours); its expiry is read, not trusted to TTL.
    expect((await listHealth()).has(ref)).toBe(true);
    expect(await elsewhere(T + 120_000)).toBe('ready');
  });

  it('without a hint the key rests softly (usable when nothing else is) for a jittered backoff', async () => {
    recordFailure(ref, undefined, false, T);
    const h = await healthOf(ref);
    expect(h?.hard).toBe(false);
    expect(h!.until - T).toBeGreaterThanOrEqual(500);
    expect(h!.until - T).toBeLessThanOrEqual(1000);
    expect(usability(h, ref, T + 1)).toBe('soft');
    expect(usability(h, ref, h!.until)).toBe('ready');
  });

  it('a shorter cooldown learned elsewhere never shortens a longer one in the store', async () => {
    recordFailure(ref, 600_000, false, T);
    await flushHealthWrites();
    newEnvironment(); // environment B, which saw only a 1 s hint
    recordFailure(ref, 1_000, false, T + 10);
    expect(await elsewhere(T + 300_000)).toBe('no');
    expect((await listHealth()).get(ref)?.until).toBe(T + 600_000);
  });

  it('a 401 disables the key for every environment until an operator acts, whatever the clock says', async () => {
    recordRejected(ref, 'upstream 401: invalid x-api-key', T);
    expect(await elsewhere(T + 365 * 86_400_000)).toBe('no');
    expect((await listHealth()).get(ref)?.disabled).toBe('upstream 401: invalid x-api-key');
    // A success seen by an environment that had not heard of the disable does not undo it.
    recordSuccess(ref, undefined);
    recordSuccess(ref, { until: T, hard: false, failures: 1 });
    expect(await elsewhere(T + 1)).toBe('no');
  });

  it('repeated 5xx: disabled, then one probe at a time after the delay, then back on a success', async () => {
    for (let i = 0; i < 3; i++) recordFailure(ref, undefined, true, T + i * 1000);
    const h = await healthOf(ref);
    expect(h?.probeAfter).toBe(T + 2000 + 30_000);
    expect(usability(h, ref, T + 31_999)).toBe('no');
    expect(usability(h, ref, T + 32_000)).toBe('probe');
    startProbe(ref);
    expect(usability(h, ref, T + 32_001)).toBe('no'); // the probe is in flight: nobody else tries
    expect(await elsewhere(T + 32_000)).toBe('probe'); // another environment may probe too, once
    recordSuccess(ref, await healthOf(ref));
    expect(await elsewhere(T + 32_001)).toBe('ready');
    expect((await listHealth()).has(ref)).toBe(false);
  });

  it('a failed probe doubles the wait before the next one', async () => {
    for (let i = 0; i < 4; i++) recordFailure(ref, undefined, true, T);
    expect((await healthOf(ref))?.probeAfter).toBe(T + 60_000);
  });

  it('failures more than a minute apart do not add up to a disable', async () => {
    recordFailure(ref, 1000, true, T);
    recordFailure(ref, 1000, true, T + 120_000);
    recordFailure(ref, 1000, true, T + 240_000);
    const h = await healthOf(ref);
    expect(h?.failures).toBe(1);
    expect(h?.probeAfter).toBeUndefined();
  });

  it('a key near its limit rests softly until its window resets, in this environment only', async () => {
    recordNearLimit(ref, 20_000, T);
    expect(usability(await healthOf(ref), ref, T + 19_999)).toBe('soft');
    expect(usability(await healthOf(ref), ref, T + 20_000)).toBe('ready');
    expect(await elsewhere(T + 1)).toBe('ready');
  });
});
