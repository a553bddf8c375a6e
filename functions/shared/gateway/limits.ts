/**
 * Per-key admission: requests per minute (RPM), tokens per minute (TPM), and the spend budget.
 *
 * RPM and TPM are each one conditional UpdateItem on a fixed one-minute window in the state
 * table (pk=`rl#<keyId>#<minute>#<shard>`). Counters are sharded when a limit is high enough that
 * one partition's write rate (1,000 writes/s) could cap it: the limit is split evenly across
 * shards and a request lands on a random shard. TPM is charged at admission with an estimate
 * (prompt characters / 4 + the requested max output) and corrected with the real usage at the end.
 *
 * The budget is an atomic reservation: the request's maximum cost (its prompt at chars / 3
 * tokens and its output cap, at the dearest input-side and output price of any target of its
 * route) is added to the key's `committedMicros` (usage table, `tot#<keyId>`/`all`) by one
 * conditional UpdateItem that succeeds only while committed + estimate ≤ budget. The ledger
 * writer later replaces the reservation with the actual cost (totals.ts). Each reservation is
 * also counted in its 15-minute bucket (`r_<bucket>`), so what requests that died before writing
 * their record had reserved is released once the bucket is old. Overrun bound: spend can pass
 * the budget only by what the requests admitted at the same time cost beyond their own
 * reservations (a prompt denser than 3 characters per token, or output past the default cap
 * when the client set none); docs/pricing.md, "Budgets".
 *
 * Admission runs beside the upstream request, not in front of it (limits are rarely hit, and
 * the upstream's first byte takes far longer than one UpdateItem): the caller starts it, sends
 * the upstream request at once, and awaits admission before the first byte reaches the client.
 * A refusal aborts the upstream call.
 */
import { gatewayConfig } from '../config.js';
import { dynamo } from '../store/dynamo.js';
import type { GatewayKey, Route } from '../store/records.js';
import { targetProtocols } from '../upstream/pool.js';
import { emptyUsage } from '../usage/types.js';
import { maxCostMicros } from './pricing.js';
import { adapterFor } from '../protocol/registry.js';
import { releaseLeaked } from '../usage/ledger.js';
import { bucketAttr, reservationBucket } from '../usage/totals.js';
import { GatewayError } from './errors.js';

const WINDOW_MS = 60_000;
const WRITES_PER_SHARD_PER_MIN = 30_000; // ~500/s, half a partition's write capacity

export function shardsFor(limit: number): number {
  return Math.max(1, Math.ceil(limit / WRITES_PER_SHARD_PER_MIN));
}

/** The output cap a request names (any protocol's field), if any. */
export function outputCap(json: Record<string, unknown>): number | undefined {
  const gc = json.generationConfig as { maxOutputTokens?: unknown } | undefined;
  return [json.max_tokens, json.max_completion_tokens, json.max_output_tokens, gc?.maxOutputTokens].find(
    (v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0,
  );
}

/** A rough token estimate for admission: ~4 characters per token plus the output cap. */
export function estimateTokens(bodyText: string, json: Record<string, unknown>): number {
  return Math.ceil(bodyText.length / 4) + (outputCap(json) ?? 1024);
}

/** Output tokens a budget reservation assumes when the client set no cap. */
export const BUDGET_DEFAULT_MAX_OUTPUT = 16_384;

/** Tokens a budget reservation assumes: prompt at 3 characters per token, output at its cap. */
export function reservationTokens(bodyText: string, json: Record<string, unknown>): { input: number; output: number } {
  return { input: Math.ceil(bodyText.length / 3), output: outputCap(json) ?? BUDGET_DEFAULT_MAX_OUTPUT };
}

export interface Reservation {
  micros: number;
  bucket: number;
}

interface Charge {
  pk: string;
  attr: 'n' | 't';
  amount: number;
}

export interface Admission {
  /** Resolves when admitted; rejects with a 429/402 GatewayError. */
  ready: Promise<void>;
  /** False when the key has no limit to check: `ready` has resolved already, nothing to await. */
  waits: boolean;
  /** Corrects the TPM charge with the real token count (awaited by finish); undefined when there is nothing to correct. */
  settle(actualTokens: number | null): Promise<void> | undefined;
  /** The budget reservation made for this request (set once `ready` has resolved or failed). */
  reservation(): Reservation | undefined;
}

async function charge(table: string, c: Charge, limitPerShard: number, windowEnd: number): Promise<boolean> {
  const { client, sdk } = await dynamo();
  try {
    await client.send(
      new sdk.UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: c.pk }, sk: { S: 'rl' } },
        UpdateExpression: 'ADD #a :amt SET #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(#a) OR #a <= :room',
        ExpressionAttributeNames: { '#a': c.attr, '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':amt': { N: String(c.amount) },
          ':room': { N: String(limitPerShard - c.amount) },
          ':ttl': { N: String(Math.ceil(windowEnd / 1000) + 120) },
        },
      }),
    );
    return true;
  } catch (err) {
    if (err instanceof Error && err.name === 'ConditionalCheckFailedException') return false;
    throw err;
  }
}

const budgetError = (budget: number, estimate: number): GatewayError =>
  new GatewayError(
    402,
    'budget_exceeded',
    `This API key's budget of $${(budget / 1e6).toFixed(2)} has no room for this request (up to $${(estimate / 1e6).toFixed(4)}).`,
    { code: 'budget_exceeded' },
  );

