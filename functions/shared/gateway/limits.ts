/**
 * Per-key admission: requests per minute (RPM), tokens per minute (TPM), and the spend budget.
 *
 * Each limit is one conditional UpdateItem on a fixed one-minute window in the state table
 * (pk=`rl#<keyId>#<minute>#<shard>`). Counters are sharded when a limit is high enough that one
 * partition's write rate (1,000 writes/s) could cap it: the limit is split evenly across shards
 * and a request lands on a random shard. TPM is charged at admission with an estimate (prompt
 * characters / 4 + the requested max output) and corrected with the real usage at the end.
 *
 * Admission runs beside the upstream request, not in front of it (limits are rarely hit, and
 * the upstream's first byte takes far longer than one UpdateItem): the caller starts it, sends
 * the upstream request at once, and awaits admission before the first byte reaches the client.
 * A refusal aborts the upstream call.
 */
import { gatewayConfig } from '../config.js';
import { dynamo } from '../store/dynamo.js';
import type { GatewayKey } from '../store/records.js';
import { TtlCache } from '../store/cache.js';
import { GatewayError } from './errors.js';

const WINDOW_MS = 60_000;
const WRITES_PER_SHARD_PER_MIN = 30_000; // ~500/s, half a partition's write capacity

export function shardsFor(limit: number): number {
  return Math.max(1, Math.ceil(limit / WRITES_PER_SHARD_PER_MIN));
}

/** A rough token estimate for admission: ~4 characters per token plus the output cap. */
export function estimateTokens(bodyText: string, json: Record<string, unknown>): number {
  const maxOut = [json.max_tokens, json.max_completion_tokens, json.max_output_tokens].find((v): v is number => typeof v === 'number');
  return Math.ceil(bodyText.length / 4) + (maxOut ?? 1024);
}

interface Charge {
  pk: string;
  attr: 'n' | 't';
  amount: number;
}

export interface Admission {
  /** Resolves when admitted; rejects with a 429/402 GatewayError. */
  ready: Promise<void>;
  /** Corrects the TPM charge with the real token count (awaited by finish). */
  settle(actualTokens: number | null): Promise<void>;
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

const spendCache = new TtlCache<number>(10_000);
const SPEND_TTL_MS = 5_000;

/** Lifetime spend of a key from the ledger's per-key totals (cached a few seconds). */
async function spentMicros(keyId: string): Promise<number> {
  const hit = spendCache.get(keyId);
  if (hit !== undefined) return hit;
  const { client, sdk } = await dynamo();
  const res = await client.send(
    new sdk.GetItemCommand({
      TableName: gatewayConfig().tables.usage,
      Key: { pk: { S: `tot#${keyId}` }, sk: { S: 'all' } },
      ProjectionExpression: 'costMicros',
    }),
  );
  const v = Number(res.Item?.costMicros?.N ?? 0);
  spendCache.set(keyId, v, SPEND_TTL_MS);
  return v;
}

export function admit(key: GatewayKey, estimate: number, now = Date.now(), random = Math.random): Admission {
  if (key.rpm === undefined && key.tpm === undefined && key.budgetMicros === undefined) {
    return { ready: Promise.resolve(), settle: async () => undefined };
  }
  const table = gatewayConfig().tables.state;
  const minute = Math.floor(now / WINDOW_MS);
  const windowEnd = (minute + 1) * WINDOW_MS;
  const retryAfterS = Math.max(1, Math.ceil((windowEnd - now) / 1000));
  let tpmCharge: Charge | undefined;
  const checks: Promise<void>[] = [];
  if (key.budgetMicros !== undefined) {
    const budget = key.budgetMicros;
    checks.push(
      spentMicros(key.id).then((spent) => {
        if (spent >= budget) {
          throw new GatewayError(402, 'budget_exceeded', `This API key has used its budget of $${(budget / 1e6).toFixed(2)}.`, {
            code: 'budget_exceeded',
          });
        }
      }),
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
    async settle(actual) {
      if (!tpmCharge || actual === null) return;
      const delta = actual - tpmCharge.amount;
      if (delta === 0) return;
      const { client, sdk } = await dynamo();
      await client
        .send(
          new sdk.UpdateItemCommand({
            TableName: table,
            Key: { pk: { S: tpmCharge.pk }, sk: { S: 'rl' } },
            UpdateExpression: 'ADD t :d',
            ExpressionAttributeValues: { ':d': { N: String(delta) } },
          }),
        )
        .catch(() => undefined);
    },
  };
}

export function resetLimits(): void {
  spendCache.clear();
}
