/**
 * usage/totals.ts: what a batch adds to each totals row, and the maintenance of a key's `all`
 * row (leaked reservations released by bucket age, pre-reservation ledgers repaired).
 */
import { describe, expect, it } from 'vitest';
import { RESERVATION_BUCKET_MS, reservationBucket, rowMaintenance, totalsRows } from '../../functions/shared/usage/totals.js';
import type { UsageRecord } from '../../functions/shared/usage/record.js';
import { emptyUsage } from '../../functions/shared/usage/types.js';

const rec = (over: Partial<UsageRecord>): UsageRecord =>
  ({ requestId: 'r', time: '2026-12-01T10:00:00Z', keyId: 'k', model: 'm', status: 200, usage: { ...emptyUsage(), inputTokens: 3, outputTokens: 2 }, costMicros: 10, ...over }) as UsageRecord;

describe('totalsRows', () => {
  it('one row per key and one per key, day and model, whatever the batch size', () => {
    const rows = totalsRows([
      rec({}),
      rec({ model: 'n', status: 502, costMicros: 0, usage: null }),
      rec({ keyId: 'j', reservation: { micros: 50, bucket: 7 } }),
      rec({ keyId: null }),
    ]);
    expect(rows.map((r) => `${r.pk} ${r.sk}`).sort()).toEqual(['tot#j all', 'tot#j day#2026-12-01#model#m', 'tot#k all', 'tot#k day#2026-12-01#model#m', 'tot#k day#2026-12-01#model#n']);
    const kAll = rows.find((r) => r.pk === 'tot#k' && r.sk === 'all')!;
    expect(kAll.add).toMatchObject({ requests: 2, errors: 1, inputTokens: 3, outputTokens: 2, costMicros: 10, committedMicros: 10 });
    const jAll = rows.find((r) => r.pk === 'tot#j' && r.sk === 'all')!;
    // The reservation is given back and the actual cost charged.
    expect(jAll.add).toMatchObject({ costMicros: 10, committedMicros: -40, r_7: -50 });
  });
});

describe('rowMaintenance', () => {
  const now = Date.now();
  const b = reservationBucket(now);
  it('releases buckets at least three old, in either direction, and leaves recent ones', () => {
    const m = rowMaintenance({ ledgerV2: true, committedMicros: 100, [`r_${b}`]: 5, [`r_${b - 2}`]: 7, [`r_${b - 3}`]: 9, [`r_${b - 10}`]: -4, [`r_${b - 11}`]: 0 }, now);
    expect(m.release.sort((x, y) => x.attr.localeCompare(y.attr))).toEqual([
      { attr: `r_${b - 10}`, value: -4 },
      { attr: `r_${b - 3}`, value: 9 },
    ]);
    expect(m.repair).toBeUndefined();
    expect(RESERVATION_BUCKET_MS * 3).toBeGreaterThan(14 * 60_000 * 2); // older than any live request
  });

  it('repairs a ledger from before reservations once: committed = spend + outstanding', () => {
    expect(rowMaintenance({ costMicros: 900, committedMicros: 100, [`r_${b}`]: 100 }, now).repair).toBe(900);
    expect(rowMaintenance({ costMicros: 50, committedMicros: 50 }, now).repair).toBe(0);
  });
});
