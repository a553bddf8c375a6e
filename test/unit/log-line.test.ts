/**
 * The shape of a log line (logging/log.ts builds it as text around one JSON.stringify of the
 * fields, finish.ts appends the request line's EMF block pre-serialised): what CloudWatch's EMF
 * parser, the metric filters, the Loki shipper and the ledger writer read from it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { newRecord, seal } from '../../functions/shared/gateway/finish.js';
import { log, setLogSink } from '../../functions/shared/logging/log.js';
import { recordFromLogLine } from '../../functions/shared/usage/log-records.js';
import type { FunctionUrlEvent } from '../../functions/shared/runtime/awslambda.js';

const capture = (): string[] => {
  const lines: string[] = [];
  setLogSink((l) => lines.push(l));
  return lines;
};

describe('log lines', () => {
  afterEach(() => setLogSink((line) => void process.stdout.write(line + '\n')));

  it('are one JSON object: level, msg, time and stage first, then the fields as given', () => {
    const lines = capture();
    log('warn', 'a "quoted" message\nover two lines', { n: 1, s: 'x', skipped: undefined, nested: { a: [1, 2] } });
    log('warn', 'no fields');
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(['level', 'msg', 'time', 'stage', 'n', 's', 'nested']);
    expect(first).toMatchObject({ level: 'warn', msg: 'a "quoted" message\nover two lines', n: 1, s: 'x', nested: { a: [1, 2] } });
    expect(new Date(first.time as string).toISOString()).toBe(first.time);
    expect(Object.keys(JSON.parse(lines[1] as string) as object)).toEqual(['level', 'msg', 'time', 'stage']);
    expect(lines[0]).not.toContain('\n'); // one line per entry, whatever the message holds
  });

  it('a request line carries its record, its summary fields and a valid EMF block', () => {
    const lines = capture();
    const rec = newRecord('req_1', { requestContext: { requestId: 'lambda-1' } } as FunctionUrlEvent, 'chat-completions', 'openai');
    rec.status = 200;
    rec.model = 'm';
    rec.keyId = 'key-1';
    rec.attempts.push({ upstream: 'u', upstreamKeyId: 'k', model: 'm', outcome: 429, ms: 1 }, { upstream: 'u', upstreamKeyId: 'k2', model: 'm', outcome: 200, ms: 2 });
    rec.usage = { inputTokens: 10, cacheReadTokens: 5, cacheWrite5mTokens: 2, cacheWrite1hTokens: 1, outputTokens: 7, reasoningTokens: 0, reasoningEstimated: false, estimated: false };
    rec.costMicros = 42;
    rec.ttfbMs = 12.34;
    seal(rec, performance.now() - 20);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] as string) as Record<string, unknown> & { _aws: { Timestamp: number; CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] } };
    expect(line).toMatchObject({ level: 'info', msg: 'request', requestId: 'req_1', status: 200, attempts: 2, Function: 'chat-completions', InputTokens: 18, OutputTokens: 7, CostMicros: 42, Failovers: 1, UpstreamErrors: 1, TTFB: 12.3 });
    expect(line.durationMs).toBeGreaterThanOrEqual(20);
    // EMF: every metric it names is a top-level number on the line, with the named dimensions.
    expect(Math.abs(line._aws.Timestamp - Date.now())).toBeLessThan(5000);
    const [d] = line._aws.CloudWatchMetrics;
    for (const m of d?.Metrics ?? []) expect(typeof line[m.Name], m.Name).toBe('number');
    for (const dim of d?.Dimensions.flat() ?? []) expect(typeof line[dim], dim).toBe('string');
    expect(recordFromLogLine(lines[0] as string)).toEqual(rec);
  });
});
