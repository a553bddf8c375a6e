/**
 * POST /v1/embeddings through the official openai SDK: passed through to an OpenAI-compatible
 * upstream, translated to Gemini batchEmbedContents, refused for Anthropic; billed at the
 * embedding model's input price in a usage record.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setRoute } from '../../functions/shared/admin/ops.js';
import { simVector } from '../../local/sim/extras.js';
import { DEMO, addDemoRoutes } from '../helpers/demo.js';
import { startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
beforeAll(async () => {
  s = await startStack();
  await addDemoRoutes();
  await setRoute('embed-small', [{ upstream: 'sim-openai', model: 'text-embedding-3-small' }]);
  await setRoute('embed-gemini', [{ upstream: 'sim-gemini', model: 'gemini-embedding-001' }]);
});
afterAll(async () => s?.close());

const client = (): OpenAI => new OpenAI({ baseURL: `${s.url}/v1`, apiKey: s.key, maxRetries: 0 });

interface Rec {
  fn: string;
  model: string;
  usage: { inputTokens: number } | null;
  costMicros: number;
  provider: string;
}
const records = (): Rec[] =>
  s.logs
    .map((l) => JSON.parse(l) as { record?: Rec })
    .flatMap((l) => (l.record ? [l.record] : []))
    .filter((r) => r.fn === 'embeddings');

describe('openai.embeddings.create', () => {
  it('demo-gpt: passed through to the OpenAI-compatible upstream', async () => {
    const r = await client().embeddings.create({ model: DEMO.openai, input: ['first text', 'second text'], dimensions: 4, encoding_format: 'float' });
    expect(r.data.map((d) => d.embedding)).toEqual([simVector('first text', 4), simVector('second text', 4)]);
    const got = s.sim.received.at(-1)!;
    expect(got.path).toBe('/v1/embeddings');
    expect(JSON.parse(got.body)).toMatchObject({ model: 'sim-openai-model', dimensions: 4 });
    expect(r.usage.prompt_tokens).toBe(6); // "first text" 3 + "second text" 3 in the simulator's tokenizer
  });

  it('demo-gemini: batchEmbedContents, answered in OpenAI’s shape (floats and the SDK’s default base64)', async () => {
    const r = await client().embeddings.create({ model: DEMO.gemini, input: 'How do I reset my password?', dimensions: 6, encoding_format: 'float' });
    expect(r.object).toBe('list');
    expect(r.model).toBe(DEMO.gemini);
    expect(r.data[0]?.embedding).toEqual(simVector('How do I reset my password?', 6));
    expect(r.usage.prompt_tokens).toBe(7);
    const got = s.sim.received.at(-1)!;
    expect(got.path).toBe('/v1beta/models/sim-gemini-model:batchEmbedContents');
    expect(JSON.parse(got.body)).toEqual({ requests: [{ model: 'models/sim-gemini-model', content: { parts: [{ text: 'How do I reset my password?' }] }, outputDimensionality: 6 }] });
    // The SDK asks for base64 by default and decodes it (little-endian float32).
    const b = await client().embeddings.create({ model: DEMO.gemini, input: 'How do I reset my password?', dimensions: 6 });
    const want = simVector('How do I reset my password?', 6);
    b.data[0]!.embedding.forEach((x, i) => expect(x).toBeCloseTo(want[i]!, 6));
  });

  it('is billed at the embedding price, one usage record per request', async () => {
    await client().embeddings.create({ model: 'embed-small', input: 'x'.repeat(4000) }); // 1,000 simulator tokens
    await client().embeddings.create({ model: 'embed-gemini', input: 'y'.repeat(4000) });
    const [small, gem] = records().slice(-2);
    expect(small).toMatchObject({ model: 'embed-small', provider: 'openai', usage: { inputTokens: 1000 }, costMicros: 20 }); // $0.02 / MTok
    expect(gem).toMatchObject({ model: 'embed-gemini', provider: 'gemini', usage: { inputTokens: 1000 }, costMicros: 150 }); // $0.15 / MTok
  });

  it('bad input and impossible routes are 4xx in OpenAI’s shape', async () => {
    await expect(client().embeddings.create({ model: DEMO.anthropic, input: 'x' })).rejects.toMatchObject({ status: 400 });
    await expect(client().embeddings.create({ model: DEMO.gemini, input: [1, 2, 3] })).rejects.toMatchObject({ status: 400 });
    await expect(client().embeddings.create({ model: 'nope', input: 'x' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const res = await fetch(`${s.url}/v1/embeddings`, { method: 'POST', headers: { authorization: `Bearer ${s.key}` }, body: JSON.stringify({ model: DEMO.openai }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'input' } });
    // Forms OpenAI refuses are refused here too, before any upstream call (the fuzzer found
    // mixed arrays reaching the upstream).
    for (const input of [[{ role: 'user' }], ['text', 1], [[1, 2], 'x'], [1.5]]) {
      const bad = await fetch(`${s.url}/v1/embeddings`, { method: 'POST', headers: { authorization: `Bearer ${s.key}` }, body: JSON.stringify({ model: DEMO.openai, input }) });
      expect(bad.status, JSON.stringify(input)).toBe(400);
      expect(await bad.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'input' } });
    }
  });
});
