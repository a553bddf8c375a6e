/**
 * Records as EzyBus wrote them before protocols were named for what they are: upstream items
 * with `protocol: openai | anthropic | gemini`, written straight into the store the way that
 * code's putUpstream wrote them. They must keep routing (pass-through and translated), and the
 * usage record and log line must keep the field values dashboards and Loki queries read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUpstreamKey, setRoute } from '../../functions/shared/admin/ops.js';
import { gatewayConfig } from '../../functions/shared/config.js';
import { dynamo, marshal } from '../../functions/shared/store/dynamo.js';
import { listUpstreams } from '../../functions/shared/store/repo.js';
import type { UsageRecord } from '../../functions/shared/usage/record.js';
import { toEntry } from '../../functions/shared/loki/entries.js';
import { startStack, type Stack } from '../helpers/stack.js';

let s: Stack;

/** Exactly the item today's main writes for `ezybus upstreams add --protocol <name>`. */
async function putLegacyUpstream(id: string, protocol: 'openai' | 'anthropic' | 'gemini', baseUrl: string): Promise<void> {
  const { client, sdk } = await dynamo();
  await client.send(new sdk.PutItemCommand({ TableName: gatewayConfig().tables.config, Item: marshal({ pk: 'upstreams', sk: id, id, protocol, baseUrl, createdAt: Date.now() }) }));
}

beforeAll(async () => {
  s = await startStack();
  for (const p of ['openai', 'anthropic', 'gemini'] as const) {
    await putLegacyUpstream(`old-${p}`, p, s.sim.url);
    await addUpstreamKey(`old-${p}`, `sim-key-${p}`, 'k1');
  }
  await setRoute('old-gpt', [{ upstream: 'old-openai', model: 'gpt-4o-sim' }]);
  await setRoute('old-claude', [{ upstream: 'old-anthropic', model: 'claude-sonnet-sim' }]);
  await setRoute('old-gemini', [{ upstream: 'old-gemini', model: 'gemini-2.5-flash-sim' }]);
});
afterAll(async () => s?.close());

function logLineOf(requestId: string | null): { line: string; record: UsageRecord; provider: unknown } {
  for (const l of s.logs) {
    const o = JSON.parse(l) as { msg?: string; requestId?: string; record?: UsageRecord; provider?: unknown };
    if (o.msg === 'request' && o.requestId === requestId && o.record) return { line: l, record: o.record, provider: o.provider };
  }
  throw new Error(`no request log line for ${requestId}`);
}

const chat = (model: string): Promise<Response> =>
  fetch(`${s.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] }),
  });
const messages = (model: string): Promise<Response> =>
  fetch(`${s.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': s.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({ model, max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] }),
  });

describe('upstream records written with the old protocol names', () => {
  it('read as their wire protocols', async () => {
    const byId = new Map((await listUpstreams()).map((u) => [u.id, u.protocol]));
    expect(byId.get('old-openai')).toBe('chat-completions');
    expect(byId.get('old-anthropic')).toBe('messages');
    expect(byId.get('old-gemini')).toBe('generate-content');
  });

  it.each([
    ['chat', 'old-gpt', 'openai', 'openai'],
    ['chat', 'old-claude', 'openai', 'anthropic'],
    ['chat', 'old-gemini', 'openai', 'gemini'],
    ['messages', 'old-claude', 'anthropic', 'anthropic'],
    ['messages', 'old-gpt', 'anthropic', 'openai'],
    ['messages', 'old-gemini', 'anthropic', 'gemini'],
  ] as const)('%s client → %s: answered, and the record says clientProtocol %s, provider %s', async (kind, model, clientName, providerName) => {
    const res = await (kind === 'chat' ? chat(model) : messages(model));
    expect(res.status).toBe(200);
    await res.text();
    const { line, record, provider } = logLineOf(res.headers.get('x-request-id'));
    expect(record.clientProtocol).toBe(clientName);
    expect(record.provider).toBe(providerName);
    expect(provider).toBe(providerName);
    // The Loki label dashboards filter on.
    expect(toEntry(line, Date.now(), { stage: 'local', fn: 'x' }).labels.provider).toBe(providerName);
  });
});
