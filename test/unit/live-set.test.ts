/**
 * runtime/live-set.ts: the in-flight list behind the Web Functions edge, the local runtime and the
 * drain. It must count and list exactly what is running, survive deletes in any order (requests
 * end out of order) and during a walk (shutdown fails streams while it lists them), and leave a
 * deleted entry pointing at nothing (what it is for: a dead entry in the old generation must keep
 * no younger object alive).
 */
import { describe, expect, it } from 'vitest';
import { LiveSet } from '../../functions/shared/runtime/live-set.js';

describe('LiveSet', () => {
  it('counts and lists what was added and not yet deleted, in any delete order', () => {
    const s = new LiveSet<string>();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((v) => s.add(v)) as [ReturnType<typeof s.add>, ReturnType<typeof s.add>, ReturnType<typeof s.add>, ReturnType<typeof s.add>];
    expect(s.size).toBe(4);
    s.delete(b); // middle
    s.delete(d); // head (newest)
    expect(s.values().sort()).toEqual(['a', 'c']);
    s.delete(a); // tail (oldest)
    s.delete(a); // twice: nothing
    expect(s.size).toBe(1);
    expect(s.values()).toEqual(['c']);
    s.delete(c);
    expect(s.size).toBe(0);
    expect(s.values()).toEqual([]);
    s.add('e');
    expect(s.values()).toEqual(['e']);
  });

  it('a deleted entry holds neither its value nor its neighbours', () => {
    const s = new LiveSet<object>();
    s.add({});
    const mid = s.add({ big: new Array(1000).fill(0) });
    s.add({});
    s.delete(mid);
    expect(mid).toEqual({ value: undefined, prev: undefined, next: undefined });
  });

  it('values() is a copy: deleting while walking it skips nothing', () => {
    const s = new LiveSet<number>();
    const entries = [1, 2, 3, 4, 5].map((v) => s.add(v));
    const seen: number[] = [];
    for (const v of s.values()) {
      seen.push(v);
      s.delete(entries[v - 1]!);
    }
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(s.size).toBe(0);
  });

  it('clear() empties it and unlinks every entry', () => {
    const s = new LiveSet<number>();
    const e = [1, 2, 3].map((v) => s.add(v));
    s.clear();
    expect(s.size).toBe(0);
    expect(s.values()).toEqual([]);
    expect(e.every((x) => x.value === undefined && x.next === undefined && x.prev === undefined)).toBe(true);
    s.delete(e[0]!); // after clear: nothing, and the count stays right
    expect(s.size).toBe(0);
  });
});
