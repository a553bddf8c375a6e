/**
 * The same-protocol request path through real sockets: client → local Function URL runtime →
 * handler → simulator, with dynalite as the store.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setRoute } from '../../functions/shared/admin/ops.js';
import { dataLines, MODELS, readAll, startStack, until, UPSTREAM_MODELS, type Stack } from '../helpers/stack.js';

let s: Stack;
beforeAll(async () => {
  s = await startStack({ EZYBUS_MAX_BODY_BYTES: String(256 * 1024), EZYBUS_HEARTBEAT_MS: '15000', EZYBUS_IDLE_TIMEOUT_MS: '800', EZYBUS_LEDGER_FLUSH_MS: '3600000' });
  await setRoute('retired-model', [{ upstream: 'sim-openai', model: 'x' }], { active: false });
});
afterAll(async () => s?.close());

const json = (body: unknown): string => JSON.stringify(body);
function post(path: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${s.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${s.key}`, ...headers },
    body,
  });
}
const oaBody = (extra: Record<string, unknown> = {}, text = 'Hello'): string =>
  json({ model: MODELS.openai, messages: [{ role: 'user', content: text }], ...extra });
const anBody = (extra: Record<string, unknown> = {}, text = 'Hello'): string =>
  json({ model: MODELS.anthropic, max_tokens: 64, messages: [{ role: 'user', content: text }], ...extra });

describe('POST /v1/chat/completions (OpenAI pass-through)', () => {
  it('non-stream: returns the upstream JSON with its status', async () => {
    const res = await post('/v1/chat/completions', oaBody());
    expect(res.status).toBe(200);
    const body = (await res.json()) as { object: string; choices: { message: { content: string } }[]; usage: unknown };
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0]?.message.content.length).toBeGreaterThan(0);
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('stream: SSE headers, a heartbeat at once, chunks, [DONE]', async () => {
    const res = await post('/v1/chat/completions', oaBody({ stream: true }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    const { text } = await readAll(res);
    expect(text.startsWith(': ping\n\n')).toBe(true);
    const data = dataLines(text);
    expect(data[data.length - 1]).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as { object: string });
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
  });

  it('forwards the body with only the model name changed', async () => {
    const body = oaBody({ temperature: 0.25, seed: 12345678901234567890, logit_bias: { '42': -100 }, future_field: { a: [1, 2] } });
    const res = await post('/v1/chat/completions', body);
    expect(res.status).toBe(200);
    const got = s.sim.received[s.sim.received.length - 1]!;
    expect(got.body).toBe(body.replace(`"${MODELS.openai}"`, `"${UPSTREAM_MODELS.openai}"`));
    expect(got.headers.authorization).toBe('Bearer sim-key-openai');
  });
});

describe('POST /v1/messages (Anthropic pass-through)', () => {
  it('non-stream, with ?beta=true', async () => {
    const res = await post('/v1/messages?beta=true', anBody(), { 'anthropic-version': '2023-06-01' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { type: string; content: { type: string }[] };
    expect(body.type).toBe('message');
    expect(body.content[0]?.type).toBe('text');
    expect(s.sim.received[s.sim.received.length - 1]?.query).toBe('beta=true'); // forwarded as sent
  });

  it('stream: Anthropic event sequence through the gateway', async () => {
    const res = await post('/v1/messages', anBody({ stream: true }), { 'anthropic-version': '2023-06-01' });
    const { text } = await readAll(res);
    const events = text.split('\n').filter((l) => l.startsWith('event:')).map((l) => l.slice(6).trim());
    expect(events[0]).toBe('message_start');
    expect(events).toContain('content_block_delta');
    expect(events[events.length - 1]).toBe('message_stop');
  });

  it('reaches the upstream byte-for-byte (Claude Code fields) with every anthropic-beta value', async () => {
    const body = anBody({
      thinking: { type: 'adaptive' },
      output_config: { effort: 'medium' },
      context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
      metadata: { user_id: 'u-1' },
      system: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral', ttl: '1h' } }],
    });
    const beta = 'interleaved-thinking-2025-05-14,context-management-2025-06-27,fine-grained-tool-streaming-2025-05-14';
    const res = await post('/v1/messages?beta=true', body, { 'anthropic-version': '2023-06-01', 'anthropic-beta': beta, 'x-api-key': s.key, authorization: '' });
    expect(res.status).toBe(200);
    const got = s.sim.received[s.sim.received.length - 1]!;
    expect(got.body).toBe(body.replace(`"${MODELS.anthropic}"`, `"${UPSTREAM_MODELS.anthropic}"`));
    expect(got.headers['anthropic-beta']).toBe(beta);
    expect(got.headers['anthropic-version']).toBe('2023-06-01');
    expect(got.headers['x-api-key']).toBe('sim-key-anthropic');
    // The gateway key never travels upstream.
    expect(JSON.stringify(got.headers)).not.toContain(s.key);
  });
});

describe('GET /v1/models', () => {
  it('OpenAI shape by default, active routes only', async () => {
    const res = await fetch(`${s.url}/v1/models`, { headers: { authorization: `Bearer ${s.key}` } });
    const body = (await res.json()) as { object: string; data: { id: string; object: string }[] };
    expect(body.object).toBe('list');
    expect(body.data.map((m) => m.id).sort()).toEqual(Object.values(MODELS).sort());
    expect(body.data[0]?.object).toBe('model');
  });

  it('Anthropic shape when anthropic-version is sent', async () => {
    const res = await fetch(`${s.url}/v1/models?limit=2`, { headers: { 'x-api-key': s.key, 'anthropic-version': '2023-06-01' } });
    const body = (await res.json()) as { data: { type: string; id: string }[]; has_more: boolean; first_id: string };
    expect(body.data).toHaveLength(2);
    expect(body.data[0]?.type).toBe('model');
    expect(body.has_more).toBe(true);
    expect(body.first_id).toBe(body.data[0]?.id);
  });
});

describe('errors in the endpoint’s own protocol', () => {
  const oaErr = async (res: Response) => ((await res.json()) as { error: { message: string; type: string; code: string | null } }).error;
  const anErr = async (res: Response) => (await res.json()) as { type: string; error: { type: string; message: string } };

  it('401 without a key and with a wrong key', async () => {
    const none = await fetch(`${s.url}/v1/chat/completions`, { method: 'POST', body: oaBody(), headers: { 'content-type': 'application/json' } });
    expect(none.status).toBe(401);
    expect((await oaErr(none)).code).toBe('invalid_api_key');
    const wrong = await post('/v1/messages', anBody(), { authorization: 'Bearer sk-eb-wrong' });
    expect(wrong.status).toBe(401);
    expect(await anErr(wrong)).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    const models = await fetch(`${s.url}/v1/models`, { headers: { authorization: 'Bearer nope' } });
    expect(models.status).toBe(401);
  });

  it('404 for an unknown or inactive model', async () => {
    const res = await post('/v1/chat/completions', json({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }));
    expect(res.status).toBe(404);
    expect(await oaErr(res)).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found' });
    const inactive = await post('/v1/messages', json({ model: 'retired-model', max_tokens: 5, messages: [] }));
    expect(inactive.status).toBe(404);
    expect((await anErr(inactive)).error.type).toBe('not_found_error');
  });

  it('400 for malformed JSON and a missing required field', async () => {
    const bad = await post('/v1/chat/completions', '{"model": "gpt-test", ');
    expect(bad.status).toBe(400);
    expect((await oaErr(bad)).message).toMatch(/not valid JSON/);
    const missing = await post('/v1/messages', json({ model: MODELS.anthropic, messages: [] }));
    expect(missing.status).toBe(400);
    expect(await anErr(missing)).toMatchObject({ error: { type: 'invalid_request_error' } });
    expect((await post('/v1/messages', json({ model: MODELS.anthropic, messages: [] }))).status).toBe(400);
  });

  it('413 for a body over the limit', async () => {
    const res = await post('/v1/messages', anBody({}, 'x'.repeat(300 * 1024)));
    expect(res.status).toBe(413);
    expect((await anErr(res)).error.type).toBe('request_too_large');
  });

  it('405 for the wrong method', async () => {
    const res = await fetch(`${s.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${s.key}` } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect((await oaErr(res)).code).toBe('method_not_allowed');
    const models = await fetch(`${s.url}/v1/models`, { method: 'DELETE', headers: { authorization: `Bearer ${s.key}` } });
    expect(models.status).toBe(405);
  });
});

describe('streaming behaviour', () => {
  // The role chunk is preamble (held until content, so a failure before it can fail over): hold after the first content.
  it('flushes: the first content chunk arrives while the simulator still holds back the second', async () => {
    const t0 = performance.now();
    const res = await post('/v1/chat/completions', oaBody({ stream: true }, 'hi [[sim:hold_after=2&hold_ms=600&tokens=4]]'));
    const { reads } = await readAll(res);
    const content = reads.filter((r) => r.text.includes('"choices"'));
    expect(content.length).toBeGreaterThan(1);
    const first = content[0]!.at - t0;
    const last = content[content.length - 1]!.at - t0;
    expect(last - first).toBeGreaterThan(500);
    expect(first).toBeLessThan(last - 500);
  });

  it('aborts the upstream on the idle deadline and ends with an error event', async () => {
    const before = s.sim.received.length;
    const res = await post('/v1/messages', anBody({ stream: true }, 'go [[sim:hold_after=1&hold_ms=5000]]'), { 'anthropic-version': '2023-06-01' });
    const { text } = await readAll(res);
    expect(text).toContain('event: error');
    const err = JSON.parse(dataLines(text).pop()!) as { type: string; error: { type: string; message: string } };
    expect(err).toMatchObject({ type: 'error', error: { type: 'timeout_error' } });
    await until(() => s.sim.received[before]?.aborted === true, 'the simulator to see the upstream call aborted');
  });
});

describe('warm path', () => {
  it('makes no DynamoDB call before the upstream request leaves, and no ledger write at all; the batch writer records it after', async () => {
    await (await post('/v1/chat/completions', oaBody())).text(); // warm the caches
    await s.gw.runtime.settled(); // the warm-up's invocation is done
    await s.gw.ledger.flush(); // and its record written, before the store is watched
    // Hold every store call until released: had the request waited on any read (keys, routes,
    // upstreams, prices, health), the upstream would not hear from it while the store is held.
    // (Arrival order alone cannot tell "in front of" from "beside": a stale cache refreshes
    // concurrently with the request, and may reach the store first on a busy machine.)
    const store = s.gw.storeServer!;
    const dynalite = store.listeners('request') as Array<(...a: unknown[]) => void>;
    const dispatch = (req: IncomingMessage, res: ServerResponse): void => {
      for (const h of dynalite) h.call(store, req, res);
    };
    let holding = true;
    const held: Array<() => void> = [];
    const calls: { op: string; body: Buffer[] }[] = [];
    store.removeAllListeners('request');
    store.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const call = { op: String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '', body: [] as Buffer[] };
      calls.push(call);
      req.on('data', (c: Buffer) => call.body.push(c));
      if (!holding) return dispatch(req, res);
      req.pause();
      held.push(() => {
        dispatch(req, res);
        req.resume();
      });
    });
    try {
      const before = s.sim.received.length;
      let timer: NodeJS.Timeout | undefined;
      const res = await Promise.race([
        post('/v1/chat/completions', oaBody()),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the request waited on a held store call')), 5000))),
      ]).finally(() => clearTimeout(timer));
      // The whole answer reaches the client with the store still held: its usage record is
      // written after the response's last byte.
      expect(res.status).toBe(200);
      expect(((await res.json()) as { choices: unknown[] }).choices).toHaveLength(1);
      expect(s.sim.received.length).toBe(before + 1);
    } finally {
      holding = false;
      for (const release of held.splice(0)) release();
    }
    // The invocation has returned (Lambda would freeze it here) without a single write: no
    // ledger call on the request path.
    await s.gw.runtime.settled();
    const table = (c: { body: Buffer[] }): string => /"TableName":"([^"]+)"/.exec(Buffer.concat(c.body).toString())?.[1] ?? '';
    const writes = (): string[] => calls.filter((c) => c.op !== 'Query' && c.op !== 'GetItem').map((c) => `${c.op} ${table(c)}`);
    expect(writes()).toEqual([]);
    // The batch writer (fed by the log line) then writes the record and its totals.
    await s.gw.ledger.flush();
    expect(writes()).toContain('PutItem ezybus-local-usage');
    store.removeAllListeners('request');
    for (const h of dynalite) store.on('request', h);
  });
});
