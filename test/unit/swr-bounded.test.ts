/**
 * SwrValue's bounded wait (store/cache.ts): a view older than ttl + maxStale waits for its
 * refresh — but a store that does not answer within `maxWait.ms` must not hold the request:
 * it gets the old value (or the fallback, on a first load), and the read that went on replaces
 * the value for the next caller. This is what keeps key-health reads from stalling every
 * request after an idle spell while DynamoDB is slow.
 */
import { describe, expect, it } from 'vitest';
import { SwrValue } from '../../functions/shared/store/cache.js';

function gate<V>(): { promise: Promise<V>; open(v: V): void } {
  let open!: (v: V) => void;
  const promise = new Promise<V>((r) => (open = r));
  return { promise, open };
}

describe('SwrValue with maxWait', () => {
  it('a slow refresh of a too-old value: the old value after maxWait, the new one next time', async () => {
    let now = 0;
    const loads: Array<ReturnType<typeof gate<string>>> = [];
    const v = new SwrValue<string>(() => {
      const g = gate<string>();
      loads.push(g);
      return g.promise;
    }, () => 1000, () => now, 1000, { ms: 30, fallback: () => 'none' });
    const first = v.get();
    loads[0]!.open('v1');
    expect(await first).toBe('v1');
    now = 5000; // an idle spell: older than ttl + maxStale
    const t0 = performance.now();
    expect(await v.get()).toBe('v1'); // the store is stalled: the old view, not a hang
    expect(performance.now() - t0).toBeLessThan(5000);
    loads[1]!.open('v2');
    await loads[1]!.promise;
    await Promise.resolve();
    expect(await v.get()).toBe('v2');
  });

  it('a refresh that answers in time is waited for (the bound on staleness holds)', async () => {
    let now = 0;
    let n = 0;
    const v = new SwrValue<number>(async () => ++n, () => 1000, () => now, 1000, { ms: 1000, fallback: () => -1 });
    expect(await v.get()).toBe(1);
    now = 5000;
    expect(await v.get()).toBe(2);
  });

  it('a first load that hangs gives the fallback; one that fails too', async () => {
    const hang = new SwrValue<string>(() => new Promise<string>(() => undefined), () => 1000, Date.now, 1000, { ms: 20, fallback: () => 'fallback' });
    expect(await hang.get()).toBe('fallback');
    const fail = new SwrValue<string>(() => Promise.reject(new Error('store down')), () => 1000, Date.now, 1000, { ms: 20, fallback: () => 'fallback' });
    expect(await fail.get()).toBe('fallback');
  });

  it('without maxWait a first load still waits and fails as before', async () => {
    const fail = new SwrValue<string>(() => Promise.reject(new Error('store down')), () => 1000);
    await expect(fail.get()).rejects.toThrow('store down');
  });
});
