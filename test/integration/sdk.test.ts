/**
 * The official SDKs as real clients of a local EzyBus: openai and @anthropic-ai/sdk for Node,
 * and Python's openai and anthropic (installed into .venv by the test command). What the SDKs
 * parse is what the tests assert on.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
// A short heartbeat interval: the SDKs must read straight past the comment lines.
beforeAll(async () => (s = await startStack({ EZYBUS_HEARTBEAT_MS: '20' })));
afterAll(async () => s?.close());

describe('Node openai SDK', () => {
  const client = (): OpenAI => new OpenAI({ baseURL: `${s.url}/v1`, apiKey: s.key, maxRetries: 0 });

  it('non-stream and stream', async () => {
    const r = await client().chat.completions.create({ model: MODELS.openai, messages: [{ role: 'user', content: 'Hello' }] });
    expect(r.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(r.choices[0]?.finish_reason).toBe('stop');
    const stream = await client().chat.completions.create({
      model: MODELS.openai,
      messages: [{ role: 'user', content: 'Hello [[sim:tokens=30&tps=400]]' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: number | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage.completion_tokens;
    }
    expect(text.length).toBeGreaterThan(10);
    expect(usage).toBeGreaterThan(0);
  });

  it('maps gateway errors to the SDK’s error classes', async () => {
    await expect(
      new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'sk-eb-nope', maxRetries: 0 }).chat.completions.create({
        model: MODELS.openai,
        messages: [{ role: 'user', content: 'x' }],
      }),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(
      client().chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('lists models', async () => {
    const ids: string[] = [];
    for await (const m of client().models.list()) ids.push(m.id);
    expect(ids.sort()).toEqual(Object.values(MODELS).sort());
  });
});

describe('Node @anthropic-ai/sdk', () => {
  const client = (): Anthropic => new Anthropic({ baseURL: s.url, apiKey: s.key, maxRetries: 0 });

  it('non-stream and stream', async () => {
    const m = await client().messages.create({ model: MODELS.anthropic, max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] });
    expect(m.content[0]?.type).toBe('text');
    expect(m.stop_reason).toBe('end_turn');
    const stream = client().messages.stream({ model: MODELS.anthropic, max_tokens: 64, messages: [{ role: 'user', content: 'Hello [[sim:tokens=30&tps=400]]' }] });
    let text = '';
    stream.on('text', (t) => (text += t));
    const final = await stream.finalMessage();
    expect(text.length).toBeGreaterThan(10);
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  it('the beta client works too, its betas forwarded', async () => {
    const m = await client().beta.messages.create({ model: MODELS.anthropic, max_tokens: 32, messages: [{ role: 'user', content: 'Hi' }], betas: ['context-management-2025-06-27'] });
    expect(m.content.length).toBeGreaterThan(0);
    const got = s.sim.received[s.sim.received.length - 1]!;
    expect(got.headers['anthropic-beta']).toBe('context-management-2025-06-27');
  });

  it('maps errors and lists models', async () => {
    await expect(
      new Anthropic({ baseURL: s.url, apiKey: 'sk-eb-nope', maxRetries: 0 }).messages.create({ model: MODELS.anthropic, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    const page = await client().models.list();
    expect(page.data.map((m) => m.id).sort()).toEqual(Object.values(MODELS).sort());
  });
});

const python = new URL('../../.venv/bin/python', import.meta.url).pathname;
describe.skipIf(!existsSync(python) && !process.env.CI)('Python openai and anthropic SDKs', () => {
  it('stream and non-stream through both SDKs', async () => {
    const script = new URL('../python/sdk_check.py', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(python, [script, MODELS.openai, MODELS.anthropic], {
      env: { ...process.env, EZYBUS_URL: s.url, EZYBUS_KEY: s.key },
      timeout: 60_000,
    });
    const out = JSON.parse(stdout) as Record<string, Record<string, unknown> | string[] | null>;
    expect(out.openai_nonstream).toMatchObject({ finish: 'stop' });
    expect((out.openai_stream as { chunks: number }).chunks).toBeGreaterThan(2);
    expect((out.openai_stream as { completion_tokens: number }).completion_tokens).toBeGreaterThan(0);
    expect(out.openai_404).toEqual({ status: 404, code: 'model_not_found' });
    expect(out.anthropic_nonstream).toMatchObject({ stop: 'end_turn' });
    expect((out.anthropic_stream as { text: string }).text.length).toBeGreaterThan(0);
    expect(out.anthropic_401).toEqual({ status: 401, type: 'authentication_error' });
    expect(out.models).toEqual(Object.values(MODELS).sort());
  });
});
