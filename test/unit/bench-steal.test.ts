/**
 * The benchmark's steal reading (test/bench/steal.ts): each section gets, for every CPU of the
 * machine, the share of its time the host took, as a percentage.
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { coreSpeed, stealRecorder } from '../bench/steal.js';

describe.runIf(existsSync('/proc/stat'))('stealRecorder', () => {
  it('gives each section, in order, a percentage for every CPU that had work enough to tell', async () => {
    const st = stealRecorder();
    st.mark('first');
    await new Promise((r) => setTimeout(r, 60));
    st.mark('second');
    const t = Date.now();
    while (Date.now() - t < 1200); // busy for over half a second of ticks: a figure for this CPU
    const sections = st.end();
    expect(sections.map((s) => s.name)).toEqual(['first', 'second']);
    // 60 ms asleep is a few clock ticks of work on any CPU: too few for a share.
    expect(sections[0]?.percent).toEqual({});
    for (const s of sections.slice(1)) {
      const keys = Object.keys(s.percent);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.length).toBeLessThanOrEqual(cpus().length);
      for (const k of keys) expect(k).toMatch(/^cpu\d+$/);
      for (const v of Object.values(s.percent)) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(100);
      }
    }
  });

  it('keeps the probe reading taken as each section starts', () => {
    let n = 0;
    const st = stealRecorder(() => ++n * 10);
    st.mark('a');
    st.mark('b');
    expect(st.end().map((s) => [s.name, s.probeMs])).toEqual([['a', 10], ['b', 20]]);
  });

  it.runIf(spawnSync('taskset', ['-c', '0', 'true']).status === 0)('times the fixed loop on a given core', () => {
    const ms = coreSpeed(process.execPath, 0);
    expect(Number.isFinite(ms)).toBe(true);
    expect(ms).toBeGreaterThan(0);
  });

  it('ends with no sections when none was marked', () => {
    expect(stealRecorder().end()).toEqual([]);
  });
});
