/**
 * Lambda entry: the usage ledger writer, off the request path. Two event sources:
 * - the CloudWatch Logs subscription on the gateway functions' log groups (filtered to request
 *   lines): the records are forwarded to the ledger queue, so that batches gather records from
 *   every execution environment, not one log stream at a time;
 * - the ledger queue (SQS, batching window of a few seconds): one `writeBatch` per invocation,
 *   aggregating totals per key per batch. Messages whose records are held by another batch in
 *   progress are reported as failures and come back after the visibility timeout; after
 *   repeated failures they land in the DLQ, which `ezybus ledger redrive` replays.
 */
// The environment, read once at init into the gateway's config (edge-config.ts).
import './shared/edge-config.js';
import { sendMessage } from './shared/aws/sqs.js';
import { gatewayConfig } from './shared/config.js';
import { log } from './shared/logging/log.js';
import { writeBatch } from './shared/usage/ledger.js';
import { recordsFromMessage, recordsFromSubscription, toMessages } from './shared/usage/ledger-messages.js';
import type { UsageRecord } from './shared/usage/record.js';

export interface CloudWatchLogsEvent {
  awslogs: { data: string };
}
export interface SqsEvent {
  Records: { messageId: string; body: string }[];
}
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export async function handler(event: CloudWatchLogsEvent | SqsEvent): Promise<BatchResponse | { forwarded: number }> {
  if ('awslogs' in event) {
    const queue = gatewayConfig().ledgerQueueUrl;
    if (!queue) throw new Error('EZYBUS_LEDGER_QUEUE_URL is not set');
    const records = recordsFromSubscription(event.awslogs.data);
    for (const body of toMessages(records)) await sendMessage(queue, body);
    return { forwarded: records.length };
  }
  const byMessage = new Map<string, UsageRecord[]>();
  for (const m of event.Records) byMessage.set(m.messageId, recordsFromMessage(m.body));
  const result = await writeBatch([...byMessage.values()].flat());
  const held = new Set(result.held);
  const failures = [...byMessage].filter(([, recs]) => recs.some((r) => held.has(r.requestId))).map(([id]) => ({ itemIdentifier: id }));
  for (const r of result.rejected) log('error', 'usage record refused by the ledger; skipped', { requestId: r.requestId.slice(0, 100), reason: r.reason });
  log('info', 'ledger batch', { batchId: result.batchId, written: result.written, alreadyPresent: result.alreadyPresent, held: result.held.length, rejected: result.rejected.length });
  return { batchItemFailures: failures };
}
