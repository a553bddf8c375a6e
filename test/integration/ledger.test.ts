/**
 * The batched ledger writer against dynalite: each record counted exactly once whatever
 * happens — replays, two writers on the same records at once, a writer that dies after its
 * intent or halfway through its rows (faults injected into the store's HTTP server), a writer
 * that dies between claiming records and writing its intent — and leaked budget reservations
 * released once their bucket is old.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installConfig, startStore } from '../../local/gateway.js';
import { dynamo, marshal } from '../../functions/shared/store/dynamo.js';
import { getUsageRecord, listTotals } from '../../functions/shared/store/repo.js';
import { ensureTables } from '../../functions/shared/store/tables.js';
import { STALE_MS, writeBatch } from '../../functions/shared/usage/ledger.js';
import type { UsageRecord } from '../../functions/shared/usage/record.js';
import { RESERVATION_BUCKET_MS, reservationBucket } from '../../functions/shared/usage/totals.js';
import { emptyUsage } from '../../functions/shared/usage/types.js';

let store: { endpoint: string; server: Server; close(): Promise<void> };
let proxy: { endpoint: string; close(): Promise<void> };
beforeAll(async () => {
  store = await startStore('127.0.0.1', undefined);
  proxy = await startProxy(store.endpoint);
  installConfig({ AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', EZYBUS_DYNAMODB_ENDPOINT: proxy.endpoint, EZYBUS_STAGE: 'ledgertest' });
  await ensureTables();
});
afterAll(async () => {
  await proxy?.close();
  await store?.close();
});

let seq = 0;
function record(keyId: string, over: Partial<UsageRecord> = {}): UsageRecord {
  seq++;
  return {
    requestId: `req-${Date.now()}-${seq}`,
    lambdaRequestId: 'l',
    time: '2026-12-01T08:00:00.000Z',
    stage: 'ledgertest',
    fn: 'messages',
    keyId,
    model: 'm',
    clientProtocol: 'anthropic',
    provider: 'anthropic',
    upstreamId: 'u',
    upstreamModel: 'um',
    upstreamKeyId: 'k',
    stream: false,
    status: 200,
    errorType: null,
    attempts: [],
    usage: { ...emptyUsage(), inputTokens: 10, outputTokens: 5 },
    costMicros: 100,
    priceSource: 'builtin',
    priceVersion: 't',
    ttfbMs: 1,
    durationMs: 2,
    upstreamMs: 1,
    overheadMs: 1,
    cutShort: null,
    notes: [],
    ...over,
  };
}

async function totals(keyId: string): Promise<{ all: Record<string, number> | undefined; day: Record<string, number> | undefined }> {
  const rows = await listTotals(keyId);
  return { all: rows.find((r) => r.sk === 'all')?.values, day: rows.find((r) => r.sk.startsWith('day#'))?.values };
}

/** Store calls that `fault` matches answer HTTP 500 (the client retries, then gives up). */
let fault: ((op: string, body: string) => boolean) | undefined;
function failCalls(match: (op: string, body: string) => boolean): () => void {
  fault = match;
  return () => (fault = undefined);
}

/** A fault-injecting proxy in front of dynalite: what the writer sees as its store. */
async function startProxy(target: string): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const op = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      if (fault?.(op, body.toString())) {
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'injected' }));
        return;
      }
      const up = request(target, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 500, r.headers);
        r.pipe(res);
      });
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

const later = (): number => Date.now() + STALE_MS + 10_000;

