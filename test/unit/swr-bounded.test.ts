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

/**
 * The warm path's synchronous read (`peek`, `current`): a value wherever `get()` would answer at
 * once, and nothing (so the caller awaits `get()`) wherever it would wait. The request path relies
 * on the two agreeing; these cases pin each branch of that agreement with an injected clock.
 */
describe('SwrValue.peek and current', () => {
  function counted(fail = () => false): { v: SwrValue<number>; loads: () => number; clock: { now: number } } {
    const clock = { now: 0 };
    let n = 0;
    const v = new SwrValue<number>(
      async () => {
        n++;
        if (fail()) throw new Error('store down');
        return n;
      },
      () => 1000,
      () => clock.now,
      1000,
    );
    return { v, loads: () => n, clock };
  }

  it('a miss: nothing to peek, current() is the read, and the loaded value is then served without one', async () => {
    const { v, loads } = counted();
    expect(v.peek()).toBeUndefined();
    expect(loads()).toBe(0); // peeking never reads the store
    const first = v.current();
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toBe(1);
    expect(v.current()).toBe(1); // warm: the value itself, not a promise
    expect(v.peek()).toBe(1);
    expect(loads()).toBe(1);
  });

  it('stale within maxStale: the old value at once and one background refresh, as get() does', async () => {
    const { v, loads, clock } = counted();
    await v.get();
    clock.now = 1500; // past the TTL, within ttl + maxStale
    expect(v.peek()).toBe(1);
    expect(v.peek()).toBe(1); // a second peek while the refresh runs starts no other
    await v.refresh(); // the one in flight
    expect(loads()).toBe(2);
    expect(v.peek()).toBe(2);
    expect(await v.get()).toBe(2);
  });

  it('older than ttl + maxStale: nothing to peek, so the caller waits for the read (the bound on staleness)', async () => {
    const { v, loads, clock } = counted();
    await v.get();
    clock.now = 5000;
    expect(v.peek()).toBeUndefined();
    expect(loads()).toBe(1); // the caller's get() reads, not the peek
    expect(await v.current()).toBe(2);
    expect(v.peek()).toBe(2);
  });

  it('a failed background refresh keeps the old value for peek; a failed wait falls back to it too', async () => {
    let down = false;
    const { v, loads, clock } = counted(() => down);
    await v.get();
    down = true;
    clock.now = 1500;
    expect(v.peek()).toBe(1);
    await expect(v.refresh()).rejects.toThrow('store down'); // the background one, shared
    expect(v.peek()).toBe(1); // still served stale
    clock.now = 5000;
    expect(v.peek()).toBeUndefined();
    expect(await v.current()).toBe(1); // the store unreachable must not stop traffic
    expect(loads()).toBe(3);
  });
});
