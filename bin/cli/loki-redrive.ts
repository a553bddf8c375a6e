/**
 * `ezybus loki redrive`: empties the Loki shipper's DLQ into Loki. Each message's entries are
 * pushed into their redrive streams (functions/shared/loki/redrive.ts explains why not the live
 * ones); a message is deleted from the queue only after all of its entries were accepted, so a
 * run that fails halfway can simply be run again (Loki ignores an entry it already holds).
 */
import { awsSettings } from '../../functions/shared/config.js';
import { jsonService, type JsonService } from '../../functions/shared/aws/json-client.js';
import { createLokiPusher, type LokiAuth } from '../../functions/shared/loki/push.js';
import type { TenantLimits } from '../../functions/shared/loki/limits.js';
import { redriveBatch } from '../../functions/shared/loki/redrive.js';

export interface RedriveOptions {
  queueUrl: string;
  stage: string;
  loki: { url: string; tenant?: string | undefined; auth?: () => Promise<LokiAuth | undefined> };
  limits: TenantLimits;
  sqsEndpoint?: string | undefined;
  now?: () => number;
  /** Stop after this many messages (default: until the queue is empty). */
  maxMessages?: number;
}

export interface RedriveResult {
  messages: number;
  redriven: number;
  entries: number;
  failed: Array<{ messageId: string; reason: string }>;
}

interface SqsMessage {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
}

export async function redriveDlq(opts: RedriveOptions, sqs: JsonService = jsonService({ service: 'sqs', targetPrefix: 'AmazonSQS', contentType: 'application/x-amz-json-1.0', endpoint: opts.sqsEndpoint, aws: awsSettings(process.env) })): Promise<RedriveResult> {
  const now = opts.now ?? Date.now;
  const l = opts.limits;
  const pusher = createLokiPusher({ ...opts.loki, maxBatchBytes: l.maxPushBytes, maxBatchEntries: l.maxPushEntries, maxLineBytes: l.maxLineBytes });
  const result: RedriveResult = { messages: 0, redriven: 0, entries: 0, failed: [] };
  const seen = new Set<string>();
  for (;;) {
    if (opts.maxMessages !== undefined && result.messages >= opts.maxMessages) break;
    // Long enough to push a batch; a message whose push fails becomes visible again after it.
    const got = await sqs.send<{ Messages?: SqsMessage[] }>('ReceiveMessage', { QueueUrl: opts.queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 120, WaitTimeSeconds: 0 });
    const messages = (got.Messages ?? []).filter((m) => !seen.has(m.MessageId));
    if (!messages.length) break;
    for (const m of messages) {
      seen.add(m.MessageId);
      result.messages++;
      const batch = redriveBatch(m.Body, { stage: opts.stage, nowMs: now(), maxAgeMs: l.maxAgeMs, bounds: { maxValueBytes: l.maxMetadataValueBytes, maxTotalBytes: l.maxMetadataBytes } });
      if (batch.unreadable) {
        result.failed.push({ messageId: m.MessageId, reason: batch.unreadable });
        continue;
      }
      try {
        if (batch.entries.length) await pusher.push(batch.entries);
        await sqs.send('DeleteMessage', { QueueUrl: opts.queueUrl, ReceiptHandle: m.ReceiptHandle });
        result.redriven++;
        result.entries += batch.entries.length;
      } catch (err) {
        result.failed.push({ messageId: m.MessageId, reason: (err as Error).message.slice(0, 400) });
      }
    }
  }
  return result;
}