/**
 * One conditional update: reserve `estimate` µ$ of the key's budget, or refuse. A ledger from
 * before reservations (no `committedMicros` yet) is judged by its spend; the ledger writer then
 * repairs it once (totals.ts, rowMaintenance).
 */
export async function reserve(keyId: string, budget: number, estimate: number, now = Date.now(), retry = true): Promise<Reservation | undefined> {
  if (estimate > budget) return undefined; // cannot fit even an untouched budget: no call needed
  const { client, sdk } = await dynamo();
  const bucket = reservationBucket(now);
  try {
    await client.send(
      new sdk.UpdateItemCommand({
        TableName: gatewayConfig().tables.usage,
        Key: { pk: { S: `tot#${keyId}` }, sk: { S: 'all' } },
        UpdateExpression: 'ADD committedMicros :e, #b :e',
        ConditionExpression: 'committedMicros <= :room OR (attribute_not_exists(committedMicros) AND (attribute_not_exists(costMicros) OR costMicros <= :room))',
        ExpressionAttributeNames: { '#b': bucketAttr(bucket) },
        ExpressionAttributeValues: { ':e': { N: String(estimate) }, ':room': { N: String(budget - estimate) } },
      }),
    );
    return { micros: estimate, bucket };
  } catch (err) {
    if (!(err instanceof Error && err.name === 'ConditionalCheckFailedException')) throw err;
    // Refused: if requests that died still hold part of the budget, release it and try once more.
    return retry && (await releaseLeaked(keyId, now)) ? reserve(keyId, budget, estimate, now, false) : undefined;
  }
}

export interface BudgetInput {
  /** The request's maximum cost in µ$ (see pricing.ts maxCostMicros). */
  maxCostMicros: () => Promise<number>;
}

/** The maximum cost of a request on a route: its reservation tokens at the dearest target's prices. */
export function budgetInput(route: Route, bodyText: string, json: Record<string, unknown>): BudgetInput {
  return {
    async maxCostMicros() {
      const t = reservationTokens(bodyText, json);
      // Every prompt token at the dearest input-side rate (a 1 h cache write costs the most).
      const targets = (await targetProtocols(route)).map((t) => ({ protocol: adapterFor(t.protocol).recordName, model: t.model }));
      return maxCostMicros(targets, { ...emptyUsage(), cacheWrite1hTokens: t.input, outputTokens: t.output });
    },
  };
}

export function admit(key: GatewayKey, estimate: number, budgetInput?: BudgetInput, now = Date.now(), random = Math.random): Admission {
  if (key.rpm === undefined && key.tpm === undefined && key.budgetMicros === undefined) {
    return UNLIMITED;
  }
  const table = gatewayConfig().tables.state;
  const minute = Math.floor(now / WINDOW_MS);
  const windowEnd = (minute + 1) * WINDOW_MS;
  const retryAfterS = Math.max(1, Math.ceil((windowEnd - now) / 1000));
  let tpmCharge: Charge | undefined;
  let reservation: Reservation | undefined;
  const checks: Promise<void>[] = [];
  if (key.budgetMicros !== undefined) {
    const budget = key.budgetMicros;
    checks.push(
      (async () => {
        const est = budgetInput ? await budgetInput.maxCostMicros() : 0;
        const r = await reserve(key.id, budget, est, now);
        if (!r) throw budgetError(budget, est);
        reservation = r;
      })(),
    );
  }
  if (key.rpm !== undefined) {
    const shards = shardsFor(key.rpm);
    const c: Charge = { pk: `rl#${key.id}#${minute}#r${Math.floor(random() * shards)}`, attr: 'n', amount: 1 };
    const perShard = Math.ceil(key.rpm / shards);
    checks.push(
      charge(table, c, perShard, windowEnd).then((ok) => {
        if (!ok) throw new GatewayError(429, 'rate_limit', `Rate limit of ${key.rpm} requests per minute reached for this key.`, { retryAfterS });
      }),
    );
  }
  if (key.tpm !== undefined) {
    const shards = shardsFor(key.tpm);
    const c: Charge = { pk: `rl#${key.id}#${minute}#t${Math.floor(random() * shards)}`, attr: 't', amount: Math.min(estimate, key.tpm) };
    const perShard = Math.ceil(key.tpm / shards);
    checks.push(
      charge(table, c, perShard, windowEnd).then((ok) => {
        if (!ok) throw new GatewayError(429, 'rate_limit', `Rate limit of ${key.tpm} tokens per minute reached for this key.`, { retryAfterS });
        tpmCharge = c;
      }),
    );
  }
  const ready = Promise.all(checks).then(() => undefined);
  ready.catch(() => undefined);
  return {
    ready,
    waits: true,
    reservation: () => reservation,
    settle(actual) {
      if (!tpmCharge || actual === null) return undefined;
      const delta = actual - tpmCharge.amount;
      if (delta === 0) return undefined;
      return correct(table, tpmCharge.pk, delta);
    },
  };
}

/** A key without limits: admitted at once, with nothing to settle (one shared object, no promise per request). */
const UNLIMITED: Admission = { ready: Promise.resolve(), waits: false, settle: () => undefined, reservation: () => undefined };

async function correct(table: string, pk: string, delta: number): Promise<void> {
  const { client, sdk } = await dynamo();
  await client
    .send(
      new sdk.UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: pk }, sk: { S: 'rl' } },
        UpdateExpression: 'ADD t :d',
        ExpressionAttributeValues: { ':d': { N: String(delta) } },
      }),
    )
    .catch(() => undefined);
}
