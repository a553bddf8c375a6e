/**
 * Recent requests, newest first, for the operator's request log and overview. The ledger keys
 * records by request id (no order), so each record also gets a compact row in an hour bucket:
 *   usage table  pk=recent#<YYYY-MM-DDTHH>  sk=<ISO time>#<requestId>   (expires after 30 days)
 * Cost: one more PutItem of < 1 KB per request (1 write unit, $0.625 per million on demand).
 * One bucket is one partition key, which DynamoDB caps near 1,000 writes/s: past that rate the
 * bucket would need a shard suffix (docs/console.md). Reading the last N minutes is one Query
 * per hour touched.
 */
import { gatewayConfig } from '../config.js';
import { dynamo, marshal, unmarshal, type Item } from '../store/dynamo.js';
import type { UsageRecord } from './record.js';

const RETENTION_DAYS = 30;

/** What the request log shows of one request. */
export interface RequestRow {
  requestId: string;
  time: string;
  keyId: string | null;
  model: string | null;
  clientProtocol: string;
  stream: boolean;
  status: number;
  errorType: string | null;
  upstreamId: string | null;
  upstreamModel: string | null;
  attempts: { upstream: string; model: string; outcome: number | string; ms: number }[];
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  costMicros: number;
  ttfbMs: number | null;
  durationMs: number;
}

const bucketOf = (iso: string): string => `recent#${iso.slice(0, 13)}`;

export function requestRow(rec: UsageRecord): RequestRow {
  const u = rec.usage;
  return {
    requestId: rec.requestId,
    time: rec.time,
    keyId: rec.keyId,
    model: rec.model,
    clientProtocol: rec.clientProtocol,
    stream: rec.stream,
    status: rec.status,
    errorType: rec.errorType,
    upstreamId: rec.upstreamId,
    upstreamModel: rec.upstreamModel,
    attempts: rec.attempts.map((a) => ({ upstream: a.upstream, model: a.model, outcome: a.outcome, ms: a.ms })),
    inputTokens: u?.inputTokens ?? 0,
    cacheReadTokens: u?.cacheReadTokens ?? 0,
    cacheWriteTokens: (u?.cacheWrite5mTokens ?? 0) + (u?.cacheWrite1hTokens ?? 0),
    outputTokens: u?.outputTokens ?? 0,
    reasoningTokens: u?.reasoningTokens ?? 0,
    costMicros: rec.costMicros,
    ttfbMs: rec.ttfbMs,
    durationMs: rec.durationMs,
  };
}

/** Idempotent (same key, same content), so a ledger replay may write it again. */
export async function putRecent(rec: UsageRecord): Promise<void> {
  const { client, sdk } = await dynamo();
  const row = JSON.parse(JSON.stringify(requestRow(rec))) as Parameters<typeof marshal>[0];
  await client.send(
    new sdk.PutItemCommand({
      TableName: gatewayConfig().tables.usage,
      Item: marshal({ pk: bucketOf(rec.time), sk: `${rec.time}#${rec.requestId}`, ...row, ttl: Math.floor(Date.parse(rec.time) / 1000) + RETENTION_DAYS * 86_400 }),
    }),
  );
}

/**
 * Rows with time in [from, to), newest first, walking hour buckets back from `to`; stops after
 * `limit` matching rows or `maxItems` read (the caller pages on with the last row's time).
 */
export async function listRecent(opts: { from: number; to: number; limit: number; maxItems?: number; match?: (r: RequestRow) => boolean }): Promise<{ rows: RequestRow[]; scanned: number; truncated: boolean }> {
  const { client, sdk } = await dynamo();
  const rows: RequestRow[] = [];
  const maxItems = opts.maxItems ?? 5_000;
  let scanned = 0;
  const fromIso = new Date(opts.from).toISOString();
  const toIso = new Date(opts.to).toISOString();
  for (let hour = Math.floor(opts.to / 3_600_000) * 3_600_000; hour + 3_600_000 > opts.from; hour -= 3_600_000) {
    let start: Item | undefined;
    do {
      const res = await client.send(
        new sdk.QueryCommand({
          TableName: gatewayConfig().tables.usage,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b',
          ExpressionAttributeValues: { ':pk': { S: bucketOf(new Date(hour).toISOString()) }, ':a': { S: fromIso }, ':b': { S: toIso } },
          ScanIndexForward: false,
          Limit: Math.min(1_000, maxItems - scanned),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of res.Items ?? []) {
        scanned++;
        const { pk: _pk, sk, ttl: _ttl, ...rest } = unmarshal(item);
        const row = rest as unknown as RequestRow;
        // BETWEEN is inclusive; `to` is exclusive so a page cursor never repeats its last row.
        if (String(sk) >= toIso) continue;
        if (opts.match && !opts.match(row)) continue;
        rows.push(row);
        if (rows.length >= opts.limit) return { rows, scanned, truncated: true };
      }
      if (scanned >= maxItems) return { rows, scanned, truncated: true };
      start = res.LastEvaluatedKey;
    } while (start);
  }
  return { rows, scanned, truncated: false };
}
