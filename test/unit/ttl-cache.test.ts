/**
 * TtlCache's refresh point (store/cache.ts), what gateway keys use (gateway/auth.ts): past it
 * the entry still answers and says once that a read is due; it never answers past its TTL, so
 * the bound a TTL documents (a revoked key stops working within it) holds whatever the reads do.
 */
import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../functions/shared/store/cache.js';

describe('TtlCache', () => {
  it('answers until the TTL, and not after it', () => {
    let now = 0;
    const c = new TtlCache<string>(10, () => now);
    c.set('k', 'v', 1000);
    now = 999;
    expect(c.get('k')).toBe('v');
    now = 1000;
    expect(c.get('k')).toBeUndefined();
  });

  it('without a refresh point no read is ever due', () => {
    let now = 0;
    const c = new TtlCache<string>(10, () => now);
    c.set('k', 'v', 1000);
    for (now = 0; now < 1000; now += 50) expect(c.refreshDue('k')).toBe(false);
  });

  it('past the refresh point: still answers, and a read is due once', () => {
    let now = 0;
    const c = new TtlCache<string>(10, () => now);
    c.set('k', 'v', 1000, 750);
    now = 749;
    expect(c.refreshDue('k')).toBe(false);
    now = 750;
    expect(c.get('k')).toBe('v');
    expect(c.refreshDue('k')).toBe(true);
    // Every request after that one finds the read already started.
    expect(c.refreshDue('k')).toBe(false);
    now = 900;
    expect(c.refreshDue('k')).toBe(false);
    expect(c.get('k')).toBe('v');
  });

  it('a read that never comes back leaves the entry to its TTL, then a caller must wait', () => {
    let now = 0;
    const c = new TtlCache<string>(10, () => now);
    c.set('k', 'v', 1000, 750);
    now = 800;
    expect(c.refreshDue('k')).toBe(true);
    now = 1000;
    expect(c.get('k')).toBeUndefined();
    expect(c.refreshDue('k')).toBe(false);
  });

  it('the read, once back, starts a new TTL and a new refresh point', () => {
    let now = 0;
    const c = new TtlCache<string>(10, () => now);
    c.set('k', 'v1', 1000, 750);
    now = 800;
    expect(c.refreshDue('k')).toBe(true);
    now = 820;
    c.set('k', 'v2', 1000, 750); // what the read brought: a revoked record, say
    expect(c.get('k')).toBe('v2');
    now = 1500;
    expect(c.get('k')).toBe('v2');
    expect(c.refreshDue('k')).toBe(false);
    now = 1570;
    expect(c.refreshDue('k')).toBe(true);
    now = 1820;
    expect(c.get('k')).toBeUndefined();
  });

  it('a refresh point at or past the TTL is the TTL: no read is due', () => {
    let now = 0;
    const c = new TtlCache<string>(10, () => now);
    c.set('k', 'v', 1000, 5000);
    now = 999;
    expect(c.refreshDue('k')).toBe(false);
  });
});
