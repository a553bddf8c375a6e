/**
 * The Loki shipper as Lambda runs it: real-shaped CloudWatch Logs subscription payloads
 * (gzipped, base64) into the handler, pushed over a real socket to a receiver that validates
 * Loki's push format.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { shipperHandler, type ShipperHandler } from '../../functions/loki-shipper.js';
import type { Env } from '../../functions/shared/config.js';
import { toEntry } from '../../functions/shared/loki/entries.js';
import { createLokiExporter } from '../../functions/shared/loki/exporter.js';
import { batches, createLokiPusher } from '../../functions/shared/loki/push.js';
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { hasMoto, startMoto } from '../helpers/moto.js';
import { startReceiver, type Receiver } from './receiver.js';

let rx: Receiver;
// The receiver's clock: just after the recorded events' timestamps (1_795_000_000_000 …).
beforeAll(async () => (rx = await startReceiver({ now: 1_795_000_100_000 })));
afterAll(async () => rx?.close());
/** The shipper function's environment in the current case, and the shipper built from it. */
let env: Env = {};
let handler: ShipperHandler;
/** A fresh shipper function whose environment is the case's plus `extra` (undefined: unset). */
const reconfigure = (extra: Env): void => void (handler = shipperHandler((env = { ...env, ...extra })));
beforeEach(() => {
  rx.pushes.length = 0;
  env = {};
  reconfigure({ EZYBUS_STAGE: 'local', EZYBUS_LOKI_URL: rx.url, EZYBUS_LOKI_TENANT: 'tenant-7', EZYBUS_LOKI_CREDENTIALS: JSON.stringify({ username: 'loki-user', password: 'S3CRET-PASSWORD-CANARY' }) });
});

let seq = 0;
function payload(events: Array<{ message: string; timestamp?: number }>, messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE' = 'DATA_MESSAGE'): { awslogs: { data: string } } {
  const body = {
    messageType,
    owner: '123456789012',
    logGroup: '/aws/lambda/ezybus-local-messages',
    logStream: '2026/11/24/[$LATEST]abcdef',
    subscriptionFilters: ['messagesToLoki'],
    logEvents: events.map((e, i) => ({ id: String(++seq), timestamp: e.timestamp ?? 1_795_000_000_000 + i, message: e.message })),
  };
  return { awslogs: { data: gzipSync(JSON.stringify(body)).toString('base64') } };
}

const requestLine = (i: number, status = 200): string =>
  JSON.stringify({ level: status >= 500 ? 'error' : 'info', msg: 'request', time: '2026-11-24T10:00:00.000Z', stage: 'local', requestId: `req-${i}`, fn: 'messages', provider: 'anthropic', model: 'claude-x', status, ttfbMs: 12.5, durationMs: 40, costMicros: 123, attempts: 1, record: { requestId: `req-${i}` } });

