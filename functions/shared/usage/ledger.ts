/**
 * The usage ledger: one item per request plus per-key running totals (lifetime, which budgets
 * read, and per day and model, which `ezybus usage` reads; a day's total is the sum of its model
 * rows, so it has no item of its own — one write fewer per request). Writing is idempotent by request id, so replaying log lines into
 * the ledger never double-counts:
 *   1. put the record only if absent, marked `totals: "pending"`;
 *   2. ADD the record's numbers to the two totals items;
 *   3. mark the record `totals: "applied"`.
 * A replay finds the record and applies totals only if the mark is still "pending". (dynalite,
 * the local engine, has no transactions; the sequence above works on both engines. The window in
 * which a crash between steps 2 and 3 would let a replay count twice is one round trip.)
 * The SDK client retries throttles and 5xx with backoff (maxAttempts 5).
 */
import { gatewayConfig } from '../config.js';
import { dynamo, marshal } from '../store/dynamo.js';
import type { UsageRecord } from './record.js';
import { putRecent } from './recent.js';

/** Ledger items expire after this many days (DynamoDB TTL); totals are kept. */
const RECORD_RETENTION_DAYS = 400;

function totalsDelta(rec: UsageRecord): Record<string, number> {
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

async function applyTotals(rec: UsageRecord): Promise<void> {
  if (!rec.keyId) return;
  const { client, sdk } = await dynamo();
  const table = gatewayConfig().tables.usage;
  const day = rec.time.slice(0, 10);
  const delta = totalsDelta(rec);
  const names: Record<string, string> = {};
  const values: Record<string, { N: string }> = {};
  const parts: string[] = [];
  Object.entries(delta).forEach(([k, v], i) => {
    names[`#f${i}`] = k;
    values[`:v${i}`] = { N: String(v) };
    parts.push(`#f${i} :v${i}`);
  });
  const sks = ['all', `day#${day}#model#${rec.model ?? 'unknown'}`];
  await Promise.all(
    sks.map((sk) =>
      client.send(
        new sdk.UpdateItemCommand({
          TableName: table,
          Key: { pk: { S: `tot#${rec.keyId}` }, sk: { S: sk } },
          UpdateExpression: `ADD ${parts.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    ),
  );
  await client.send(
    new sdk.UpdateItemCommand({
      TableName: table,
      Key: { pk: { S: `req#${rec.requestId}` }, sk: { S: 'req' } },
      UpdateExpression: 'SET totals = :a',
      ExpressionAttributeValues: { ':a': { S: 'applied' } },
    }),
  );
}

/** Writes one usage record and its totals, exactly once per request id. Returns false on a replay of a complete record. */
export async function writeUsage(rec: UsageRecord): Promise<boolean> {
  const { client, sdk } = await dynamo();
  const table = gatewayConfig().tables.usage;
  const plain = JSON.parse(JSON.stringify(rec)) as Parameters<typeof marshal>[0];
  try {
    await client.send(
      new sdk.PutItemCommand({
        TableName: table,
        Item: marshal({
          pk: `req#${rec.requestId}`,
          sk: 'req',
          ...plain,
          totals: 'pending',
          ttl: Math.floor(Date.parse(rec.time) / 1000) + RECORD_RETENTION_DAYS * 86_400,
        }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (err) {
    if (!(err instanceof Error && err.name === 'ConditionalCheckFailedException')) throw err;
    const existing = await client.send(
      new sdk.GetItemCommand({ TableName: table, Key: { pk: { S: `req#${rec.requestId}` }, sk: { S: 'req' } }, ProjectionExpression: 'totals' }),
    );
    if (existing.Item?.totals?.S !== 'pending') return false;
  }
  // The request log's row (usage/recent.ts) goes beside the totals.
  await Promise.all([applyTotals(rec), putRecent(rec)]);
  return true;
}
