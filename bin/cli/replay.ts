/**
 * Replays usage records from structured log lines into the ledger: for the rare request whose
 * ledger write failed (the log line carries the whole record). Idempotent by request id.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { writeUsage } from '../../functions/shared/usage/ledger.js';
import type { UsageRecord } from '../../functions/shared/usage/record.js';

export interface ReplayResult {
  lines: number;
  records: number;
  written: number;
  alreadyPresent: number;
}

/** Accepts raw JSON lines and CloudWatch-exported lines (a timestamp or prefix before the JSON). */
function recordOf(line: string): UsageRecord | undefined {
  const start = line.indexOf('{');
  if (start === -1) return undefined;
  try {
    const obj = JSON.parse(line.slice(start)) as { msg?: unknown; record?: unknown };
    if (obj.msg !== 'request' || !obj.record || typeof obj.record !== 'object') return undefined;
    const rec = obj.record as UsageRecord;
    return rec.keyId && rec.requestId ? rec : undefined;
  } catch {
    return undefined;
  }
}

export async function replay(source: string | Readable): Promise<ReplayResult> {
  const input = typeof source === 'string' ? (source === '-' ? process.stdin : createReadStream(source)) : source;
  const rl = createInterface({ input, crlfDelay: Infinity });
  const result: ReplayResult = { lines: 0, records: 0, written: 0, alreadyPresent: 0 };
  for await (const line of rl) {
    result.lines++;
    const rec = recordOf(line);
    if (!rec) continue;
    result.records++;
    if (await writeUsage(rec)) result.written++;
    else result.alreadyPresent++;
  }
  return result;
}
