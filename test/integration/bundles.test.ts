/**
 * The esbuild bundles Lambda runs, not the sources the other suites import: each completion
 * function's bundle carries every upstream side but only its own client side (lib/bundling.ts
 * `clientDefines`), so a path that needed another protocol's client side would fail only here.
 * Every client protocol × every upstream protocol, stream and non-stream, plus a refused body,
 * through the four completion bundles in the local Function URL runtime; and what each bundle
 * left out, read from esbuild's metafile.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setRoute } from '../../functions/shared/admin/ops.js';
import { ENDPOINTS, routeTable } from '../../functions/endpoints.js';
import type { StreamingHandler } from '../../functions/shared/runtime/awslambda.js';
import { installLocalAwsLambda } from '../../local/runtime.js';
import { bundle } from '../../scripts/build.js';
import { startStack, TEST_MODE, type Stack } from '../helpers/stack.js';

// The Function URL bundles run behind Function URLs only (the Web Function is functions/web.ts, one bundle with every side).
const suite = TEST_MODE === 'web' ? describe.skip : describe;
const dir = mkdtempSync(join(tmpdir(), 'ezybus-bundles-'));
const UPSTREAMS = ['openai', 'anthropic', 'gemini'] as const;
let s: Stack;
/** The bundles' own log lines: their logging module is their own copy, writing to stdout as in Lambda. */
const lines: Record<string, unknown>[] = [];
const write = process.stdout.write.bind(process.stdout);

beforeAll(async () => {
  if (TEST_MODE === 'web') return;
  await bundle(dir, true);
  installLocalAwsLambda(); // the bundles call awslambda.streamifyResponse at module init
  const handlers: Record<string, StreamingHandler> = {};
  for (const e of ENDPOINTS) handlers[e.name] = ((await import(join(dir, `${e.name}.mjs`))) as { handler: StreamingHandler }).handler;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (!text.startsWith('{"')) return write(chunk, ...rest);
    for (const l of text.split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
    return true;
  }) as typeof process.stdout.write;
  s = await startStack({}, 'furl', { loadHandlers: async () => routeTable((e) => handlers[e.name] as StreamingHandler) });
  for (const up of UPSTREAMS) await setRoute(`b-${up}`, [{ upstream: `sim-${up}`, model: `${up}-upstream-model` }]);
}, 120_000);
afterAll(async () => {
  process.stdout.write = write;
  await s?.close();
});

suite('what each completion bundle carries', () => {
  const inputs = (name: string): string[] => {
    const meta = JSON.parse(readFileSync(join(dir, `${name}.mjs.meta.json`), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
    return Object.values(meta.outputs).flatMap((o) => Object.keys(o.inputs));
  };
  it.each(ENDPOINTS.filter((e) => e.kind === 'completion').map((e) => [e.name, e.protocol] as const))('%s: its own client encoder, no other protocol’s', (name, own) => {
    const encoders = inputs(name).filter((f) => /protocol\/[a-z-]+\/stream-out\.ts$/.test(f));
    expect(encoders).toEqual([`functions/shared/protocol/${own}/stream-out.ts`]);
    // Every upstream side stays: each protocol's stream parser is in.
    expect(inputs(name).filter((f) => /protocol\/[a-z-]+\/stream-in\.ts$/.test(f))).toHaveLength(4);
  });
  it('count and embeddings answer in several protocols and keep every client side; models carries no adapter', () => {
    for (const name of ['count-tokens', 'embeddings']) expect(inputs(name).filter((f) => /protocol\/[a-z-]+\/stream-out\.ts$/.test(f))).toHaveLength(4);
    expect(inputs('models').filter((f) => f.includes('/protocol/')).sort()).toEqual(
      ['chat-completions/errors.ts', 'generate-content/client-errors.ts', 'generate-content/models.ts', 'messages/errors.ts', 'wire.ts'].map((f) => `functions/shared/protocol/${f}`),
    );
  });
});

type Call = { path: string; body: (model: string, stream: boolean) => Record<string, unknown>; text: (body: string) => boolean };
const CLIENTS: Record<string, Call> = {
  'chat-completions': {
    path: '/v1/chat/completions',
    body: (model, stream) => ({ model, stream, ...(stream ? { stream_options: { include_usage: true } } : {}), messages: [{ role: 'user', content: 'Hello' }] }),
    text: (b) => /"content":"[^"]+/.test(b),
  },
  messages: { path: '/v1/messages', body: (model, stream) => ({ model, stream, max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] }), text: (b) => /"text(_delta)?"/.test(b) },
  responses: { path: '/v1/responses', body: (model, stream) => ({ model, stream, input: 'Hello' }), text: (b) => /output_text/.test(b) },
  'generate-content': {
    path: '',
    body: () => ({ contents: [{ role: 'user', parts: [{ text: 'Hello' }] }] }),
    text: (b) => /"text":"[^"]+/.test(b),
  },
};
const pathOf = (client: string, model: string, stream: boolean): string =>
  client === 'generate-content' ? `/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}` : (CLIENTS[client] as Call).path;

