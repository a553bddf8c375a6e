/**
 * Secrets never leave (design invariant 6): a recognisable upstream key goes through a full run
 * of requests — success, upstream errors, failover, a rejected key, translation, streaming —
 * and must appear in no log line, response body, response header or stored item.
 */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUpstream, addUpstreamKey, setRoute } from '../../functions/shared/admin/ops.js';
import { gatewayConfig } from '../../functions/shared/config.js';
import { setLogSink } from '../../functions/shared/logging/log.js';
import { startStack, type Stack } from '../helpers/stack.js';

const CANARY = 'CANARYc4n4ry7e11t4le';
let s: Stack;
const lines: string[] = [];
beforeAll(async () => {
  s = await startStack();
  setLogSink((l) => lines.push(l));
  await addUpstream('canary-oa', 'openai', s.sim.url);
  await addUpstreamKey('canary-oa', `sk-proj-${CANARY}-1;fail=401`, 'c1');
  await addUpstreamKey('canary-oa', `sk-proj-${CANARY}-2;fail=429&fail_rate=0.5&retry_after=1`, 'c2');
  await addUpstreamKey('canary-oa', `sk-proj-${CANARY}-3`, 'c3');
  await addUpstream('canary-an', 'anthropic', s.sim.url);
  await addUpstreamKey('canary-an', `sk-ant-api03-${CANARY}-4;fail=529&fail_times=2`, 'c4');
  await addUpstreamKey('canary-an', `sk-ant-api03-${CANARY}-5`, 'c5');
  await setRoute('canary-gpt', [{ upstream: 'canary-oa', model: 'gpt-sim' }]);
  await setRoute('canary-claude', [{ upstream: 'canary-an', model: 'claude-sim' }]);
  await setRoute('canary-fail', [{ upstream: 'canary-oa', model: 'gpt-sim' }], { failoverStatuses: [] });
  await setRoute('canary-cross', [{ upstream: 'canary-an', model: 'claude-sim' }]);
});
afterAll(async () => s?.close());

describe('the canary upstream key', () => {
  it('appears nowhere a user or operator can see', async () => {
    const seen: string[] = [];
    const call = async (path: string, body: unknown, headers: Record<string, string> = {}): Promise<void> => {
      const res = await fetch(`${s.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${s.key}`, 'anthropic-version': '2023-06-01', ...headers },
        body: JSON.stringify(body),
      });
      seen.push(JSON.stringify([...res.headers.entries()]), await res.text());
    };
    const oa = (model: string, extra = {}) => ({ model, messages: [{ role: 'user', content: 'hi' }], ...extra });
    const an = (model: string, extra = {}) => ({ model, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }], ...extra });
    for (let i = 0; i < 6; i++) {
      await call('/v1/chat/completions', oa('canary-gpt', { stream: i % 2 === 0 }));
      await call('/v1/messages', an('canary-claude', { stream: i % 2 === 1 }));
    }
    await call('/v1/chat/completions', oa('canary-cross')); // translated: OpenAI client, Claude upstream
    await call('/v1/chat/completions', oa('canary-cross', { stream: true }));
    await call('/v1/chat/completions', oa('canary-fail')); // an upstream error passed to the client
    await call('/v1/messages', { model: 'canary-claude' }); // a client error
    // Read the store with the official SDK, independently of EzyBus's own client.
    const client = new DynamoDBClient({ endpoint: s.gw.dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    for (const table of Object.values(gatewayConfig().tables)) {
      const items = await client.send(new ScanCommand({ TableName: table }));
      seen.push(JSON.stringify(items.Items ?? []));
    }
    // The simulator did receive the keys (it is the provider): the test would be empty otherwise.
    expect(s.sim.received.some((r) => r.apiKey?.includes(CANARY))).toBe(true);
    expect(lines.length).toBeGreaterThan(10);
    for (const text of [...seen, ...lines]) expect(text).not.toContain(CANARY);
  });
});
