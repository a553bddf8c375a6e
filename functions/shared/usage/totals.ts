/**
 * What a batch of usage records adds to the per-key running totals, aggregated per row, so a
 * batch of any size costs one update per row it touches (design: the ledger off the request
 * path). Rows (usage table, pk `tot#<keyId>`):
 *   sk `all`                    lifetime totals, plus the budget's `committedMicros` (spend +
 *                               outstanding reservations) and one `r_<bucket>` counter per
 *                               reservation bucket (see limits.ts)
 *   sk `day#<D>#model#<M>`      per day and model (`ezybus usage` reads these)
 * Pure: no I/O.
 */
import type { UsageRecord } from './record.js';

/** Reservations are grouped in 15-minute buckets so leaked ones can be found and released. */
export const RESERVATION_BUCKET_MS = 15 * 60_000;
export const reservationBucket = (ms: number): number => Math.floor(ms / RESERVATION_BUCKET_MS);
/** Attribute of the `all` row that holds a bucket's outstanding reservations. */
export const bucketAttr = (bucket: number): string => `r_${bucket}`;

export interface RowDelta {
  pk: string;
  sk: string;
  /** Numbers to ADD, by attribute name. */
  add: Record<string, number>;
}

const COUNTERS = ['requests', 'errors', 'inputTokens', 'cacheReadTokens', 'cacheWrite5mTokens', 'cacheWrite1hTokens', 'outputTokens', 'reasoningTokens', 'costMicros'] as const;

function counters(rec: UsageRecord): Record<(typeof COUNTERS)[number], number> {
  const u = rec.usage;
  return {
    requests: 1,
    errors: rec.status >= 400 ? 1 : 0,
    inputTokens: u?.inputTokens ?? 0,
    cacheReadTokens: u?.cacheReadTokens ?? 0,
    cacheWrite5mTokens: u?.cacheWrite5mTokens ?? 0,
    cacheWrite1hTokens: u?.cacheWrite1hTokens ?? 0,
    outputTokens: u?.outputTokens ?? 0,
    reasoningTokens: u?.reasoningTokens ?? 0,
    costMicros: rec.costMicros,
  };
}

function addInto(target: Record<string, number>, name: string, v: number): void {
  if (v === 0 && name in target) return;
  target[name] = (target[name] ?? 0) + v;
}

/**
 * Why DynamoDB would refuse this record's items, if it would: a sort key over 1,024 bytes (a
 * model name that older versions did not bound), a partition key over 2,048, an item near
 * 400 KB. Such a record is reported and skipped, never allowed to fail the batch around it.
 */
export function ledgerRefusal(rec: UsageRecord): string | undefined {
  const day = `day#${rec.time.slice(0, 10)}#model#${rec.model ?? 'unknown'}`;
  if (Buffer.byteLength(day) > 1024) return `its totals key would be ${Buffer.byteLength(day)} bytes (DynamoDB allows 1,024)`;
  if (Buffer.byteLength(`tot#${rec.keyId ?? ''}`) > 2048 || Buffer.byteLength(`req#${rec.requestId}`) > 2048) return 'its key id or request id is over 2,048 bytes';
  if (JSON.stringify(rec).length > 350_000) return 'the record is over 350 KB';
  return undefined;
}

/** The rows a batch touches and what it adds to each; records without a key are not billable. */
export function totalsRows(records: readonly UsageRecord[]): RowDelta[] {
  const rows = new Map<string, RowDelta>();
  const row = (pk: string, sk: string): RowDelta => {
    const id = `${pk}\u0000${sk}`;
    let r = rows.get(id);
    if (!r) rows.set(id, (r = { pk, sk, add: {} }));
    return r;
  };
  for (const rec of records) {
    if (!rec.keyId) continue;
    const pk = `tot#${rec.keyId}`;
    const c = counters(rec);
    const all = row(pk, 'all');
    const day = row(pk, `day#${rec.time.slice(0, 10)}#model#${rec.model ?? 'unknown'}`);
    for (const name of COUNTERS) {
      addInto(all.add, name, c[name]);
      addInto(day.add, name, c[name]);
    }
    // The budget counter gains the actual cost and gives back what the request had reserved.
    const reserved = rec.reservation?.micros ?? 0;
    addInto(all.add, 'committedMicros', rec.costMicros - reserved);
    if (rec.reservation) addInto(all.add, bucketAttr(rec.reservation.bucket), -reserved);
  }
  return [...rows.values()];
}

/**
 * Maintenance of an `all` row after an update, from the item as it now is:
 * - `release`: reservation buckets old enough that no request reserving in them can still be
 *   running (`staleBuckets` before the current one); what is left in them was reserved by
 *   requests that died before their record was written (or, when negative, settled after an
 *   earlier release), and moves out of `committedMicros`.
 * - `repair`: ledgers written before `committedMicros` existed: the one-time amount that makes
 *   committed = cost + outstanding reservations.
 */
export function rowMaintenance(
  item: Record<string, unknown>,
  nowMs: number,
  staleBuckets = 2,
): { release: { attr: string; value: number }[]; repair: number | undefined } {
  const current = reservationBucket(nowMs);
  const release: { attr: string; value: number }[] = [];
  let outstanding = 0;
  for (const [name, v] of Object.entries(item)) {
    const m = /^r_(\d+)$/.exec(name);
    if (!m || typeof v !== 'number') continue;
    outstanding += v;
    if (Number(m[1]) < current - staleBuckets && v !== 0) release.push({ attr: name, value: v });
  }
  let repair: number | undefined;
  if (item.ledgerV2 === undefined) {
    const cost = typeof item.costMicros === 'number' ? item.costMicros : 0;
    const committed = typeof item.committedMicros === 'number' ? item.committedMicros : 0;
    repair = cost + outstanding - committed;
  }
  return { release, repair };
}
