/**
 * The shapes usage records travel in between the gateway's log line and the ledger:
 * - a CloudWatch Logs subscription payload (base64 gzip JSON of log events);
 * - a ledger-queue message `{"records":[…]}` (the writer's intake splits a payload into these);
 * - a Lambda async-invocation failure record (`{"requestPayload":{"awslogs":{…}}}`), which is
 *   what the DLQ holds when the intake itself failed.
 * Pure apart from gunzip.
 */
import { decodeSubscription } from '../loki/decode.js';
import { recordFromLogLine } from './log-records.js';
import type { UsageRecord } from './record.js';

/** SQS allows 256 KiB per message; stay under it with room for the envelope. */
const MAX_MESSAGE_BYTES = 240 * 1024;

export function recordsFromSubscription(data: string): UsageRecord[] {
  const payload = decodeSubscription(data);
  if (!payload) return [];
  const out: UsageRecord[] = [];
  for (const e of payload.logEvents) {
    const rec = recordFromLogLine(e.message);
    if (rec) out.push(rec);
  }
  return out;
}

/** Queue message bodies holding `records`, each under the SQS size limit. */
export function toMessages(records: readonly UsageRecord[]): string[] {
  const out: string[] = [];
  let batch: string[] = [];
  let size = 0;
  for (const r of records) {
    const s = JSON.stringify(r);
    if (batch.length && size + s.length + 1 > MAX_MESSAGE_BYTES) {
      out.push(`{"records":[${batch.join(',')}]}`);
      batch = [];
      size = 0;
    }
    batch.push(s);
    size += Buffer.byteLength(s) + 1;
  }
  if (batch.length) out.push(`{"records":[${batch.join(',')}]}`);
  return out;
}

/** Records in any message the ledger queue or its DLQ can hold; [] for what is none of them. */
export function recordsFromMessage(body: string): UsageRecord[] {
  let obj: unknown;
  try {
    obj = JSON.parse(body);
  } catch {
    return [];
  }
  if (typeof obj !== 'object' || obj === null) return [];
  const o = obj as { records?: unknown; requestPayload?: { awslogs?: { data?: unknown } } };
  if (Array.isArray(o.records)) {
    return o.records.filter((r): r is UsageRecord => typeof r === 'object' && r !== null && typeof (r as UsageRecord).requestId === 'string' && typeof (r as UsageRecord).keyId === 'string');
  }
  const data = o.requestPayload?.awslogs?.data;
  return typeof data === 'string' ? recordsFromSubscription(data) : [];
}
