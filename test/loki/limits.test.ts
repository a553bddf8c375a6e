/**
 * The shipper against a receiver that enforces Loki 3.7's default limits (receiver.ts), one
 * fault case at a time: for each, how many lines were sent and how many Loki holds afterwards.
 * The figures are printed at the end (`lines sent / found per fault case`).
 */
import { execFile } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { redriveDlq } from '../../bin/cli/loki-redrive.js';
import { jsonService } from '../../functions/shared/aws/json-client.js';
import { shipperHandler, type ShipperHandler } from '../../functions/loki-shipper.js';
import { awsSettings, type Env } from '../../functions/shared/config.js';
import { createLokiExporter } from '../../functions/shared/loki/exporter.js';
import { DEFAULT_TENANT_LIMITS } from '../../functions/shared/loki/limits.js';
import { hasMoto, startMoto } from '../helpers/moto.js';
import { startStack } from '../helpers/stack.js';
import { startReceiver, type Receiver } from './receiver.js';

const NOW = 1_796_000_000_000; // the receiver's clock; log events are stamped relative to it
const HOUR = 3_600_000;
const figures: Array<{ case: string; sent: number; found: number }> = [];
afterAll(() => {
  process.stdout.write(`Loki fault cases (lines sent / found):\n${figures.map((f) => `  ${f.case}: ${f.sent} / ${f.found}`).join('\n')}\n`);
});

let seq = 0;
function subscription(messages: string[], atMs: number, logGroup = '/aws/lambda/ezybus-local-messages'): { awslogs: { data: string } } {
  const body = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup,
    logStream: '2026/11/24/[$LATEST]abcdef',
    subscriptionFilters: ['toLoki'],
    logEvents: messages.map((message, i) => ({ id: String(++seq), timestamp: atMs + i, message })),
  };
  return { awslogs: { data: gzipSync(JSON.stringify(body)).toString('base64') } };
}

/** The shipper function's environment in the current case, and the shipper built from it. */
let env: Env = {};
let handler: ShipperHandler;
/** A fresh shipper function whose environment is the case's plus `extra` (as a redeploy with one variable changed). */
const reconfigure = (extra: Env): void => void (handler = shipperHandler((env = { ...env, ...extra })));

async function withReceiver<T>(fn: (rx: Receiver) => Promise<T>, limits?: Parameters<typeof startReceiver>[0]): Promise<T> {
  const rx = await startReceiver({ now: NOW, ...limits });
  env = {};
  reconfigure({ EZYBUS_STAGE: 'local', EZYBUS_LOKI_URL: rx.url, EZYBUS_LOKI_TENANT: 'tenant-1', EZYBUS_LOKI_CREDENTIALS: '' });
  try {
    return await fn(rx);
  } finally {
    await rx.close();
  }
}

const found = (rx: Receiver, pred: (line: string) => boolean = () => true): number => rx.stored.filter((e) => pred(e.line)).length;
const line = (i: number, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ level: 'info', msg: 'request', requestId: `req-${i}`, fn: 'messages', provider: 'anthropic', status: 200, record: { requestId: `req-${i}`, keyId: 'key_1', upstreamId: 'anthropic', errorType: null }, ...extra });

