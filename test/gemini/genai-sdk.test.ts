/**
 * The google-genai SDK (@google/genai) as a real client of a local EzyBus, base URL set to the
 * gateway: generateContent, generateContentStream (with a function call), countTokens and
 * embedContent on each demo model, and bad input answered in Google's error shape.
 */
import { ApiError, GoogleGenAI, type FunctionDeclaration } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simVector } from '../../local/sim/extras.js';
import { DEMO, addDemoRoutes } from '../helpers/demo.js';
import { startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
beforeAll(async () => {
  s = await startStack({ EZYBUS_HEARTBEAT_MS: '20' });
  await addDemoRoutes();
});
afterAll(async () => s?.close());

const ai = (key = s.key): GoogleGenAI => new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: s.url, retryOptions: { attempts: 1 } } });
const weather: FunctionDeclaration = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe.each([DEMO.openai, DEMO.anthropic, DEMO.gemini])('@google/genai on %s', (model) => {
  it('generateContent', async () => {
    const r = await ai().models.generateContent({ model, contents: 'Hello there', config: { systemInstruction: 'Be brief.', maxOutputTokens: 64 } });
    expect(r.text?.length).toBeGreaterThan(5);
    expect(r.candidates?.[0]?.finishReason).toBe('STOP');
    expect(r.usageMetadata?.promptTokenCount).toBeGreaterThan(0);
    expect(r.usageMetadata?.totalTokenCount).toBeGreaterThan(r.usageMetadata?.promptTokenCount ?? 0);
  });

  it('generateContentStream, text then a function call and its result', async () => {
    let text = '';
    let chunks = 0;
    for await (const c of await ai().models.generateContentStream({ model, contents: 'Tell me something [[sim:tokens=12]]' })) {
      chunks++;
      text += c.text ?? '';
    }
    expect(chunks).toBeGreaterThan(3);
    expect(text.split(' ').length).toBeGreaterThanOrEqual(10);

    const history = [{ role: 'user', parts: [{ text: 'Weather in Oslo? [[sim:tool_name=get_weather&tool_once=1]]' }] }];
    const calls = [];
    let last;
    for await (const c of await ai().models.generateContentStream({ model, contents: history, config: { tools: [{ functionDeclarations: [weather] }] } })) {
      calls.push(...(c.functionCalls ?? []));
      last = c;
    }
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ name: 'get_weather', args: { city: 'sim' } });
    expect(last?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(last?.usageMetadata?.promptTokenCount).toBeGreaterThan(0);
    // The SDK's own history shape goes back: the model turn as it came, then the result.
    const modelTurn = { role: 'model', parts: [{ functionCall: calls[0], ...(calls[0]?.id ? {} : {}) }] };
    const followUp = await ai().models.generateContent({
      model,
      contents: [...history, modelTurn, { role: 'user', parts: [{ functionResponse: { id: calls[0]?.id, name: 'get_weather', response: { output: '4°C, rain' } } }] }],
      config: { tools: [{ functionDeclarations: [weather] }] },
    });
    expect(followUp.functionCalls ?? []).toHaveLength(0);
    expect(followUp.text?.length).toBeGreaterThan(5);
  });

  it('countTokens equals the input the generation reports', async () => {
    const contents = [{ role: 'user', parts: [{ text: 'How many tokens is this sentence, exactly?' }] }];
    const counted = await ai().models.countTokens({ model, contents });
    expect(counted.totalTokens).toBeGreaterThan(0);
    if (model !== DEMO.openai) {
      const r = await ai().models.generateContent({ model, contents });
      expect(counted.totalTokens).toBe(r.usageMetadata?.promptTokenCount);
    }
  });

  it('embedContent', async () => {
    if (model === DEMO.anthropic) {
      await expect(ai().models.embedContent({ model, contents: 'x' })).rejects.toMatchObject({ status: 400 });
      return;
    }
    const r = await ai().models.embedContent({ model, contents: ['first text', 'second text'], config: { outputDimensionality: 4 } });
    expect(r.embeddings?.map((e) => e.values)).toEqual([simVector('first text', 4), simVector('second text', 4)]);
  });
});

