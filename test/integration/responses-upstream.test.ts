/**
 * OpenAI's Responses API as an upstream: byte-faithful pass-through for Responses clients
 * (unknown fields, recorded bytes, exact usage), translation for Chat Completions and Anthropic
 * clients (reasoning round trip included), and failover that drops reasoning encrypted for
 * another organisation.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUpstream, addUpstreamKey, setRoute } from '../../functions/shared/admin/ops.js';
import { lastLog as logOf } from '../helpers/demo.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { responsesRecorded } from '../unit/responses/fixtures.js';

let s: Stack;
const REPLAY = 'openai-responses/stream-reasoning-encrypted-content-function-call.pydantic-ai.cassette.yaml#0';
beforeAll(async () => {
  s = await startStack({ EZYBUS_HEARTBEAT_MS: '20' });
  await addUpstream('sim-responses', 'responses', s.sim.url);
  await addUpstreamKey('sim-responses', 'sim-key-responses', 'resp-k1');
  await setRoute('gpt-resp', [{ upstream: 'sim-responses', model: 'gpt-5-sim' }]);
  await addUpstream('sim-responses-replay', 'responses', s.sim.url);
  await addUpstreamKey('sim-responses-replay', `sim-key;replay=${encodeURIComponent(REPLAY)}`, 'replay-k1');
  await setRoute('gpt-replay', [{ upstream: 'sim-responses-replay', model: 'gpt-5' }]);
  // Two OpenAI organisations: the first key always rate-limited, the second refuses the first's reasoning.
  await addUpstream('org-a', 'responses', s.sim.url);
  await addUpstreamKey('org-a', 'key-a;fail=429', 'a1');
  await addUpstream('org-b', 'responses', s.sim.url);
  await addUpstreamKey('org-b', 'key-b;foreign_org=1', 'b1');
  await setRoute('gpt-two-orgs', [
    { upstream: 'org-a', model: 'gpt-5', priority: 0 },
    { upstream: 'org-b', model: 'gpt-5', priority: 1 },
  ]);
  await setRoute('gpt-foreign', [{ upstream: 'org-b', model: 'gpt-5' }]);
});
afterAll(async () => s?.close());

const openai = (): OpenAI => new OpenAI({ baseURL: `${s.url}/v1`, apiKey: s.key, maxRetries: 0 });
const post = (path: string, body: string): Promise<Response> =>
  fetch(`${s.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' }, body });
const lastLog = (model: string): Record<string, unknown> | undefined => logOf(s, model);
type Rec = Record<string, unknown>;

describe('Responses upstream, Responses client: pass-through', () => {
  it('sends the client’s bytes with only the model changed, unknown fields and include values and all', async () => {
    const text = '{"model":"gpt-resp",  "input":"hi","x_future":{"deep":[1,2.50,"é"]},"stream":true, "include":["reasoning.encrypted_content","message.output_text.logprobs","x_future.include"]}';
    const res = await post('/v1/responses', text);
    expect(res.status).toBe(200);
    await res.text();
    expect(s.sim.received.at(-1)!.body).toBe(text.replace('"gpt-resp"', '"gpt-5-sim"'));
    expect(s.sim.received.at(-1)!.path).toBe('/v1/responses');
  });

  it('relays a recorded stream byte for byte and bills its usage exactly', async () => {
    const recorded = responsesRecorded().find((r) => `openai-responses/${r.name}` === REPLAY)!;
    const res = await post('/v1/responses', JSON.stringify({ model: 'gpt-replay', input: 'x', stream: true }));
    const body = (await res.text()).replace(/^: [^\n]*\n\n/gm, '');
    expect(body).toBe(recorded.body);
    const completed = JSON.parse(recorded.body.split('\n').filter((l) => l.startsWith('data: ')).at(-1)!.slice(6)) as { response: { usage: { input_tokens: number; output_tokens: number; input_tokens_details: { cached_tokens: number }; output_tokens_details: { reasoning_tokens: number } } } };
    const u = completed.response.usage;
    expect(lastLog('gpt-replay')).toMatchObject({
      status: 200,
      record: { clientProtocol: 'openai', fn: 'responses' },
    });
    expect((lastLog('gpt-replay')!.record as Rec).usage).toMatchObject({ inputTokens: u.input_tokens - u.input_tokens_details.cached_tokens, cacheReadTokens: u.input_tokens_details.cached_tokens, outputTokens: u.output_tokens, reasoningTokens: u.output_tokens_details.reasoning_tokens, estimated: false });
  });

  it('passes /v1/responses/compact through', async () => {
    const res = await post('/v1/responses/compact', JSON.stringify({ model: 'gpt-resp', input: [{ role: 'user', content: 'a' }] }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { output: { type: string }[] }).output.map((i) => i.type)).toEqual(['message', 'compaction']);
    expect(s.sim.received.at(-1)!.path).toBe('/v1/responses/compact');
  });

  it('on another organisation’s key the retry goes without the encrypted reasoning', async () => {
    const input = [{ role: 'user', content: 'q' }, { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAAA-org-a' }, { role: 'user', content: 'and?' }];
    s.sim.clearReceived();
    const r = await openai().responses.create({ model: 'gpt-two-orgs', input: input as OpenAI.Responses.ResponseInput });
    expect(r.status).toBe('completed');
    const [first, second] = s.sim.received;
    expect(first!.apiKey).toBe('key-a;fail=429');
    expect(first!.body).toContain('gAAAA-org-a');
    expect(second!.apiKey).toBe('key-b;foreign_org=1');
    expect(second!.body).not.toContain('encrypted_content');
    // Only the reasoning item went: the conversation is whole.
    expect((JSON.parse(second!.body) as { input: unknown[] }).input).toEqual([input[0], input[2]]);
  });

  it('a single key that refuses the reasoning is retried once without it', async () => {
    s.sim.clearReceived();
    const r = await openai().responses.create({ model: 'gpt-foreign', input: [{ role: 'user', content: 'q' }, { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAAA' }] as OpenAI.Responses.ResponseInput });
    expect(r.status).toBe('completed');
    expect(s.sim.received.map((x) => x.body.includes('encrypted_content'))).toEqual([true, false]);
    expect(lastLog('gpt-foreign')?.attempts).toBe(2);
  });
});

describe('Responses upstream, other clients: translation', () => {
  it('Chat Completions client, stream and not, with a tool call', async () => {
    const r = await openai().chat.completions.create({ model: 'gpt-resp', messages: [{ role: 'user', content: 'hi [[sim:text=from responses]]' }] });
    expect(r.choices[0]?.message.content).toBe('from responses');
    expect(s.sim.received.at(-1)!.path).toBe('/v1/responses');
    const stream = await openai().chat.completions.create({
      model: 'gpt-resp',
      messages: [{ role: 'user', content: 'call [[sim:tools=1]]' }],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] } } }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let args = '';
    let finish: string | null | undefined;
    let usage: number | undefined;
    for await (const c of stream) {
      args += c.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
      if (c.usage) usage = c.usage.completion_tokens;
    }
    expect(JSON.parse(args)).toEqual({ a: 'sim' });
    expect(finish).toBe('tool_calls');
    expect(usage).toBeGreaterThan(0);
  });

  it('Anthropic client: reasoning comes back as signed thinking and returns to OpenAI as the same item', async () => {
    const anthropic = new Anthropic({ baseURL: s.url, apiKey: s.key, maxRetries: 0 });
    const tools: Anthropic.Tool[] = [{ name: 'f', input_schema: { type: 'object', properties: {} } }];
    const m = await anthropic.messages.create({ model: 'gpt-resp', max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 1024 }, tools, messages: [{ role: 'user', content: 'go [[sim:tools=1]]' }] });
    const thinking = m.content.find((b) => b.type === 'thinking');
    const call = m.content.find((b) => b.type === 'tool_use');
    expect(thinking?.signature).toMatch(/^responses:/);
    const firstId = s.sim.received.at(-1)!.id;
    await anthropic.messages.create({
      model: 'gpt-resp',
      max_tokens: 2000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools,
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: m.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call!.id, content: 'done' }] },
      ],
    });
    const sent = JSON.parse(s.sim.received.at(-1)!.body) as { input: { type: string; encrypted_content?: string }[]; store: boolean };
    expect(sent.store).toBe(false);
    const reasoning = sent.input.find((i) => i.type === 'reasoning');
    // The sim's final encrypted_content for that first answer (it differs from the one on .added).
    expect(reasoning?.encrypted_content).toBe(Buffer.from(`sim-reasoning-${firstId}-done`).toString('base64'));
  });
});
