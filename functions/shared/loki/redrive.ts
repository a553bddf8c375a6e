/**
 * Redriving log batches that the shipper parked in its DLQ. Each DLQ message is Lambda's
 * on-failure destination record for one async invocation: the original CloudWatch Logs
 * subscription event sits in `requestPayload`.
 *
 * Why the entries cannot simply be pushed again: Loki refuses an entry that is more than
 * max_chunk_age/2 (1 h) older than the newest entry of its stream ("entry too far behind"), and
 * any entry older than reject_old_samples_max_age (7 days). After an outage longer than an hour
 * the live streams have moved on. So a redriven entry goes to its own stream: its original
 * labels plus `redrive="<UTC hour of the entry>"`. Each such stream spans one hour, so no entry
 * in it can be too far behind another whatever order the batches arrive in, and the stream count
 * stays bounded (one per hour of outage). Entries older than the age limit (the DLQ keeps
 * messages 14 days) are re-stamped just inside it, their original time kept in the structured
 * metadata field `originalTime`, under `redrive="expired"`. The line itself is never changed.
 */
import { decodeSubscription } from './decode.js';
import { functionFromLogGroup, toEntry, type Entry, type MetadataBounds } from './entries.js';

export interface DlqBatch {
  entries: Entry[];
  /** Why the message could not be read, when it could not. */
  unreadable?: string;
}

const NS_PER_MS = 1_000_000n;

/** The entries of one DLQ message body, relabelled for redrive. */
export function redriveBatch(body: string, opts: { stage: string; nowMs: number; maxAgeMs: number; bounds?: MetadataBounds }): DlqBatch {
  let data: string | undefined;
  try {
    const record = JSON.parse(body) as { requestPayload?: { awslogs?: { data?: unknown } } };
    const d = record.requestPayload?.awslogs?.data;
    if (typeof d === 'string') data = d;
  } catch {
    // reported below
  }
  if (!data) return { entries: [], unreadable: 'not a Lambda destination record with a CloudWatch Logs payload' };
  let payload: ReturnType<typeof decodeSubscription>;
  try {
    payload = decodeSubscription(data);
  } catch (err) {
    return { entries: [], unreadable: `payload does not decode: ${(err as Error).message.slice(0, 200)}` };
  }
  if (!payload) return { entries: [] };
  const fn = functionFromLogGroup(payload.logGroup, opts.stage);
  // An hour inside the age limit: the push may reach Loki a while after this runs.
  const oldestOk = opts.nowMs - opts.maxAgeMs + 3_600_000;
  const entries = payload.logEvents.map((e, i) => {
    const entry = toEntry(e.message, e.timestamp, { stage: opts.stage, fn }, opts.bounds);
    if (e.timestamp >= oldestOk) {
      entry.labels = { ...entry.labels, redrive: new Date(e.timestamp).toISOString().slice(0, 13) };
      return entry;
    }
    // Order kept: each expired entry one nanosecond after the one before it.
    entry.ts = (BigInt(Math.trunc(oldestOk)) * NS_PER_MS + BigInt(i)).toString();
    entry.labels = { ...entry.labels, redrive: 'expired' };
    entry.metadata = { ...entry.metadata, originalTime: new Date(e.timestamp).toISOString() };
    return entry;
  });
  return { entries };
}
