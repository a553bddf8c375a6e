/**
 * POST /v1/messages/count_tokens for every route, through the Anthropic SDK: passed through to
 * an Anthropic upstream, sent to a Gemini upstream's countTokens, counted locally with the
 * model's tokenizer for an OpenAI upstream. Exact: the simulator counts with the same tokenizer
 * it reports generation usage with, so a count equals the input tokens of the same request.
 */
import Anthropic from '@anthropic-ai/sdk';
import { countChatCompletionTokens } from 'gpt-tokenizer/model/gpt-4o';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUpstream, addUpstreamKey, createGatewayKey, setRoute } from '../../functions/shared/admin/ops.js';
import { estimateTokens } from '../../local/sim/text.js';
import { promptTokens } from '../../local/sim/tokenizer.js';
import { DEMO, addDemoRoutes } from '../helpers/demo.js';
import { startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
beforeAll(async () => {
  s = await startStack();
  await addDemoRoutes();
  await addUpstream('sim-responses', 'responses', s.sim.url);
  await addUpstreamKey('sim-responses', 'sim-key-responses', 'resp-k1');
  await setRoute('gpt-resp', [{ upstream: 'sim-responses', model: 'gpt-5-sim' }]);
});
afterAll(async () => s?.close());

const client = (key = s.key): Anthropic => new Anthropic({ baseURL: s.url, apiKey: key, maxRetries: 0 });

const tools: Anthropic.Tool[] = [
  { name: 'get_weather', description: 'Current weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
];
const prompt = {
  system: 'You are terse.',
  messages: [
    { role: 'user' as const, content: 'What is the weather in Oslo?' },
    { role: 'assistant' as const, content: [{ type: 'tool_use' as const, id: 'toolu_1', name: 'get_weather', input: { city: 'Oslo' } }] },
    { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: 'toolu_1', content: '4°C, rain' }, { type: 'text' as const, text: 'And should I bring an umbrella?' }] },
  ],
  tools,
};

