/**
 * The ledger writer Lambda's code path end to end, against moto's SQS and dynalite: a CloudWatch
 * Logs subscription payload of gateway log lines is forwarded to the ledger queue, a queue batch
 * is written to the ledger, and `ezybus ledger redrive` empties a DLQ holding both message
 * shapes (queue messages and failed intake invocations) into the ledger, exactly once.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redrive } from '../../bin/cli/ledger-redrive.js';
import { handler, type SqsEvent } from '../../functions/ledger-writer.js';
import { jsonService } from '../../functions/shared/aws/json-client.js';
import { receiveMessages, sendMessage } from '../../functions/shared/aws/sqs.js';
import { getUsageRecord, listTotals } from '../../functions/shared/store/repo.js';
import { ensureTables } from '../../functions/shared/store/tables.js';
import type { UsageRecord } from '../../functions/shared/usage/record.js';
import { emptyUsage } from '../../functions/shared/usage/types.js';
import { installConfig, startStore } from '../../local/gateway.js';
import { hasMoto, startMoto } from '../helpers/moto.js';

let store: Awaited<ReturnType<typeof startStore>>;
let moto: Awaited<ReturnType<typeof startMoto>>;
let queueUrl = '';
let dlqUrl = '';

beforeAll(async () => {
  if (!hasMoto()) throw new Error('moto_server missing: run npm test (it installs the Python venv)');
  store = await startStore('127.0.0.1', undefined);
  moto = await startMoto();
  const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', EZYBUS_DYNAMODB_ENDPOINT: store.endpoint, EZYBUS_SQS_ENDPOINT: moto.endpoint, EZYBUS_STAGE: 'lw' };
  const sqs = jsonService({ service: 'sqs', targetPrefix: 'AmazonSQS', contentType: 'application/x-amz-json-1.0', endpoint: moto.endpoint, aws: installConfig(env).config.aws });
  queueUrl = (await sqs.send<{ QueueUrl: string }>('CreateQueue', { QueueName: 'ezybus-lw-ledger' })).QueueUrl;
  dlqUrl = (await sqs.send<{ QueueUrl: string }>('CreateQueue', { QueueName: 'ezybus-lw-ledger-dlq' })).QueueUrl;
  // The function's environment as the stack sets it, the queue included.
  installConfig({ ...env, EZYBUS_LEDGER_QUEUE_URL: queueUrl });
  await ensureTables();
}, 60_000);
afterAll(async () => {
  await moto?.close();
  await store?.close();
});

let seq = 0;
const record = (keyId: string): UsageRecord =>
  ({
    requestId: `lw-${Date.now()}-${++seq}`,
    lambdaRequestId: 'l',
    time: '2026-12-01T09:00:00.000Z',
    stage: 'lw',
    fn: 'chat-completions',
    keyId,
    model: 'gpt',
    clientProtocol: 'openai',
    provider: 'openai',
    upstreamId: 'u',
    upstreamModel: 'gpt',
    upstreamKeyId: 'k',
    stream: true,
    status: 200,
    errorType: null,
    attempts: [],
    usage: { ...emptyUsage(), inputTokens: 4, outputTokens: 6 },
    costMicros: 25,
    priceSource: 'builtin',
    priceVersion: 't',
    ttfbMs: 1,
    durationMs: 1,
    upstreamMs: 1,
    overheadMs: 0,
    cutShort: null,
    notes: [],
  }) as UsageRecord;

/** A CloudWatch Logs subscription payload holding these lines, as Lambda receives it. */
function subscription(lines: string[]): string {
  const payload = { messageType: 'DATA_MESSAGE', owner: '1', logGroup: '/aws/lambda/ezybus-lw-chat-completions', logStream: 's', subscriptionFilters: ['f'], logEvents: lines.map((message, i) => ({ id: String(i), timestamp: Date.now(), message })) };
  return gzipSync(JSON.stringify(payload)).toString('base64');
}
const requestLine = (r: UsageRecord): string => JSON.stringify({ level: 'info', msg: 'request', requestId: r.requestId, record: r });

describe('ledger writer Lambda', () => {
  it('subscription → queue → batch: the records land in the ledger once, other lines ignored', async () => {
    const recs = [record('lw1'), record('lw1'), record('lw1')];
    const lines = [...recs.map(requestLine), JSON.stringify({ level: 'warn', msg: 'upstream key rejected' }), 'not json'];
    expect(await handler({ awslogs: { data: subscription(lines) } })).toEqual({ forwarded: 3 });
    const messages = await receiveMessages(queueUrl);
    expect(messages).toHaveLength(1);
    const event: SqsEvent = { Records: messages.map((m) => ({ messageId: m.MessageId, body: m.Body })) };
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    // SQS delivers at least once: the same batch again changes nothing.
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect((await listTotals('lw1')).find((t) => t.sk === 'all')?.values).toMatchObject({ requests: 3, costMicros: 75, outputTokens: 18 });
    expect(await getUsageRecord(recs[1]!.requestId)).toMatchObject({ keyId: 'lw1', costMicros: 25 });
  });

  it('`ezybus ledger redrive` replays both DLQ shapes, deletes what it wrote, and is safe to run again', async () => {
    const a = [record('lw2'), record('lw2')];
    const b = record('lw2');
    await sendMessage(dlqUrl, JSON.stringify({ records: a }));
    await sendMessage(dlqUrl, JSON.stringify({ requestContext: { condition: 'RetriesExhausted' }, requestPayload: { awslogs: { data: subscription([requestLine(b)]) } } }));
    await sendMessage(dlqUrl, JSON.stringify({ records: [a[0]] })); // a duplicate delivery
    const r = await redrive(dlqUrl);
    expect(r).toMatchObject({ messages: 3, records: 4, written: 3, alreadyPresent: 0, left: 0 });
    expect((await listTotals('lw2')).find((t) => t.sk === 'all')?.values).toMatchObject({ requests: 3, costMicros: 75 });
    expect(await redrive(dlqUrl)).toMatchObject({ messages: 0 });
  });
});
