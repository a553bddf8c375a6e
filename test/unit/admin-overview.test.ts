import { describe, expect, it } from 'vitest';
import { overview, percentile } from '../../functions/shared/admin/overview.js';
import type { RequestRow } from '../../functions/shared/usage/recent.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');

function row(over: Partial<RequestRow> & { at: number }): RequestRow {
  const { at, ...rest } = over;
  return {
    requestId: `r${at}`,
    time: new Date(T0 + at).toISOString(),
    keyId: 'gk_1',
    model: 'm',
    clientProtocol: 'openai',
    stream: true,
    status: 200,
    errorType: null,
    upstreamId: 'a',
    upstreamModel: 'x',
    attempts: [{ upstream: 'a', model: 'x', outcome: 200, ms: 10 }],
    inputTokens: 10,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: 20,
    reasoningTokens: 0,
    costMicros: 100,
    ttfbMs: 100,
    durationMs: 500,
    ...rest,
  };
}

describe('overview', () => {
  it('nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 95)).toBe(4);
    expect(percentile([7], 95)).toBe(7);
  });

  it('rates, TTFT per model and upstream, errors, failovers and hedging over a window', () => {
    const rows = [
      row({ at: 1_000, ttfbMs: 100 }),
      row({ at: 2_000, ttfbMs: 300, upstreamId: 'b' }),
      // failed over from a to b: one failover
      row({ at: 3_000, ttfbMs: 200, upstreamId: 'b', attempts: [{ upstream: 'a', model: 'x', outcome: 429, ms: 3 }, { upstream: 'b', model: 'x', outcome: 200, ms: 50 }] }),
      // hedged, the hedge won (the first launch lost): not a failover
      row({ at: 4_000, ttfbMs: 150, upstreamId: 'b', attempts: [{ upstream: 'a', model: 'x', outcome: 'hedge-lost', ms: 150 }, { upstream: 'b', model: 'x', outcome: 200, ms: 140 }] }),
      row({ at: 5_000, status: 502, ttfbMs: null, outputTokens: 0, costMicros: 0, model: 'n' }),
      // not a stream: no TTFT
      row({ at: 59_000, stream: false, ttfbMs: 900 }),
    ];
    const o = overview(rows, T0, T0 + 60_000, 30_000);
    expect(o.requests).toBe(6);
    expect(o.requestsPerSec).toBeCloseTo(0.1);
    expect(o.outputTokensPerSec).toBeCloseTo(100 / 60);
    expect(o.errorRate).toBeCloseTo(1 / 6);
    expect(o.failoverRate).toBeCloseTo(1 / 6);
    expect(o.ttft).toEqual({ count: 4, p50: 150, p95: 300 });
    expect(o.byModel.m).toMatchObject({ requests: 5, errors: 0, p50: 150 });
    expect(o.byModel.n).toMatchObject({ requests: 1, errors: 1, p50: null });
    expect(o.byUpstream.b).toMatchObject({ requests: 3, p50: 200, p95: 300, failedAttempts: 0 });
    expect(o.byUpstream.a).toMatchObject({ requests: 3, failedAttempts: 1 }); // the 429 it answered before failing over
    expect(o.hedge).toEqual({ fired: 1, wonByHedge: 1, ttftP50Hedged: 150, firstLaunchSilentP50Ms: 150 });
    expect(o.series.map((b) => b.requests)).toEqual([5, 1]);
    expect(o.costMicros).toBe(500);
  });
});
