/**
 * Replays usage records from structured log lines into the ledger: for the rare request whose
 * ledger write failed (the log line carries the whole record). Idempotent by request id.
 *
 * A record that cannot be written (malformed, or refused by the store) is reported and skipped;
 * it never stops the replay (design invariant 3), so one poisoned line cannot hold back every
 * record after it.
 *
 * Accepted input, one log event per line unless said otherwise:
 * - the raw JSON lines the functions write (stdout, a CloudWatch export);
 * - a line with text before and after the JSON, e.g. `aws logs filter-log-events --output text`
 *   (`EVENTS <id> <ingestion> <stream> <message> <timestamp>`) or an export with a timestamp prefix;
 * - `aws logs filter-log-events --output json` (pretty-printed; each `"message": "…"` line).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { writeUsage } from '../../functions/shared/usage/ledger.js';
import type { UsageRecord } from '../../functions/shared/usage/record.js';

export interface Skipped {
  /** 1-based line number in the input. */
  line: number;
  requestId: string | null;
  reason: string;
}

export interface ReplayResult {
  lines: number;
  records: number;
  written: number;
  alreadyPresent: number;
  skipped: Skipped[];
}

type Parsed = { rec: UsageRecord } | { malformed: string; requestId: string | null } | undefined;

const MESSAGE_FIELD = /^\s*"message"\s*:\s*("(?:[^"\\]|\\.)*")\s*,?\s*$/;

/** The log event text a line holds (for the JSON output format, the decoded `message` value). */
function messageOf(line: string): string {
  const m = MESSAGE_FIELD.exec(line);
  if (!m?.[1]) return line;
  try {
    return JSON.parse(m[1]) as string;
  } catch {
    return line;
  }
}

/** The JSON object in a line that may carry text before and after it. */
function jsonObjectOf(text: string): Record<string, unknown> | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start === -1 || end < start) return undefined;
  try {
    const o = JSON.parse(text.slice(start, end + 1)) as unknown;
    return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Why a record cannot be a ledger item, or undefined when it can. */
function recordProblem(r: Record<string, unknown>): string | undefined {
  if (typeof r.requestId !== 'string' || r.requestId === '') return 'no requestId';
  if (typeof r.time !== 'string' || Number.isNaN(Date.parse(r.time))) return 'no valid time';
  if (typeof r.costMicros !== 'number' || !Number.isFinite(r.costMicros)) return 'no numeric costMicros';
  if (typeof r.status !== 'number') return 'no numeric status';
  return undefined;
}

function parseLine(line: string): Parsed {
  const obj = jsonObjectOf(messageOf(line));
  if (!obj || obj.msg !== 'request' || !obj.record || typeof obj.record !== 'object') return undefined;
  const r = obj.record as Record<string, unknown>;
  // Requests refused before a key was known are billable to no one: not records.
  if (typeof r.keyId !== 'string' || r.keyId === '') return undefined;
  const problem = recordProblem(r);
  if (problem) return { malformed: problem, requestId: typeof r.requestId === 'string' ? r.requestId.slice(0, 100) : null };
  return { rec: r as unknown as UsageRecord };
}

export async function replay(source: string | Readable, onSkip?: (s: Skipped) => void): Promise<ReplayResult> {
  const input = typeof source === 'string' ? (source === '-' ? process.stdin : createReadStream(source)) : source;
  const rl = createInterface({ input, crlfDelay: Infinity });
  const result: ReplayResult = { lines: 0, records: 0, written: 0, alreadyPresent: 0, skipped: [] };
  const skip = (s: Skipped): void => {
    result.skipped.push(s);
    onSkip?.(s);
  };
  for await (const line of rl) {
    result.lines++;
    const p = parseLine(line);
    if (!p) continue;
    result.records++;
    if ('malformed' in p) {
      skip({ line: result.lines, requestId: p.requestId, reason: `malformed record: ${p.malformed}` });
      continue;
    }
    try {
      if (await writeUsage(p.rec)) result.written++;
      else result.alreadyPresent++;
    } catch (err) {
      const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      skip({ line: result.lines, requestId: p.rec.requestId.slice(0, 100), reason: `the ledger refused it (${reason.slice(0, 300)})` });
    }
  }
  return result;
}
