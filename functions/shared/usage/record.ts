/**
 * The usage record: exactly one per request, streamed or not, translated or not. It is carried
 * whole in the request's log line before the response's last byte; the ledger writer takes it
 * from there in batches (ledger.ts), and a record DynamoDB never received can be replayed.
 */
import type { Protocol, TokenUsage } from './types.js';

export interface AttemptRecord {
  upstream: string;
  upstreamKeyId: string;
  model: string;
  /** HTTP status, or a failure kind (connect, tls, timeout, idle, aborted). */
  outcome: number | string;
  ms: number;
}

export type CutShort = 'client' | 'deadline' | 'idle' | 'upstream' | null;

export interface UsageRecord {
  requestId: string;
  lambdaRequestId: string;
  time: string;
  stage: string;
  fn: string;
  keyId: string | null;
  model: string | null;
  /** The client's wire protocol, by its record name (usage/types.ts Protocol). */
  clientProtocol: Protocol;
  /** The upstream's wire protocol, by its record name. */
  provider: Protocol | null;
  upstreamId: string | null;
  upstreamModel: string | null;
  upstreamKeyId: string | null;
  stream: boolean;
  status: number;
  errorType: string | null;
  attempts: AttemptRecord[];
  usage: TokenUsage | null;
  /** Integer micro-dollars at the price in force when the request finished. */
  costMicros: number;
  priceSource: 'override' | 'builtin' | 'unknown';
  priceVersion: string;
  ttfbMs: number | null;
  durationMs: number;
  upstreamMs: number;
  overheadMs: number;
  cutShort: CutShort;
  notes: string[];
  /**
   * The budget reservation this request made (µ$, and the 15-minute bucket it sits in); the
   * ledger writer gives it back and charges `costMicros` instead. Absent for keys without a budget.
   */
  reservation?: { micros: number; bucket: number };
}
