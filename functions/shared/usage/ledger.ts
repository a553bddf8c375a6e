/**
 * The usage ledger, written in batches off the request path (the gateway makes no ledger call;
 * its record is in the request's log line, and the ledger writer takes it from there).
 *
 * Items (usage table):
 *   pk `req#<requestId>` sk `req`   one per request: the record as the log line holds it, plus
 *                                   `totals` (the batch that counts it) and `claimedAt`
 *   pk `tot#<keyId>`     sk …       running totals (totals.ts), one update per row per batch
 *   pk `lb#<batchId>`    sk `lb`    a batch's intent: the deltas it applies, and its state
 *
 * Exactly once, without transactions (dynalite has none, and one code path serves both engines):
 *   1. claim: put each record only if absent, `totals` = this batch. A record already present
 *      belongs to the batch it names; a done batch counted it, an open one will (or is redone).
 *   2. intent: put `lb#<batch>` (state open, the aggregated deltas) only if absent.
 *   3. apply: one ADD per row, guarded by an attribute `g_<batch>` set in the same update, so
 *      re-applying a batch to a row it already reached is refused by that row itself.
 *   4. done: `lb#<batch>` state done (only by the batch's current owner), then the guards go.
 * Crash recovery: a record whose batch is open and older than STALE_MS is redone by whoever
 * meets it (a lease on the intent makes one owner at a time; the guards make a row applied twice
 * impossible); a record claimed by a batch that never wrote its intent is taken over after the
 * batch is voided (a conditional put of its intent, so the batch and the voider cannot both
 * win). A record that is held by a batch still within STALE_MS is reported `held`: the caller
 * retries later (SQS redelivery, the local batcher's next flush), never drops it.
 */
import { crypto } from '../runtime/builtins.js';
import { gatewayConfig } from '../config.js';
import { dynamo, marshal, unmarshal, type Item } from '../store/dynamo.js';
import type { UsageRecord } from './record.js';
import { putRecent } from './recent.js';
import { ledgerRefusal, rowMaintenance, totalsRows, type RowDelta } from './totals.js';

const { randomBytes } = crypto;

/** Ledger items expire after this many days (DynamoDB TTL); totals are kept. */
const RECORD_RETENTION_DAYS = 400;
/** Longer than any writer invocation (the Lambda's timeout is 60 s): an older open batch is dead. */
export const STALE_MS = 120_000;
const PARALLEL = 16;

export interface BatchResult {
  batchId: string;
  /** Records this batch counted. */
  written: number;
  /** Records counted before (by an earlier batch, or by a batch this one redid). */
  alreadyPresent: number;
  /** Request ids held by a batch still in progress: retry them later. */
  held: string[];
  /** Records DynamoDB would refuse (see totals.ts ledgerRefusal): reported, never retried. */
  rejected: { requestId: string; reason: string }[];
}

type Claim = 'mine' | 'present' | 'held';

const isCondFail = (err: unknown): boolean => err instanceof Error && err.name === 'ConditionalCheckFailedException';

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const reqKey = (id: string): Item => ({ pk: { S: `req#${id}` }, sk: { S: 'req' } });
const batchKey = (id: string): Item => ({ pk: { S: `lb#${id}` }, sk: { S: 'lb' } });
const newBatchId = (): string => `${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;

async function getItem(key: Item, fields: string[]): Promise<Record<string, unknown> | undefined> {
  const { client, sdk } = await dynamo();
  const names = Object.fromEntries(fields.map((f, i) => [`#p${i}`, f]));
  const res = await client.send(
    new sdk.GetItemCommand({
      TableName: gatewayConfig().tables.usage,
      Key: key,
      ConsistentRead: true,
      ProjectionExpression: Object.keys(names).join(', '),
      ExpressionAttributeNames: names,
    }),
  );
  return res.Item ? unmarshal(res.Item) : undefined;
}

async function update(key: Item, expr: string, opts: { cond?: string; names?: Record<string, string>; values?: Item; returnNew?: boolean } = {}): Promise<Record<string, unknown> | null> {
  const { client, sdk } = await dynamo();
  try {
    const res = await client.send(
      new sdk.UpdateItemCommand({
        TableName: gatewayConfig().tables.usage,
        Key: key,
        UpdateExpression: expr,
        ...(opts.cond ? { ConditionExpression: opts.cond } : {}),
        ...(opts.names && Object.keys(opts.names).length ? { ExpressionAttributeNames: opts.names } : {}),
        ...(opts.values && Object.keys(opts.values).length ? { ExpressionAttributeValues: opts.values } : {}),
        ...(opts.returnNew ? { ReturnValues: 'ALL_NEW' as const } : {}),
      }),
    );
    return res.Attributes ? unmarshal(res.Attributes) : {};
  } catch (err) {
    if (isCondFail(err)) return null;
    throw err;
  }
}

