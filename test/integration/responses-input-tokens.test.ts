/**
 * POST /v1/responses/input_tokens (OpenAI's input-token count for a Responses request) through
 * the openai SDK's `responses.inputTokens.count`, on every kind of route, by the same counting
 * code as count_tokens (functions/shared/counting/): an Anthropic upstream's count_tokens, a
 * Gemini upstream's countTokens, the gateway's own tokenizer for a Chat Completions upstream,
 * and a Responses upstream's own /v1/responses/input_tokens (the client's body, model edited).
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { countChatCompletionTokens } from 'gpt-tokenizer/model/gpt-4o';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUpstream, addUpstreamKey, setRoute } from '../../functions/shared/admin/ops.js';
import { DEMO, startDemoStack } from '../helpers/demo.js';
import type { Stack } from '../helpers/stack.js';

let s: Stack;
beforeAll(async () => {
  s = await startDemoStack();
  await addUpstream('sim-responses', 'responses', s.sim.url);
  await addUpstreamKey('sim-responses', 'sim-key-responses', 'resp-k1');
  await setRoute('gpt-resp', [{ upstream: 'sim-responses', model: 'gpt-5-sim' }]);
});
afterAll(async () => s?.close());

const client = (key = s.key): OpenAI => new OpenAI({ baseURL: `${s.url}/v1`, apiKey: key, maxRetries: 0 });
const tools: OpenAI.Responses.FunctionTool[] = [{ type: 'function', name: 'get_weather', description: 'Current weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, strict: false }];
const request = {
  instructions: 'You are terse.',
  input: [
    { role: 'user' as const, content: 'What is the weather in Oslo?' },
    { type: 'function_call' as const, call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
    { type: 'function_call_output' as const, call_id: 'call_1', output: '4°C, rain' },
    { role: 'user' as const, content: 'And should I bring an umbrella?' },
  ],
  tools,
};

describe('responses.inputTokens.count on every kind of route', () => {
  for (const [model, path] of [
    [DEMO.anthropic, '/v1/messages/count_tokens'],
    [DEMO.gemini, '/v1beta/models/sim-gemini-model:countTokens'],
  ] as const) {
    it(`${model}: the upstream's own count of the translated request, equal to the generation's input`, async () => {
      const counted = await client().responses.inputTokens.count({ model, ...request });
      expect(counted.object).toBe('response.input_tokens');
      const got = s.sim.received.at(-1)!;
      expect(got.path).toBe(path);
      expect(got.body).toContain('get_weather');
      const r = await client().responses.create({ model, ...request });
      expect(counted.input_tokens).toBeGreaterThan(20);
      expect(counted.input_tokens).toBe(r.usage?.input_tokens);
    });
  }

  it(`${DEMO.openai}: counted by the gateway with the model's tokenizer, no upstream call`, async () => {
    const before = s.sim.received.length;
    const counted = await client().responses.inputTokens.count({ model: DEMO.openai, instructions: 'You are terse.', input: 'What is the weather in Oslo?' });
    expect(s.sim.received.length).toBe(before);
    // The same local count messages.countTokens gives for the same conversation (one counting code).
    const same = await new Anthropic({ baseURL: s.url, apiKey: s.key, maxRetries: 0 }).messages.countTokens({ model: DEMO.openai, system: 'You are terse.', messages: [{ role: 'user', content: 'What is the weather in Oslo?' }] });
    expect(counted).toEqual({ object: 'response.input_tokens', input_tokens: same.input_tokens });
    // Within a token of the OpenAI cookbook's framing of those two messages.
    const cookbook = countChatCompletionTokens?.({ messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'What is the weather in Oslo?' }] }) ?? NaN;
    expect(Math.abs(counted.input_tokens - cookbook)).toBeLessThanOrEqual(1);
    // Tools count too.
    const withTools = await client().responses.inputTokens.count({ model: DEMO.openai, ...request });
    expect(withTools.input_tokens).toBeGreaterThan(counted.input_tokens + 20);
  });

  it('a Responses upstream: its own /v1/responses/input_tokens with the client’s bytes, model edited', async () => {
    const text = '{"model":"gpt-resp", "input":"hi","x_future":{"deep":[1,2.50]}}';
    const res = await fetch(`${s.url}/v1/responses/input_tokens`, { method: 'POST', headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' }, body: text });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { object: string; input_tokens: number }).object).toBe('response.input_tokens');
    expect(s.sim.received.at(-1)!.path).toBe('/v1/responses/input_tokens');
    expect(s.sim.received.at(-1)!.body).toBe(text.replace('"gpt-resp"', '"gpt-5-sim"'));
    // Another protocol's client counting on that route: the translated request, only the fields the endpoint takes.
    const counted = await new Anthropic({ baseURL: s.url, apiKey: s.key, maxRetries: 0 }).messages.countTokens({ model: 'gpt-resp', system: 'Terse.', messages: [{ role: 'user', content: 'hi' }] });
    expect(counted.input_tokens).toBeGreaterThan(0);
    const sent = JSON.parse(s.sim.received.at(-1)!.body) as Record<string, unknown>;
    expect(s.sim.received.at(-1)!.path).toBe('/v1/responses/input_tokens');
    expect(Object.keys(sent).sort()).toEqual(['input', 'instructions', 'model']);
  });

  it('bad input is a 4xx in the OpenAI error shape', async () => {
    await expect(client('sk-eb-nope').responses.inputTokens.count({ model: DEMO.anthropic, input: 'x' })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(client().responses.inputTokens.count({ model: 'nope', input: 'x' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    for (const [body, param] of [
      [{ input: 'x' }, 'model'],
      [{ model: DEMO.anthropic, input: 42 }, 'input'],
      [{ model: DEMO.anthropic, input: 'x', previous_response_id: 'resp_1' }, 'previous_response_id'],
    ] as const) {
      const res = await fetch(`${s.url}/v1/responses/input_tokens`, { method: 'POST', headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error', param } });
    }
  });
});