describe('the shipper within Loki 3.7’s default limits', () => {
  it('bounds structured metadata: a line with a 70 KB model name is stored, with its metadata cut', async () => {
    await withReceiver(async (rx) => {
      const lines = [line(1, { model: 'm'.repeat(70_000) }), line(2, { model: 'ok' })];
      await handler(subscription(lines, NOW - 1000));
      const got = rx.stored.find((e) => e.line === lines[0]);
      expect(got).toBeDefined();
      const mdBytes = Object.entries(got!.metadata).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
      expect(mdBytes).toBeLessThanOrEqual(DEFAULT_TENANT_LIMITS.maxMetadataBytes);
      expect(Buffer.byteLength(got!.metadata.model!)).toBeLessThanOrEqual(DEFAULT_TENANT_LIMITS.maxMetadataValueBytes);
      figures.push({ case: 'structured metadata over 64 KB', sent: lines.length, found: found(rx) });
      expect(found(rx)).toBe(2);
    });
  });

  it('the receiver refuses what real Loki refuses, with Loki’s status and message', async () => {
    await withReceiver(async (rx) => {
      const post = (streams: unknown): Promise<Response> => fetch(`${rx.url}/loki/api/v1/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ streams }) });
      const ts = (ms: number): string => `${ms}000000`;
      const cases: Array<[unknown, number, RegExp]> = [
        [[{ stream: { a: 'b' }, values: [[ts(NOW), 'x'.repeat(256 * 1024 + 1)]] }], 400, /max entry size '262144' bytes exceeded for stream '\{a="b"\}'/],
        [[{ stream: { a: 'b' }, values: [[ts(NOW), 'x', { m: 'v'.repeat(70_000) }]] }], 400, /has structured metadata too large: '70001' bytes, limit: '65536' bytes/],
        [[{ stream: { a: 'b' }, values: [[ts(NOW - 8 * 24 * HOUR), 'old']] }], 400, /has timestamp too old: .*oldest acceptable timestamp is/],
        [[{ stream: { a: 'b' }, values: [[ts(NOW + HOUR), 'future']] }], 400, /has timestamp too new/],
        [[{ stream: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`l${i}`, 'v'])), values: [[ts(NOW), 'x']] }], 400, /has 16 label names; limit 15/],
        [[{ stream: { a: 'v'.repeat(2049) }, values: [[ts(NOW), 'x']] }], 400, /has label value too long/],
        [[{ stream: { ['n'.repeat(1025)]: 'v' }, values: [[ts(NOW), 'x']] }], 400, /has label name too long/],
        [[{ stream: {}, values: [[ts(NOW), 'x']] }], 400, /at least one label pair is required per stream/],
        [[{ stream: { a: 'b' }, values: [[ts(NOW), 'newest']] }, { stream: { a: 'b' }, values: [[ts(NOW - 2 * HOUR), 'behind']] }], 400, /entry too far behind, entry timestamp is: .*oldest acceptable timestamp is/],
      ];
      for (const [streams, status, message] of cases) {
        const res = await post(streams);
        expect(res.status).toBe(status);
        expect(await res.text()).toMatch(message);
      }
      // Valid entries of a refused push are kept, as Loki keeps them.
      expect(rx.stored.map((e) => e.line)).toEqual(['newest']);
      // The ingestion rate: a push over the 6 MB burst is refused with 429, the rate refills.
      const big = Array.from({ length: 20 }, (_, i) => [ts(NOW + i), 'y'.repeat(250 * 1024)]);
      expect((await post([{ stream: { a: 'c' }, values: big }])).status).toBe(204);
      const again = await post([{ stream: { a: 'c' }, values: big.map(([t]) => [t, 'z'.repeat(250 * 1024)]) }]);
      expect(again.status).toBe(429);
      expect(await again.text()).toMatch(/^ingestion rate limit exceeded for user fake \(limit: 4194304 bytes\/sec\) while attempting to ingest '20' lines totaling '5120000' bytes/);
      rx.advance(2000);
      expect((await post([{ stream: { a: 'c' }, values: big.map(([t]) => [t, 'z'.repeat(250 * 1024)]) }])).status).toBe(204);
    });
  });

  it('counts push size in bytes: multi-byte lines never make a push over the configured bytes', async () => {
    await withReceiver(
      async (rx) => {
        // 3,000 lines of 1,000 '€' (3 bytes each): 9 MB, or 3 M UTF-16 units.
        const lines = Array.from({ length: 3000 }, (_, i) => `${i} ${'€'.repeat(1000)}`);
        reconfigure({ EZYBUS_LOKI_MAX_PUSH_BYTES: String(1024 * 1024) });
        // Each push must fit a tenant whose burst is 2 MB; the clock moves as the shipper backs off.
        await handler(subscription(lines, NOW - 10_000));
        expect(Math.max(...rx.pushes.map((p) => p.bytes))).toBeLessThanOrEqual(1024 * 1024);
        figures.push({ case: 'multi-byte lines, 2 MB burst', sent: lines.length, found: found(rx) });
        expect(found(rx)).toBe(lines.length);
      },
      { limits: { ingestionBurstBytes: 2 * 1024 * 1024, ingestionRateBytes: 1024 * 1024 * 1024 }, running: true },
    );
  });

  it('truncates lines to the tenant’s max_line_size, from configuration', async () => {
    await withReceiver(
      async (rx) => {
        reconfigure({ EZYBUS_LOKI_MAX_LINE_BYTES: String(64 * 1024) });
        const lines = [`${'é'.repeat(40_000)}`, 'short'];
        await handler(subscription(lines, NOW - 1000));
        expect(rx.stored.every((e) => Buffer.byteLength(e.line) <= 64 * 1024)).toBe(true);
        figures.push({ case: 'line over a 64 KB max_line_size', sent: lines.length, found: found(rx) });
        expect(found(rx)).toBe(2);
      },
      { limits: { maxLineBytes: 64 * 1024 } },
    );
  });

  it('fills keyId, upstreamId and errorType from real gateway lines, /v1/models included', async () => {
    const s = await startStack();
    let lines: string[];
    try {
      const auth = { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' };
      await (await fetch(`${s.url}/v1/chat/completions`, { method: 'POST', headers: auth, body: JSON.stringify({ model: 'claude-test', messages: [{ role: 'user', content: 'hi' }] }) })).text();
      await (await fetch(`${s.url}/v1/chat/completions`, { method: 'POST', headers: auth, body: JSON.stringify({ model: 'nope', messages: [{ role: 'user', content: 'hi' }] }) })).text();
      await (await fetch(`${s.url}/v1/models`, { headers: auth })).text();
      lines = s.logs.filter((l) => (JSON.parse(l) as { msg?: string }).msg === 'request');
    } finally {
      await s.close();
    }
    await withReceiver(async (rx) => {
      await handler(subscription(lines, NOW - 1000));
      const md = rx.stored.map((e) => ({ labels: e.labels, metadata: e.metadata }));
      const ok = md.find((e) => e.labels.function === 'chat-completions' && e.labels.status_class === '2xx');
      expect(ok?.metadata).toMatchObject({ keyId: expect.stringMatching(/^gk_/) as unknown, upstreamId: 'sim-anthropic', model: 'claude-test' });
      const notFound = md.find((e) => e.labels.status_class === '4xx');
      expect(notFound?.metadata).toMatchObject({ errorType: 'not_found', keyId: ok?.metadata.keyId });
      const models = md.find((e) => e.labels.function === 'models');
      expect(models?.metadata).toMatchObject({ keyId: ok?.metadata.keyId, durationMs: expect.any(String) as unknown });
      figures.push({ case: 'gateway lines incl. /v1/models', sent: lines.length, found: found(rx) });
      expect(found(rx)).toBe(lines.length);
    });
  });

  it('the local exporter buffers while Loki is down, retries, and counts what its bound made it drop', async () => {
    await withReceiver(async (rx) => {
      let clock = NOW;
      const errors: string[] = [];
      const exp = createLokiExporter({ url: rx.url, stage: 'local', intervalMs: 60_000, maxBufferedLines: 50, now: () => clock, onError: (e) => errors.push(e.message) });
      rx.down(502);
      for (let i = 0; i < 30; i++) exp.push(line(i));
      await exp.flush(); // Loki down: kept
      expect(exp.stats()).toMatchObject({ sent: 0, buffered: 30, dropped: 0 });
      for (let i = 30; i < 80; i++) exp.push(line(i)); // 80 > 50: the 30 oldest go
      await exp.flush();
      expect(exp.stats()).toMatchObject({ sent: 0, buffered: 50, dropped: 30 });
      rx.up();
      clock += 1000;
      await exp.close();
      expect(exp.stats()).toMatchObject({ sent: 50, dropped: 30, buffered: 0 });
      expect(errors.at(-1)).toMatch(/50 lines sent, 30 dropped while Loki was unreachable/);
      figures.push({ case: 'local exporter, Loki down (buffer 50)', sent: 80, found: found(rx) });
      expect(found(rx)).toBe(50);
    });
  });
});

describe.skipIf(!hasMoto() && !process.env.CI)('DLQ redrive (moto SQS)', () => {
  it('redrives batches older than the stream’s out-of-order window and past the age limit; the live push refuses them', async () => {
    const moto = await startMoto();
    const aws = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' };
    try {
      const sqs = jsonService({ service: 'sqs', targetPrefix: 'AmazonSQS', contentType: 'application/x-amz-json-1.0', endpoint: moto.endpoint, aws: awsSettings(aws) });
      const { QueueUrl } = await sqs.send<{ QueueUrl: string }>('CreateQueue', { QueueName: 'ezybus-local-loki-dlq' });
      await withReceiver(async (rx) => {
        // Live traffic reached Loki after the outage.
        await handler(subscription([line(1000), line(1001)], NOW - 60_000));
        // What the DLQ holds: batches from 3 h, 5 h and 8 days before (Lambda destination records).
        const old = [
          subscription(Array.from({ length: 40 }, (_, i) => line(i)), NOW - 5 * HOUR),
          subscription(Array.from({ length: 40 }, (_, i) => line(100 + i)), NOW - 3 * HOUR),
          subscription(Array.from({ length: 10 }, (_, i) => line(200 + i)), NOW - 8 * 24 * HOUR),
        ];
        // Pushed again as they are, Loki refuses them (that is why they are in the DLQ).
        await expect(handler(old[1]!)).rejects.toThrow(/rejected with 400: entry too far behind/);
        for (const payload of old) {
          await sqs.send('SendMessage', {
            QueueUrl,
            MessageBody: JSON.stringify({ version: '1.0', timestamp: new Date(NOW).toISOString(), requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 }, requestPayload: payload, responseContext: { statusCode: 200, functionError: 'Unhandled' } }),
          });
        }
        await sqs.send('SendMessage', { QueueUrl, MessageBody: 'not a destination record' });
        const r = await redriveDlq({ queueUrl: QueueUrl, stage: 'local', loki: { url: rx.url, tenant: 'tenant-1' }, limits: DEFAULT_TENANT_LIMITS, now: () => NOW }, sqs);
        expect(r).toMatchObject({ messages: 4, redriven: 3, entries: 90 });
        expect(r.failed).toEqual([expect.objectContaining({ reason: expect.stringMatching(/not a Lambda destination record/) as unknown })]);
        const redriven = rx.stored.filter((e) => e.labels.redrive !== undefined);
        expect(redriven).toHaveLength(90);
        expect(new Set(redriven.map((e) => e.labels.redrive)).size).toBe(3); // two hours and "expired"
        const expired = redriven.filter((e) => e.labels.redrive === 'expired');
        expect(expired).toHaveLength(10);
        expect(expired[0]?.metadata.originalTime).toBe(new Date(NOW - 8 * 24 * HOUR).toISOString());
        // Redriven messages left the queue; the unreadable one stays for a person to look at.
        const left = await sqs.send<{ Attributes: { ApproximateNumberOfMessages: string; ApproximateNumberOfMessagesNotVisible: string } }>('GetQueueAttributes', { QueueUrl, AttributeNames: ['All'] });
        expect(Number(left.Attributes.ApproximateNumberOfMessages) + Number(left.Attributes.ApproximateNumberOfMessagesNotVisible)).toBe(1);
        figures.push({ case: 'DLQ redrive of 3 h / 5 h / 8 d old batches', sent: 90, found: redriven.length });

        // The command an operator runs, on a batch parked 3 h ago (real clock from here).
        const real = Date.now();
        rx.setNow(real);
        const payload = subscription(Array.from({ length: 5 }, (_, i) => line(300 + i)), real - 3 * HOUR);
        await sqs.send('SendMessage', { QueueUrl, MessageBody: JSON.stringify({ version: '1.0', requestContext: { condition: 'RetriesExhausted' }, requestPayload: payload }) });
        const cli = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
          execFile(
            process.execPath,
            ['--import', 'tsx', new URL('../../bin/ezybus.ts', import.meta.url).pathname, 'loki', 'redrive', '--stage', 'local', '--queue-url', QueueUrl],
            { env: { ...process.env, ...aws, EZYBUS_SQS_ENDPOINT: moto.endpoint, EZYBUS_LOKI_URL: rx.url, EZYBUS_LOKI_TENANT: 'tenant-1', EZYBUS_LOKI_CREDENTIALS: '' }, timeout: 60_000 },
            (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
          ),
        );
        expect(cli.stderr.slice(0, 600)).toBe('');
        expect(cli.stdout).toMatch(/1 DLQ messages: 1 redriven \(5 log lines\), 0 left in the queue/);
        expect(cli.code).toBe(0);
        expect(rx.stored.filter((e) => /"requestId":"req-30\d"/.test(e.line))).toHaveLength(5);
      });
    } finally {
      await moto.close();
    }
  });
});
