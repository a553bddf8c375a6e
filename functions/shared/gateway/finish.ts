/**
 * The end of every request: one usage record, in one structured log line carrying the whole
 * record (and CloudWatch Embedded Metric Format fields), written before the response's last
 * byte. That line is the record's durable copy: the ledger writer takes it from the log
 * (CloudWatch subscription in AWS, the in-process batcher locally) and writes the ledger and the
 * totals in batches, exactly once per request id (design invariant 3). The gateway itself makes
 * no ledger call; after the response it only waits for the key-health writes it started.
 */
import { gatewayConfig } from '../config.js';
import { log, logAlways } from '../logging/log.js';
import type { FunctionUrlEvent } from '../runtime/awslambda.js';
import { flushHealthWrites } from '../upstream/health.js';
import type { UsageRecord } from '../usage/record.js';
import type { Protocol } from '../usage/types.js';
import { GatewayError } from './errors.js';

export function newRecord(requestId: string, event: FunctionUrlEvent, fn: string, client: Protocol): UsageRecord {
  return {
    requestId,
    lambdaRequestId: event.requestContext.requestId,
    time: new Date().toISOString(),
    stage: gatewayConfig().stage,
    fn,
    keyId: null,
    model: null,
    clientProtocol: client,
    provider: null,
    upstreamId: null,
    upstreamModel: null,
    upstreamKeyId: null,
    stream: false,
    status: 0,
    errorType: null,
    attempts: [],
    usage: null,
    costMicros: 0,
    priceSource: 'unknown',
    priceVersion: '',
    ttfbMs: null,
    durationMs: 0,
    upstreamMs: 0,
    overheadMs: 0,
    cutShort: null,
    notes: [],
  };
}

/** Anything thrown on the request path, as the error the client will see. */
export function asGatewayError(err: unknown, requestId: string): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof Error && err.name === 'TranslationError') {
    const param = (err as Error & { param?: string }).param;
    return new GatewayError(400, 'invalid_request', err.message, param ? { param } : {});
  }
  log('error', 'unexpected error on the request path', {
    requestId,
    error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    stack: err instanceof Error ? err.stack?.split('\n').slice(0, 6).join('\n') : undefined,
  });
  return new GatewayError(500, 'internal', `Internal gateway error (request ${requestId}).`);
}

const round = (n: number): number => Math.round(n * 10) / 10;

/** CloudWatch Embedded Metric Format: what the dashboard and alarms read (the same on every line). */
const EMF_METRICS = [
  {
    Namespace: 'EzyBus',
    Dimensions: [['Stage', 'Function']],
    Metrics: [
      { Name: 'TTFB', Unit: 'Milliseconds' },
      { Name: 'InputTokens', Unit: 'Count' },
      { Name: 'OutputTokens', Unit: 'Count' },
      { Name: 'CostMicros', Unit: 'Count' },
      { Name: 'Failovers', Unit: 'Count' },
      { Name: 'UpstreamErrors', Unit: 'Count' },
    ],
  },
] as const;
/** The EMF block's constant part, serialised once: only its Timestamp changes per line. */
const EMF_TAIL = `,"CloudWatchMetrics":${JSON.stringify(EMF_METRICS)}}`;

/**
 * Seals the record and writes its log line — before the response's last byte, so an execution
 * environment that dies right after the client saw the end still leaves the complete record in
 * the logs for `ezybus ledger replay`. (stdout writes are synchronous on Linux pipes.)
 */
export function seal(rec: UsageRecord, startedAt: number): void {
  rec.durationMs = round(performance.now() - startedAt);
  rec.upstreamMs = rec.attempts.reduce((s, a) => s + a.ms, 0);
  rec.overheadMs = round(Math.max(0, rec.durationMs - rec.upstreamMs));
  if (rec.ttfbMs !== null) rec.ttfbMs = round(rec.ttfbMs);
  const u = rec.usage;
  // Written whatever EZYBUS_LOG_LEVEL says: the ledger is built from this line.
  logAlways(rec.status >= 500 ? 'error' : rec.status >= 400 ? 'warn' : 'info', 'request', {
    requestId: rec.requestId,
    fn: rec.fn,
    provider: rec.provider,
    model: rec.model,
    status: rec.status,
    ttfbMs: rec.ttfbMs,
    durationMs: rec.durationMs,
    costMicros: rec.costMicros,
    attempts: rec.attempts.length,
    record: rec,
    Stage: rec.stage,
    Function: rec.fn,
    TTFB: rec.ttfbMs ?? undefined,
    InputTokens: u ? u.inputTokens + u.cacheReadTokens + u.cacheWrite5mTokens + u.cacheWrite1hTokens : 0,
    OutputTokens: u?.outputTokens ?? 0,
    CostMicros: rec.costMicros,
    Failovers: Math.max(0, rec.attempts.length - 1),
    UpstreamErrors: rec.attempts.filter((a) => a.outcome !== 200 && !(typeof a.outcome === 'number' && a.outcome < 300)).length,
  }, `,"_aws":{"Timestamp":${Date.now()}${EMF_TAIL}`);
}

/**
 * What must end before the handler returns: the key-health writes that ran beside the request
 * (Lambda freezes at return). The record itself is already durable in its log line.
 */
export function persist(_rec: UsageRecord): Promise<void> | undefined {
  return flushHealthWrites();
}