suite.each(Object.keys(CLIENTS))('%s client through its bundle', (client) => {
  const call = CLIENTS[client] as Call;
  it.each(UPSTREAMS.flatMap((up) => [false, true].map((stream) => [up, stream] as const)))('→ %s upstream, stream %s: content, and the usage billed', async (up, stream) => {
    const model = `b-${up}`;
    const res = await fetch(`${s.url}${pathOf(client, model, stream)}`, { method: 'POST', headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' }, body: JSON.stringify(call.body(model, stream)) });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(call.text(text), text).toBe(true);
    const rid = res.headers.get('x-request-id');
    await expect.poll(() => lines.find((l) => l.requestId === rid && l.msg === 'request')).toBeTruthy();
    const line = lines.find((l) => l.requestId === rid && l.msg === 'request') as { status: number; costMicros: number; record: { usage: { inputTokens: number; outputTokens: number } | null } };
    expect(line.status).toBe(200);
    expect(line.record.usage?.inputTokens).toBeGreaterThan(0);
    expect(line.record.usage?.outputTokens).toBeGreaterThan(0);
  });
  it('a body that is not JSON: a 400 in this protocol', async () => {
    const res = await fetch(`${s.url}${pathOf(client, 'b-openai', false)}`, { method: 'POST', headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' }, body: '{"model":' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error?: { message?: string; type?: string; status?: string } };
    expect(body.error?.message).toMatch(/not valid JSON/);
    // Anthropic's errors say type "error" at the top; OpenAI's and Google's carry it inside.
    if (client === 'generate-content') expect(body.error?.status).toBe('INVALID_ARGUMENT');
  });
});

suite('the models bundle', () => {
  it('lists the routed models to each SDK in its shape, and refuses a bad key in that shape', async () => {
    const get = (path: string, headers: Record<string, string>): Promise<Response> => fetch(`${s.url}${path}`, { headers });
    const openai = (await (await get('/v1/models', { authorization: `Bearer ${s.key}` })).json()) as { object: string; data: { id: string }[] };
    expect(openai.object).toBe('list');
    expect(openai.data.map((m) => m.id)).toEqual(expect.arrayContaining(['b-openai', 'b-anthropic', 'b-gemini']));
    const anthropic = (await (await get('/v1/models', { 'x-api-key': s.key, 'anthropic-version': '2023-06-01' })).json()) as { data: { id: string; type: string }[] };
    expect(anthropic.data.find((m) => m.id === 'b-anthropic')?.type).toBe('model');
    const gemini = (await (await get('/v1beta/models', { 'x-goog-api-key': s.key })).json()) as { models: { name: string }[] };
    expect(gemini.models.map((m) => m.name)).toContain('models/b-gemini');
    const bad = 'sk-eb-not-a-key-0000000000000000';
    const e1 = await get('/v1/models', { authorization: `Bearer ${bad}` });
    expect(e1.status).toBe(401);
    expect(((await e1.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    const e2 = await get('/v1/models', { 'x-api-key': bad, 'anthropic-version': '2023-06-01' });
    expect(e2.status).toBe(401);
    expect(((await e2.json()) as { type: string; error: { type: string } }).type).toBe('error');
    const e3 = await get('/v1beta/models', { 'x-goog-api-key': bad });
    expect(e3.status).toBe(401);
    expect(((await e3.json()) as { error: { status: string } }).error.status).toBe('UNAUTHENTICATED');
  });
});