describe('the batched ledger', () => {
  it('aggregates a batch into one update per row and counts each record once across replays', async () => {
    const recs = [record('k1'), record('k1'), record('k1', { status: 500, costMicros: 0, usage: null })];
    const first = await writeBatch(recs);
    expect(first).toMatchObject({ written: 3, alreadyPresent: 0, held: [] });
    const again = await writeBatch(recs);
    expect(again).toMatchObject({ written: 0, alreadyPresent: 3, held: [] });
    const t = await totals('k1');
    expect(t.all).toMatchObject({ requests: 3, errors: 1, inputTokens: 20, outputTokens: 10, costMicros: 200, committedMicros: 200 });
    expect(t.day).toMatchObject({ requests: 3, costMicros: 200 });
    // No batch guard is left behind on the rows.
    expect(Object.keys(t.all ?? {}).filter((k) => k.startsWith('g_'))).toEqual([]);
    // The per-request item keeps the record's layout (the console reads it).
    expect(await getUsageRecord(recs[0]!.requestId)).toMatchObject({ requestId: recs[0]!.requestId, keyId: 'k1', costMicros: 100, model: 'm' });
  });

  it('two writers on the same records at once count each record once', async () => {
    const recs = Array.from({ length: 40 }, () => record('k2'));
    const [a, b] = await Promise.all([writeBatch(recs), writeBatch([...recs].reverse())]);
    expect(a.written + b.written).toBe(40);
    // Whatever one writer met in the other's open batch is held, never counted by both.
    const later1 = await writeBatch([...a.held, ...b.held].map((id) => recs.find((r) => r.requestId === id)!));
    expect(later1.written).toBe(0);
    expect((await totals('k2')).all).toMatchObject({ requests: 40, costMicros: 4000 });
  });

  it('a writer that dies halfway through its rows: the batch is redone once it is stale, each row once', async () => {
    const recs = [record('k3'), record('k3')];
    const restore = failCalls((op, body) => op === 'UpdateItem' && body.includes('"day#'));
    await expect(writeBatch(recs)).rejects.toThrow();
    restore();
    // The lifetime row was reached, the day row was not.
    expect((await totals('k3')).all).toMatchObject({ requests: 2 });
    expect((await totals('k3')).day).toBeUndefined();
    // Still young: someone meeting these records leaves them to their batch.
    expect((await writeBatch(recs)).held).toHaveLength(2);
    // Stale: the batch is redone from its intent; the row it reached refuses a second ADD.
    const r = await writeBatch(recs, later);
    expect(r).toMatchObject({ written: 0, alreadyPresent: 2, held: [] });
    const t = await totals('k3');
    expect(t.all).toMatchObject({ requests: 2, costMicros: 200 });
    expect(t.day).toMatchObject({ requests: 2, costMicros: 200 });
    expect((await writeBatch(recs, later)).alreadyPresent).toBe(2);
    expect((await totals('k3')).all).toMatchObject({ requests: 2 });
  });

  it('a writer that dies between claiming records and writing its intent: the records are taken over', async () => {
    const recs = [record('k4'), record('k4'), record('k4')];
    const restore = failCalls((op, body) => op === 'PutItem' && body.includes('"lb#'));
    await expect(writeBatch(recs)).rejects.toThrow();
    restore();
    expect(await listTotals('k4')).toEqual([]);
    const r = await writeBatch(recs, later);
    expect(r).toMatchObject({ written: 3, held: [] });
    expect((await totals('k4')).all).toMatchObject({ requests: 3, costMicros: 300 });
    expect((await writeBatch(recs, later)).alreadyPresent).toBe(3);
  });

  it('settles reservations, and releases what requests that never finished had reserved', async () => {
    const { client, sdk } = await dynamo();
    const table = 'ezybus-ledgertest-usage';
    const old = reservationBucket(Date.now() - 4 * RESERVATION_BUCKET_MS);
    const now = reservationBucket(Date.now());
    // Two reservations as the gateway makes them: one of a request that died (old bucket), one live.
    await client.send(new sdk.PutItemCommand({ TableName: table, Item: marshal({ pk: 'tot#k5', sk: 'all', committedMicros: 700, [`r_${old}`]: 500, [`r_${now}`]: 200, ledgerV2: true }) }));
    // The live request finishes: it reserved 200 and cost 50.
    await writeBatch([record('k5', { costMicros: 50, reservation: { micros: 200, bucket: now } })]);
    const all = (await totals('k5')).all!;
    expect(all.costMicros).toBe(50);
    expect(all.committedMicros).toBe(50); // 700 − 200 + 50 − 500 released
    expect(all[`r_${old}`]).toBeUndefined();
    expect(all[`r_${now}`]).toBe(0);
  });

  it('a ledger from before budgets were reserved is repaired once: committed = spend', async () => {
    const { client, sdk } = await dynamo();
    await client.send(new sdk.PutItemCommand({ TableName: 'ezybus-ledgertest-usage', Item: marshal({ pk: 'tot#k6', sk: 'all', requests: 9, costMicros: 9000 }) }));
    await writeBatch([record('k6')]);
    await writeBatch([record('k6')]);
    expect((await totals('k6')).all).toMatchObject({ requests: 11, costMicros: 9200, committedMicros: 9200 });
  });
});
