/**
 * The usage record inside a request's structured log line (finish.ts writes it as
 * `{"msg":"request", …, "record":{…}}`). The ledger writer Lambda reads CloudWatch messages with
 * this, and the local gateway's in-process writer reads its own lines the same way.
 */
import type { UsageRecord } from './record.js';

/** Accepts a bare JSON line or one with a prefix before the JSON (CloudWatch exports). */
export function recordFromLogLine(line: string): UsageRecord | undefined {
  // Cheap pre-filter: most lines are not request lines, and parsing them would be wasted.
  if (!line.includes('"msg":"request"')) return undefined;
  const start = line.indexOf('{');
  if (start === -1) return undefined;
  let obj: unknown;
  try {
    obj = JSON.parse(line.slice(start));
  } catch {
    return undefined;
  }
  if (typeof obj !== 'object' || obj === null) return undefined;
  const { msg, record } = obj as { msg?: unknown; record?: unknown };
  if (msg !== 'request' || typeof record !== 'object' || record === null) return undefined;
  const rec = record as Partial<UsageRecord>;
  if (typeof rec.requestId !== 'string' || !rec.requestId || typeof rec.keyId !== 'string' || !rec.keyId || typeof rec.time !== 'string') return undefined;
  return rec as UsageRecord;
}
