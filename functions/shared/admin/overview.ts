/**
 * The console's overview, computed from the request rows of a time window (usage/recent.ts):
 * rates, time to first token per model and per upstream, error and failover rates, hedging, and
 * per-bucket series for the charts. Pure: rows in, figures out.
 *
 * Definitions: TTFT is the gateway's time from request arrival to the first content byte sent
 * (the record's ttfbMs), over successful streams. A failover is a request that needed more than
 * one attempt (hedge losers not counted). A hedge fired when an attempt ended `hedge-lost`; the
 * hedge won when the first launch is the one that lost. What a win saved cannot be measured
 * (the first launch is aborted, its TTFT never known), so the overview reports what is known:
 * how many hedges won, how long the first launch had been silent when the hedge's content
 * arrived (p50; without the hedge the client would have waited at least that long, plus
 * whatever the first launch still needed), and the TTFT the hedged requests got.
 */
import type { RequestRow } from '../usage/recent.js';

export interface Latency {
  count: number;
  p50: number | null;
  p95: number | null;
}

export interface Group extends Latency {
  requests: number;
  /** Attempts on this upstream that failed (status or transport), whoever served the request. */
  failedAttempts: number;
  errors: number;
  outputTokens: number;
  costMicros: number;
}

export interface Overview {
  from: number;
  to: number;
  requests: number;
  requestsPerSec: number;
  outputTokensPerSec: number;
  inputTokensPerSec: number;
  errorRate: number;
  failoverRate: number;
  costMicros: number;
  ttft: Latency;
  byModel: Record<string, Group>;
  byUpstream: Record<string, Group>;
  hedge: { fired: number; wonByHedge: number; ttftP50Hedged: number | null; firstLaunchSilentP50Ms: number | null };
  series: { t: number; requests: number; outputTokens: number; errors: number; costMicros: number; ttftP50: number | null }[];
}

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

const latency = (values: number[]): Latency => {
  const s = [...values].sort((a, b) => a - b);
  return { count: s.length, p50: percentile(s, 50), p95: percentile(s, 95) };
};

const ttftOf = (r: RequestRow): number | null => (r.stream && r.status < 400 && r.ttfbMs !== null ? r.ttfbMs : null);
const hedged = (r: RequestRow): boolean => r.attempts.some((a) => a.outcome === 'hedge-lost');
const failedOver = (r: RequestRow): boolean => r.attempts.filter((a) => a.outcome !== 'hedge-lost').length > 1;

function groupBy(rows: RequestRow[], keyOf: (r: RequestRow) => string): Record<string, Group> {
  const acc = new Map<string, { rows: RequestRow[] }>();
  for (const r of rows) {
    const k = keyOf(r);
    const g = acc.get(k) ?? { rows: [] };
    g.rows.push(r);
    acc.set(k, g);
  }
  const out: Record<string, Group> = {};
  for (const [k, g] of [...acc.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    out[k] = {
      ...latency(g.rows.map(ttftOf).filter((x): x is number => x !== null)),
      requests: g.rows.length,
      failedAttempts: 0,
      errors: g.rows.filter((r) => r.status >= 400).length,
      outputTokens: g.rows.reduce((s, r) => s + r.outputTokens, 0),
      costMicros: g.rows.reduce((s, r) => s + r.costMicros, 0),
    };
  }
  return out;
}

function withFailedAttempts(groups: Record<string, Group>, rows: RequestRow[]): Record<string, Group> {
  for (const r of rows) {
    for (const a of r.attempts) {
      if (a.outcome === 200 || a.outcome === 'hedge-lost') continue;
      groups[a.upstream] ??= { count: 0, p50: null, p95: null, requests: 0, failedAttempts: 0, errors: 0, outputTokens: 0, costMicros: 0 };
      (groups[a.upstream] as Group).failedAttempts++;
    }
  }
  return Object.fromEntries(Object.entries(groups).sort(([a], [b]) => a.localeCompare(b)));
}

export function overview(rows: RequestRow[], from: number, to: number, bucketMs: number): Overview {
  const seconds = Math.max(1, (to - from) / 1000);
  const n = rows.length;
  const ttfts = rows.map(ttftOf).filter((x): x is number => x !== null);
  const hedgedRows = rows.filter(hedged);
  const p50 = (rs: RequestRow[]): number | null => latency(rs.map(ttftOf).filter((x): x is number => x !== null)).p50;
  const wonByHedge = hedgedRows.filter((r) => r.attempts[0]?.outcome === 'hedge-lost');
  const buckets = Math.max(1, Math.ceil((to - from) / bucketMs));
  const series = Array.from({ length: buckets }, (_, i) => ({ t: from + i * bucketMs, rows: [] as RequestRow[] }));
  for (const r of rows) {
    const i = Math.floor((Date.parse(r.time) - from) / bucketMs);
    series[Math.min(buckets - 1, Math.max(0, i))]?.rows.push(r);
  }
  return {
    from,
    to,
    requests: n,
    requestsPerSec: n / seconds,
    outputTokensPerSec: rows.reduce((s, r) => s + r.outputTokens, 0) / seconds,
    inputTokensPerSec: rows.reduce((s, r) => s + r.inputTokens + r.cacheReadTokens + r.cacheWriteTokens, 0) / seconds,
    errorRate: n ? rows.filter((r) => r.status >= 400).length / n : 0,
    failoverRate: n ? rows.filter(failedOver).length / n : 0,
    costMicros: rows.reduce((s, r) => s + r.costMicros, 0),
    ttft: latency(ttfts),
    byModel: groupBy(rows, (r) => r.model ?? '(none)'),
    byUpstream: withFailedAttempts(groupBy(rows, (r) => r.upstreamId ?? '(none)'), rows),
    hedge: {
      fired: hedgedRows.length,
      wonByHedge: wonByHedge.length,
      ttftP50Hedged: p50(hedgedRows),
      firstLaunchSilentP50Ms: latency(wonByHedge.map((r) => r.attempts[0]?.ms ?? 0)).p50,
    },
    series: series.map((b) => ({
      t: b.t,
      requests: b.rows.length,
      outputTokens: b.rows.reduce((s, r) => s + r.outputTokens, 0),
      errors: b.rows.filter((r) => r.status >= 400).length,
      costMicros: b.rows.reduce((s, r) => s + r.costMicros, 0),
      ttftP50: p50(b.rows),
    })),
  };
}