describe('Loki shipper', () => {
  it('skips CloudWatch’s control message', async () => {
    expect(await handler(payload([{ message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }], 'CONTROL_MESSAGE'))).toEqual({ entries: 0, pushes: 0 });
    expect(rx.pushes).toHaveLength(0);
  });

  it('ships every line once: JSON lines with bounded labels and per-request metadata, runtime lines as text', async () => {
    const lines = [
      'START RequestId: 6f0e Version: $LATEST',
      requestLine(1),
      requestLine(2, 503),
      'a plain line\nwith a second line',
      'REPORT RequestId: 6f0e Duration: 41.2 ms Billed Duration: 42 ms Memory Size: 1024 MB Max Memory Used: 88 MB',
    ];
    const r = await handler(payload(lines.map((message) => ({ message }))));
    expect(r).toEqual({ entries: 5, pushes: 1 });
    const push = rx.pushes[0]!;
    expect(push.gzip).toBe(true);
    expect(push.headers['x-scope-orgid']).toBe('tenant-7');
    expect(push.headers.authorization).toBe(`Basic ${Buffer.from('loki-user:S3CRET-PASSWORD-CANARY').toString('base64')}`);
    const all = push.streams.flatMap((s) => s.values.map((v) => ({ labels: s.stream, line: v[1], meta: v[2] })));
    expect(all.map((e) => e.line).sort()).toEqual([...lines].sort());
    for (const s of push.streams) expect(Object.keys(s.stream).every((k) => ['stage', 'function', 'level', 'provider', 'status_class'].includes(k))).toBe(true);
    const ok = all.find((e) => e.line === lines[1]);
    expect(ok?.labels).toEqual({ stage: 'local', function: 'messages', level: 'info', provider: 'anthropic', status_class: '2xx' });
    expect(ok?.meta).toMatchObject({ requestId: 'req-1', model: 'claude-x', ttfbMs: '12.5', costMicros: '123' });
    expect(all.find((e) => e.line === lines[2])?.labels).toMatchObject({ level: 'error', status_class: '5xx' });
    expect(all.find((e) => e.line.startsWith('START'))?.labels).toEqual({ stage: 'local', function: 'messages', level: 'info' });
    // Nanosecond timestamps as strings.
    expect(push.streams[0]!.values[0]![0]).toMatch(/^1795000000\d{3}000000$/);
  });

  it('retries 429 (honouring Retry-After) and 500, then delivers once', async () => {
    rx.failNext({ status: 429, retryAfter: 1 }, { status: 500 });
    const before = rx.attempts;
    const t0 = Date.now();
    await handler(payload([{ message: requestLine(3) }]));
    expect(rx.attempts - before).toBe(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(rx.pushes).toHaveLength(1);
  });

  it('never retries a 400, and throws so Lambda’s retries and the DLQ keep the batch', async () => {
    rx.failNext({ status: 400 });
    const before = rx.attempts;
    await expect(handler(payload([{ message: requestLine(4) }]))).rejects.toThrow(/rejected with 400/);
    expect(rx.attempts - before).toBe(1);
  });

  it('throws after the last attempt on persistent 5xx; the error names no credential', async () => {
    const pusher = createLokiPusher({ url: rx.url, auth: () => Promise.resolve({ username: 'u', password: 'S3CRET-PASSWORD-CANARY' }), maxAttempts: 3, sleep: () => Promise.resolve() });
    rx.failNext({ status: 503 }, { status: 503 }, { status: 503 });
    const err = (await pusher.push([toEntry(requestLine(5), Date.now(), { stage: 'local', fn: 'messages' })]).then(() => new Error('no error'), (e: unknown) => e as Error));
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/failed with 503/);
    expect(JSON.stringify(err) + err.message + String(err.stack)).not.toContain('S3CRET');
  });

  it('splits oversized batches within the entry and byte limits, out-of-order input sorted per stream', async () => {
    const events = Array.from({ length: 2500 }, (_, i) => ({ message: requestLine(i), timestamp: 1_795_000_000_000 + ((i * 7919) % 2500) }));
    reconfigure({ EZYBUS_LOKI_CREDENTIALS: '' });
    const small = createLokiPusher({ url: rx.url, maxBatchEntries: 1000, maxBatchBytes: 400_000 });
    const n = await small.push(events.map((e) => toEntry(e.message, e.timestamp, { stage: 'local', fn: 'messages' })));
    expect(n).toBeGreaterThanOrEqual(3);
    const shipped = rx.pushes.flatMap((p) => p.streams.flatMap((s) => s.values.map((v) => v[1])));
    expect(shipped).toHaveLength(2500);
    expect(new Set(shipped).size).toBe(2500);
    for (const b of batches(events.map((e) => toEntry(e.message, e.timestamp, { stage: 'local', fn: 'messages' })), 400_000, 1000, 256 * 1024)) {
      expect(JSON.stringify(b).length).toBeLessThan(420_000);
    }
  });

  it('truncates a line over Loki’s size limit instead of dropping it', async () => {
    const huge = 'y'.repeat(300 * 1024);
    await handler(payload([{ message: huge }]));
    const line = rx.pushes[0]!.streams[0]!.values[0]![1];
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(256 * 1024);
    expect(line.endsWith('[truncated by ezybus]')).toBe(true);
  });

  it('refuses plain-text credentials outside the local stage', async () => {
    reconfigure({ EZYBUS_STAGE: 'prod' });
    await expect(handler(payload([{ message: 'x' }]))).rejects.toThrow(/accepted only on the local stage/);
  });

  it('the local exporter pushes the local server’s lines through the same code', async () => {
    const exp = createLokiExporter({ url: rx.url, stage: 'local', intervalMs: 50, now: () => 1_795_000_050_000 });
    for (let i = 0; i < 5; i++) exp.push(requestLine(100 + i));
    await exp.close();
    expect(rx.pushes.every((p) => p.status === 204)).toBe(true);
    const lines = rx.pushes.flatMap((p) => p.streams.flatMap((st) => st.values.map((v) => v[1])));
    expect(lines).toHaveLength(5);
    expect(rx.pushes[0]!.streams[0]!.stream).toMatchObject({ stage: 'local', function: 'messages', provider: 'anthropic' });
  });
});

describe.skipIf(!hasMoto() && !process.env.CI)('Loki credentials as KMS ciphertext (moto KMS emulator)', () => {
  it('decrypts them with the stage and purpose context, and refuses a ciphertext made for another stage', async () => {
    const moto = await startMoto();
    try {
      reconfigure({ EZYBUS_KMS_ENDPOINT: moto.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' });
      const kms = new KMSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
      const keyId = (await kms.send(new CreateKeyCommand({ Description: 'ezybus loki test' }))).KeyMetadata!.Arn!;
      // What docs/deploy.md tells an operator to run, through the SDK.
      const encrypt = async (stage: string): Promise<string> =>
        Buffer.from(
          (await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(JSON.stringify({ token: 'glc_CANARY' })), EncryptionContext: { 'ezybus:stage': stage, 'ezybus:purpose': 'loki' } })))
            .CiphertextBlob!,
        ).toString('base64');
      reconfigure({ EZYBUS_STAGE: 'prod', EZYBUS_LOKI_CREDENTIALS: undefined, EZYBUS_LOKI_CREDENTIALS_CIPHERTEXT: await encrypt('prod') });
      await handler(payload([{ message: requestLine(1) }]));
      expect(rx.pushes.at(-1)?.headers.authorization).toBe('Bearer glc_CANARY');

      reconfigure({ EZYBUS_LOKI_CREDENTIALS_CIPHERTEXT: await encrypt('dev') });
      const before = rx.pushes.length;
      await expect(handler(payload([{ message: requestLine(2) }]))).rejects.toThrow();
      expect(rx.pushes.length).toBe(before); // nothing pushed without credentials
    } finally {
      await moto.close();
    }
  });
});