describe('@google/genai errors', () => {
  it('bad key, unknown model and bad input are 4xx in Google’s shape', async () => {
    const bad = await ai('sk-eb-nope').models.generateContent({ model: DEMO.gemini, contents: 'x' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ApiError);
    expect((bad as ApiError).status).toBe(401);
    const missing = await ai().models.generateContent({ model: 'nope', contents: 'x' }).catch((e: unknown) => e);
    expect((missing as ApiError).status).toBe(404);
    for (const model of [DEMO.gemini, DEMO.anthropic]) {
      const res = await fetch(`${s.url}/v1beta/models/${model}:generateContent`, { method: 'POST', headers: { 'x-goog-api-key': s.key }, body: JSON.stringify({ contents: 'not an array' }) });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT', message: expect.any(String) } });
    }
    const notJson = await fetch(`${s.url}/v1beta/models/${DEMO.gemini}:streamGenerateContent?alt=sse&key=${s.key}`, { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
  });

  it('?key= and Bearer authenticate too; the key never reaches the upstream', async () => {
    const q = await fetch(`${s.url}/v1beta/models/${DEMO.gemini}:generateContent?key=${s.key}`, { method: 'POST', body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }) });
    expect(q.status).toBe(200);
    const got = s.sim.received.at(-1)!;
    expect(got.path).toBe('/v1beta/models/sim-gemini-model:generateContent');
    expect(got.query).toBe('');
    expect(got.apiKey).toBe('sim-key-gemini');
    const b = await fetch(`${s.url}/v1/models/${DEMO.anthropic}:generateContent`, { method: 'POST', headers: { authorization: `Bearer ${s.key}` }, body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }) });
    expect(b.status).toBe(200);
    expect(((await b.json()) as { candidates: unknown[] }).candidates).toHaveLength(1);
  });
});

describe('@google/genai models', () => {
  it('lists and gets the routed models in Gemini’s shape', async () => {
    const names: string[] = [];
    for await (const m of await ai().models.list({ config: { pageSize: 2 } })) names.push(m.name ?? '');
    expect(names).toEqual(expect.arrayContaining([`models/${DEMO.gemini}`, `models/${DEMO.anthropic}`, `models/${DEMO.openai}`]));
    const one = await ai().models.get({ model: DEMO.gemini });
    expect(one).toMatchObject({ name: `models/${DEMO.gemini}`, supportedActions: expect.arrayContaining(['generateContent', 'countTokens']) });
    const missing = await ai().models.get({ model: 'nope' }).catch((e: unknown) => e);
    expect((missing as ApiError).status).toBe(404);
  });
});

describe('Gemini’s default JSON-array stream (no ?alt=sse)', () => {
  it.each([DEMO.anthropic, DEMO.gemini, DEMO.openai])('%s: one JSON array, the last element finished with usage', async (model) => {
    const res = await fetch(`${s.url}/v1beta/models/${model}:streamGenerateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': s.key, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hello [[sim:tokens=8&gap_ms=30]]' }] }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const chunks = JSON.parse(await res.text()) as { candidates?: { content?: { parts?: { text?: string }[] }; finishReason?: string }[]; usageMetadata?: unknown }[];
    expect(chunks.length).toBeGreaterThan(3);
    const text = chunks.flatMap((c) => c.candidates?.[0]?.content?.parts ?? []).map((p) => p.text ?? '').join('');
    expect(text.split(' ').length).toBeGreaterThanOrEqual(8);
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(chunks.at(-1)?.usageMetadata).toBeDefined();
  });
});

describe('the same calls under /v1/ (Google serves both versions)', () => {
  const goog = (path: string, body?: unknown): Promise<Response> =>
    fetch(`${s.url}${path}`, { method: body ? 'POST' : 'GET', headers: { 'x-goog-api-key': s.key, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const contents = [{ role: 'user', parts: [{ text: 'Hello there' }] }];

  it.each([DEMO.openai, DEMO.anthropic, DEMO.gemini])('%s: models get and list, countTokens, generateContent', async (model) => {
    const one = await goog(`/v1/models/${model}`);
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ name: `models/${model}`, supportedGenerationMethods: expect.arrayContaining(['generateContent', 'countTokens']) });
    const list = (await (await goog('/v1/models')).json()) as { models: { name: string }[] };
    expect(list.models.map((m) => m.name)).toContain(`models/${model}`);
    const counted = await goog(`/v1/models/${model}:countTokens`, { contents });
    expect(counted.status).toBe(200);
    expect(((await counted.json()) as { totalTokens: number }).totalTokens).toBeGreaterThan(0);
    const gen = await goog(`/v1/models/${model}:generateContent`, { contents });
    expect(gen.status).toBe(200);
    expect(((await gen.json()) as { candidates: { finishReason: string }[] }).candidates[0]?.finishReason).toBe('STOP');
  });
});
