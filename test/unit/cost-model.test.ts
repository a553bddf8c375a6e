/** The compute-mode cost model (test/bench/cost-model.ts): the arithmetic, on the last measured figures. */
import { describe, expect, it } from 'vitest';
import { costModels, environmentGb, ratio, RATES, type ModeFigures } from '../bench/cost-model.js';

// bench-results/compute-modes-2026-12-01-08-27-06-06f1d1c (npm run bench:modes).
const FIGURES: Record<ModeFigures['mode'], ModeFigures> = {
  'function-urls': { mode: 'function-urls', cpuMsPerRequest: 1.72, cpuMicrosPerChunk: 9.3, idleRssMiB: 178.6, kibPerOpenStream: 13.5 },
  'web-functions': { mode: 'web-functions', cpuMsPerRequest: 1.68, cpuMicrosPerChunk: 6.3, idleRssMiB: 208.3, kibPerOpenStream: 8.6 },
};
const INPUTS = { streamSeconds: 8, chunksPerStream: 400, shortSeconds: 1, memoryMb: 1024, concurrency: 64 };
const row = (mode: ModeFigures['mode'], workload: 'stream' | 'short', basis: 'configured' | 'measured') =>
  costModels(FIGURES, INPUTS).find((r) => r.mode === mode && r.workload === workload && r.basis === basis)!;

describe('costModels', () => {
  it('Function URLs: the whole wall time plus CPU at the configured memory', () => {
    const r = row('function-urls', 'stream', 'configured');
    const seconds = 8 + (1.72 + 400 * 0.0093) / 1000;
    expect(r.compute).toBeCloseTo(1e6 * seconds * 1 * RATES.lambdaGbSecond, 6);
    expect(r.total).toBeCloseTo(106.94, 2);
  });
  it('Web Functions: active CPU, and the environment memory for a 1/64 share of the stream’s life', () => {
    const r = row('web-functions', 'stream', 'configured');
    expect(r.compute).toBeCloseTo(1e6 * ((1.68 + 400 * 0.0063) / 1000) * RATES.webVcpuSecond, 6);
    expect(r.memory).toBeCloseTo(1e6 * (8 / 64) * 1 * RATES.webGbSecond, 6);
    expect(r.total).toBeCloseTo(0.775, 3);
  });
  it('memory billed as measured: the idle floor plus 64 open streams', () => {
    expect(environmentGb(FIGURES['web-functions'], 64)).toBeCloseTo((208.3 + (64 * 8.6) / 1024) / 1024, 9);
    const measured = row('web-functions', 'stream', 'measured');
    expect(measured.memory).toBeLessThan(row('web-functions', 'stream', 'configured').memory);
    expect(measured.compute).toBe(row('web-functions', 'stream', 'configured').compute);
  });
  it('the issue’s target: at least 10× cheaper per 8-second stream at the same memory size', () => {
    const rows = costModels(FIGURES, INPUTS);
    expect(ratio(rows, 'stream', 'configured')).toBeGreaterThanOrEqual(10);
    expect(ratio(rows, 'stream', 'measured')).toBeGreaterThan(ratio(rows, 'stream', 'configured'));
  });
  it('every stand-in rate is named with its source', () => {
    for (const s of ['active CPU', 'MicroVM Arm vCPU-second', 'MicroVM Arm GB-second', '0.0000276944', '0.0000036667', '2026-08-07']) expect(RATES.standIns).toContain(s);
  });
});
