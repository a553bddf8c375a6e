/**
 * TtlCache's refresh point (store/cache.ts), what gateway keys use (gateway/auth.ts): past it
 * the entry still answers and says once that a read is due; it never answers past its TTL, so
 * the bound a TTL documents (a revoked key stops working within it) holds whatever the reads do.
 */
import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../functions/shared/store/cache.js';

/** A cache on a clock the test sets; `due(k)`: whether a get of k now says a read is due. */
function cacheAt(): { c: TtlCache<string>; at(ms: number): void; due(key: string): boolean } {
  let now = 0;
  const c = new TtlCache<string>(10, () => now);
  return {
    c,
    at: (ms) => void (now = ms),
    due: (key) => {
      let said = false;
      c.get(key, () => (said = true));
      return said;
    },
  };
}

describe('TtlCache', () => {
  it('answers until the TTL, and not after it', () => {
    const { c, at } = cacheAt();
    c.set('k', 'v', 1000);
    at(999);
    expect(c.get('k')).toBe('v');
    at(1000);
    expect(c.get('k')).toBeUndefined();
  });

  it('without a refresh point no read is ever due', () => {
    const { c, at, due } = cacheAt();
    c.set('k', 'v', 1000);
    for (let t = 0; t < 1000; t += 50) {
      at(t);
      expect(due('k')).toBe(false);
    }
  });

  it('past the refresh point: still answers, and a read is due once', () => {
    const { c, at, due } = cacheAt();
    c.set('k', 'v', 1000, 750);
    at(749);
    expect(due('k')).toBe(false);
    at(750);
    expect(c.get('k')).toBe('v'); // a get that does not ask leaves the read due
    expect(due('k')).toBe(true);
    // Every request after that one finds the read already started.
    expect(due('k')).toBe(false);
    at(900);
    expect(due('k')).toBe(false);
    expect(c.get('k')).toBe('v');
  });

  it('a read that never comes back leaves the entry to its TTL, then a caller must wait', () => {
    const { c, at, due } = cacheAt();
    c.set('k', 'v', 1000, 750);
    at(800);
    expect(due('k')).toBe(true);
    at(1000);
    expect(c.get('k')).toBeUndefined();
    expect(due('k')).toBe(false);
  });

  it('the read, once back, starts a new TTL and a new refresh point', () => {
    const { c, at, due } = cacheAt();
    c.set('k', 'v1', 1000, 750);
    at(800);
    expect(due('k')).toBe(true);
    at(820);
    c.set('k', 'v2', 1000, 750); // what the read brought: a revoked record, say
    expect(c.get('k')).toBe('v2');
    at(1500);
    expect(c.get('k')).toBe('v2');
    expect(due('k')).toBe(false);
    at(1570);
    expect(due('k')).toBe(true);
    at(1820);
    expect(c.get('k')).toBeUndefined();
  });

  it('a refresh point at or past the TTL is the TTL: no read is due', () => {
    const { c, at, due } = cacheAt();
    c.set('k', 'v', 1000, 5000);
    at(999);
    expect(due('k')).toBe(false);
  });
});