describe('messages.countTokens on each demo model', () => {
  it('demo-claude: passed through to the Anthropic upstream, equal to the generation’s input', async () => {
    const counted = await client().messages.countTokens({ model: DEMO.anthropic, ...prompt });
    const got = s.sim.received.at(-1)!;
    expect(got.path).toBe('/v1/messages/count_tokens');
    expect(JSON.parse(got.body)).toMatchObject({ model: 'sim-anthropic-model' });
    expect(counted.input_tokens).toBe(promptTokens('anthropic', { ...prompt, model: DEMO.anthropic }));
    const m = await client().messages.create({ model: DEMO.anthropic, max_tokens: 32, ...prompt });
    expect(counted.input_tokens).toBe(m.usage.input_tokens);
  });

  it('demo-gemini: Gemini countTokens with the whole translated request, equal to the generation’s input', async () => {
    const counted = await client().messages.countTokens({ model: DEMO.gemini, ...prompt });
    const got = s.sim.received.at(-1)!;
    expect(got.path).toBe('/v1beta/models/sim-gemini-model:countTokens');
    const sent = JSON.parse(got.body) as { generateContentRequest: { model: string; tools: unknown[]; systemInstruction: unknown } };
    expect(sent.generateContentRequest.model).toBe('models/sim-gemini-model');
    expect(sent.generateContentRequest.tools).toHaveLength(1);
    const m = await client().messages.create({ model: DEMO.gemini, max_tokens: 32, ...prompt });
    expect(counted.input_tokens).toBeGreaterThan(20);
    expect(counted.input_tokens).toBe(m.usage.input_tokens);
  });

  it('demo-gpt: counted by the gateway with the model’s tokenizer (o200k_base), no upstream call', async () => {
    const before = s.sim.received.length;
    const counted = await client().messages.countTokens({ model: DEMO.openai, system: 'You are terse.', messages: [{ role: 'user', content: 'What is the weather in Oslo?' }] });
    expect(s.sim.received.length).toBe(before);
    expect(countChatCompletionTokens).toBeTypeOf('function');
    // The cookbook's framing, less the one token OpenAI's own counts show o200k models spend
    // less priming the reply (test/unit/openai-count-accuracy.test.ts).
    const cookbook = countChatCompletionTokens?.({ messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'What is the weather in Oslo?' }] });
    expect(counted.input_tokens).toBe((cookbook ?? 0) - 1);
    // Tools count too, in the format the model sees them.
    const withTools = await client().messages.countTokens({ model: DEMO.openai, ...prompt });
    expect(withTools.input_tokens).toBeGreaterThan(counted.input_tokens + 20);
  });

  it('an OpenAI Responses upstream: its input_tokens endpoint, with only the fields that endpoint takes', async () => {
    const counted = await client().messages.countTokens({ model: 'gpt-resp', ...prompt });
    const got = s.sim.received.at(-1)!;
    expect(got.path).toBe('/v1/responses/input_tokens');
    const sent = JSON.parse(got.body) as Record<string, unknown>;
    expect(sent).toMatchObject({ model: 'gpt-5-sim', instructions: 'You are terse.' });
    expect((sent.tools as unknown[]).length).toBe(1);
    expect(Object.keys(sent).filter((k) => ['max_output_tokens', 'stream', 'store', 'include'].includes(k))).toEqual([]);
    // The simulator counts what it was sent, as OpenAI does.
    expect(counted.input_tokens).toBe(estimateTokens(got.body));
    // Gemini's countTokens on the same route.
    const g = await fetch(`${s.url}/v1beta/models/gpt-resp:countTokens`, {
      method: 'POST',
      headers: { 'x-goog-api-key': s.key, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'What is the weather in Oslo?' }] }] }),
    });
    expect(g.status).toBe(200);
    expect((await g.json()) as unknown).toMatchObject({ totalTokens: estimateTokens(s.sim.received.at(-1)!.body) });
  });

  it('keeps Claude Code’s query string and betas on the pass-through', async () => {
    const res = await fetch(`${s.url}/v1/messages/count_tokens?beta=true`, {
      method: 'POST',
      headers: { 'x-api-key': s.key, 'anthropic-version': '2023-06-01', 'anthropic-beta': 'token-counting-2024-11-01,context-management-2025-06-27', 'content-type': 'application/json' },
      body: JSON.stringify({ model: DEMO.anthropic, messages: [{ role: 'user', content: 'hi' }], context_management: { edits: [] } }),
    });
    expect(res.status).toBe(200);
    const got = s.sim.received.at(-1)!;
    expect(got.query).toBe('beta=true');
    expect(got.headers['anthropic-beta']).toBe('token-counting-2024-11-01,context-management-2025-06-27');
    expect(got.body).toContain('"context_management":{"edits":[]}');
  });

  it('counts are admitted like generations (RPM) and bill nothing', async () => {
    // A fixed window restarts on the minute: a run that straddles one is run again with a new key.
    for (let run = 0; ; run++) {
      const minute = Math.floor(Date.now() / 60_000);
      const { key } = await createGatewayKey({ name: 'count-rpm', rpm: 3 });
      const from = s.logs.length;
      const answers = [];
      for (const model of [DEMO.openai, DEMO.anthropic, DEMO.gemini, DEMO.openai]) {
        answers.push(await client(key).messages.countTokens({ model, messages: [{ role: 'user', content: 'hi' }] }).then(() => 200, (e: unknown) => e));
      }
      if (Math.floor(Date.now() / 60_000) !== minute && run === 0) continue;
      expect(answers.slice(0, 3)).toEqual([200, 200, 200]);
      expect(answers[3]).toBeInstanceOf(Anthropic.RateLimitError);
      const lines = s.logs.slice(from).map((l) => JSON.parse(l) as { fn?: string; status?: number; record?: unknown });
      expect(lines.filter((l) => l.fn === 'count-tokens').map((l) => l.status)).toEqual([200, 200, 200, 429]);
      expect(lines.every((l) => l.record === undefined)).toBe(true);
      break;
    }
    const res = await fetch(`${s.url}/v1/messages/count_tokens`, { method: 'POST', headers: { 'x-api-key': s.key, 'content-type': 'application/json' }, body: JSON.stringify({ model: DEMO.openai, messages: [{ role: 'user', content: 'hi' }] }) });
    expect([...res.headers.keys()].filter((h) => h.startsWith('x-ezybus-cost'))).toEqual([]);
  });

  it('bad input is a 4xx in Anthropic’s shape', async () => {
    await expect(client('sk-eb-nope').messages.countTokens({ model: DEMO.anthropic, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    await expect(client().messages.countTokens({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    const res = await fetch(`${s.url}/v1/messages/count_tokens`, { method: 'POST', headers: { 'x-api-key': s.key, 'content-type': 'application/json' }, body: JSON.stringify({ model: DEMO.gemini }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const bad = await fetch(`${s.url}/v1/messages/count_tokens`, { method: 'POST', headers: { 'x-api-key': s.key }, body: '{not json' });
    expect(bad.status).toBe(400);
  });
});