async function putIfAbsent(item: Item): Promise<boolean> {
  const { client, sdk } = await dynamo();
  try {
    await client.send(new sdk.PutItemCommand({ TableName: gatewayConfig().tables.usage, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    return true;
  } catch (err) {
    if (isCondFail(err)) return false;
    throw err;
  }
}

class Writer {
  /** One redo per dead batch, however many of its records this batch meets. */
  private readonly redos = new Map<string, Promise<boolean>>();
  constructor(
    readonly batchId: string,
    private readonly now: () => number,
  ) {}

  async claim(rec: UsageRecord): Promise<Claim> {
    const plain = JSON.parse(JSON.stringify(rec)) as Parameters<typeof marshal>[0];
    const item = marshal({
      pk: `req#${rec.requestId}`,
      sk: 'req',
      ...plain,
      totals: this.batchId,
      claimedAt: this.now(),
      ttl: Math.floor(Date.parse(rec.time) / 1000) + RECORD_RETENTION_DAYS * 86_400,
    });
    if (await putIfAbsent(item)) return 'mine';
    return this.resolve(rec.requestId, 0);
  }

  /** A record already in the ledger: who counts it? */
  private async resolve(requestId: string, depth: number): Promise<Claim> {
    const existing = await getItem(reqKey(requestId), ['totals', 'claimedAt']);
    const owner = existing?.totals;
    if (owner === undefined || owner === 'applied') return 'present';
    if (owner === this.batchId) return 'mine'; // a retry of this very batch
    if (owner === 'pending') return this.takeOver(requestId, 'pending'); // written before batches existed
    if (typeof owner !== 'string' || depth > 2) return 'held';
    const claimedAt = typeof existing?.claimedAt === 'number' ? existing.claimedAt : 0;
    const intent = await getItem(batchKey(owner), ['state', 'at']);
    const state = intent?.state;
    if (state === 'done') return 'present';
    if (state === 'void') return this.takeOver(requestId, owner);
    if (state === 'open') {
      const at = typeof intent?.at === 'number' ? intent.at : 0;
      if (this.now() - at < STALE_MS) return 'held';
      let r = this.redos.get(owner);
      if (!r) this.redos.set(owner, (r = redo(owner, this.now)));
      return (await r) ? 'present' : 'held';
    }
    // Claimed by a batch that never wrote its intent: void that batch (unless it is young).
    if (this.now() - claimedAt < STALE_MS) return 'held';
    const voided = await putIfAbsent(marshal({ pk: `lb#${owner}`, sk: 'lb', state: 'void', at: this.now(), ttl: Math.floor(this.now() / 1000) + 86_400 }));
    return voided ? this.takeOver(requestId, owner) : this.resolve(requestId, depth + 1);
  }

  private async takeOver(requestId: string, from: string): Promise<Claim> {
    const ok = await update(reqKey(requestId), 'SET totals = :me, claimedAt = :now', {
      cond: 'totals = :from',
      values: { ':me': { S: this.batchId }, ':now': { N: String(this.now()) }, ':from': { S: from } },
    });
    return ok ? 'mine' : 'held';
  }
}

function addExpression(delta: RowDelta, guard: string, at: number): { expr: string; names: Record<string, string>; values: Item } {
  const names: Record<string, string> = { '#g': guard };
  const values: Item = { ':at': { N: String(at) } };
  const parts: string[] = [];
  Object.entries(delta.add).forEach(([k, v], i) => {
    names[`#f${i}`] = k;
    values[`:v${i}`] = { N: String(v) };
    parts.push(`#f${i} :v${i}`);
  });
  return { expr: `ADD ${parts.join(', ')} SET #g = :at`, names, values };
}

/** Applies a batch's deltas (each row at most once, by its guard), then marks the batch done. */
async function apply(batchId: string, owner: string, rows: RowDelta[], now: () => number): Promise<boolean> {
  const guard = `g_${batchId}`;
  await mapLimit(rows, PARALLEL, async (row) => {
    const { expr, names, values } = addExpression(row, guard, now());
    const after = await update({ pk: { S: row.pk }, sk: { S: row.sk } }, expr, { cond: 'attribute_not_exists(#g)', names, values, returnNew: row.sk === 'all' });
    if (after && row.sk === 'all') await maintain(row, after, now());
  });
  const done = await update(batchKey(batchId), 'SET #s = :done REMOVE #r', {
    cond: '#o = :me',
    names: { '#s': 'state', '#r': 'rows', '#o': 'owner' },
    values: { ':done': { S: 'done' }, ':me': { S: owner } },
  });
  if (!done) return false; // another writer took the batch over; it finishes the job
  // Guards only matter while the batch could be redone; a done batch never is.
  await mapLimit(rows, PARALLEL, (row) =>
    update({ pk: { S: row.pk }, sk: { S: row.sk } }, 'REMOVE #g', { names: { '#g': guard } }).catch(() => null),
  );
  return true;
}

/** Leaked reservations released and pre-batch ledgers repaired, each by a conditional update. */
async function maintain(row: RowDelta, item: Record<string, unknown>, nowMs: number): Promise<void> {
  const { release, repair } = rowMaintenance(item, nowMs);
  const key = { pk: { S: row.pk }, sk: { S: row.sk } };
  for (const r of release) {
    await update(key, 'ADD committedMicros :neg REMOVE #b', { cond: '#b = :v', names: { '#b': r.attr }, values: { ':neg': { N: String(-r.value) }, ':v': { N: String(r.value) } } });
  }
  if (repair !== undefined) {
    await update(key, 'ADD committedMicros :d SET ledgerV2 = :t', { cond: 'attribute_not_exists(ledgerV2)', values: { ':d': { N: String(repair) }, ':t': { BOOL: true } } });
  }
}

/**
 * Releases what requests that died had reserved of a key's budget (buckets old enough that no
 * live request can still hold them). The gateway calls this when a reservation is refused, so a
 * key whose only traffic died is not refused forever. True when anything was released.
 */
export async function releaseLeaked(keyId: string, nowMs = Date.now()): Promise<boolean> {
  const { client, sdk } = await dynamo();
  const key = { pk: { S: `tot#${keyId}` }, sk: { S: 'all' } };
  const res = await client.send(new sdk.GetItemCommand({ TableName: gatewayConfig().tables.usage, Key: key, ConsistentRead: true }));
  if (!res.Item) return false;
  const { release } = rowMaintenance(unmarshal(res.Item), nowMs);
  let released = false;
  for (const r of release) {
    const ok = await update(key, 'ADD committedMicros :neg REMOVE #b', { cond: '#b = :v', names: { '#b': r.attr }, values: { ':neg': { N: String(-r.value) }, ':v': { N: String(r.value) } } });
    if (ok) released = true;
  }
  return released;
}

/** Finishes a dead writer's batch from its intent. True when the batch is done afterwards. */
async function redo(batchId: string, now: () => number): Promise<boolean> {
  const me = `redo-${newBatchId()}`;
  const leased = await update(batchKey(batchId), 'SET #a = :now, #o = :me', {
    cond: '#s = :open AND #a < :stale',
    names: { '#a': 'at', '#o': 'owner', '#s': 'state' },
    values: { ':now': { N: String(now()) }, ':me': { S: me }, ':open': { S: 'open' }, ':stale': { N: String(now() - STALE_MS) } },
    returnNew: true,
  });
  if (!leased || typeof leased.rows !== 'string') {
    // Someone else holds the lease, or finished the batch a moment ago.
    return (await getItem(batchKey(batchId), ['state']))?.state === 'done';
  }
  return apply(batchId, me, JSON.parse(leased.rows) as RowDelta[], now);
}

/**
 * Writes a batch of records and their totals, exactly once per request id (see the top of
 * this file). Records without a key (refused before authentication) are skipped.
 */
export async function writeBatch(records: readonly UsageRecord[], now: () => number = Date.now, depth = 0): Promise<BatchResult> {
  const unique = new Map<string, UsageRecord>();
  const rejected: BatchResult['rejected'] = [];
  for (const r of records) {
    if (!r.keyId || !r.requestId) continue;
    const why = ledgerRefusal(r);
    if (why) rejected.push({ requestId: r.requestId, reason: why });
    else unique.set(r.requestId, r);
  }
  const w = new Writer(newBatchId(), now);
  const list = [...unique.values()];
  const claims = await mapLimit(list, PARALLEL, (r) => w.claim(r));
  // The request log's rows (usage/recent.ts): idempotent puts, for every record seen, so a
  // batch redone or taken over after a crash never leaves one out.
  await mapLimit(list, PARALLEL, (r) => putRecent(r));
  const mine = list.filter((_, i) => claims[i] === 'mine');
  const result: BatchResult = {
    batchId: w.batchId,
    written: mine.length,
    alreadyPresent: claims.filter((c) => c === 'present').length,
    held: list.filter((_, i) => claims[i] === 'held').map((r) => r.requestId),
    rejected,
  };
  if (!mine.length) return result;
  const rows = totalsRows(mine);
  const intent = marshal({
    pk: `lb#${w.batchId}`,
    sk: 'lb',
    state: 'open',
    owner: w.batchId,
    at: now(),
    records: mine.length,
    rows: JSON.stringify(rows),
    ttl: Math.floor(now() / 1000) + RECORD_RETENTION_DAYS * 86_400,
  });
  if (!(await putIfAbsent(intent))) {
    // Voided by a writer that met one of our records first: start again under a new id.
    if (depth >= 2) return { ...result, written: 0, held: [...result.held, ...mine.map((r) => r.requestId)] };
    const again = await writeBatch(mine, now, depth + 1);
    return { ...again, alreadyPresent: again.alreadyPresent + result.alreadyPresent, held: [...again.held, ...result.held], rejected };
  }
  await apply(w.batchId, w.batchId, rows, now);
  return result;
}

/** One record (ledger replay): true when written now, false when the ledger already had it. */
export async function writeUsage(rec: UsageRecord): Promise<boolean> {
  const r = await writeBatch([rec]);
  const refused = r.rejected[0];
  if (refused) throw new Error(`DynamoDB would refuse request ${rec.requestId}: ${refused.reason}`);
  if (r.held.length) throw new Error(`request ${rec.requestId} is being written by another batch; retry in ${STALE_MS / 1000} s`);
  return r.written === 1;
}
