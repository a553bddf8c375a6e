/**
 * The admin API over real HTTP (local Function URL runtime, dynalite): who may call it, what a
 * read-only key may not do, a clear 4xx for bad input on every endpoint, and the audit trail
 * each change leaves. The CLI and the API run the same operations (functions/shared/admin/ops.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminKey, revokeAdminKey } from '../../functions/shared/admin/admin-keys.js';
import { startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
let writeKey: string;
let readKey: string;
let revokedKey: string;

beforeAll(async () => {
  s = await startStack();
  writeKey = (await createAdminKey('api writer', 'write')).key;
  readKey = (await createAdminKey('api reader', 'read')).key;
  const revoked = await createAdminKey('gone', 'write');
  await revokeAdminKey(revoked.record.id);
  revokedKey = revoked.key;
});

afterAll(async () => {
  await s?.close();
});

interface Answer {
  status: number;
  body: { error?: { type: string; message: string } } & Record<string, unknown>;
  headers: Headers;
}

async function call(method: string, path: string, opts: { key?: string | null; body?: unknown; raw?: string; type?: string } = {}): Promise<Answer> {
  const key = opts.key === undefined ? writeKey : opts.key;
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  const body = opts.raw ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined);
  if (body !== undefined) headers['content-type'] = opts.type ?? 'application/json';
  const res = await fetch(`${s.url}/admin${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: Answer['body'] = {};
  try {
    parsed = JSON.parse(text) as Answer['body'];
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

const WRITES: [string, string, unknown][] = [
  ['POST', '/keys', { name: 'x' }],
  ['PATCH', '/keys/gk_x', { rpm: 1 }],
  ['POST', '/keys/gk_x/revoke', undefined],
  ['POST', '/upstreams', { id: 'u', protocol: 'openai', baseUrl: 'https://example.com' }],
  ['PATCH', '/upstreams/sim-openai', { disabled: true }],
  ['POST', '/upstreams/sim-openai/keys', { apiKey: 'k' }],
  ['PATCH', '/upstreams/sim-openai/keys/openai-k1', { disabled: true }],
  ['PUT', '/routes', { model: 'm', targets: [{ upstream: 'sim-openai', model: 'x' }] }],
  ['PUT', '/prices', { model: 'm', input: 1, output: 2 }],
  ['DELETE', '/prices/m', undefined],
];

const READS = ['/whoami', '/overview', '/keys', '/upstreams', '/routes', '/prices', '/usage', '/requests', '/audit'];

describe('admin API: authentication', () => {
  it('refuses a missing, malformed, unknown, revoked or gateway key with 401 and says why', async () => {
    const cases: [string | null, RegExp][] = [
      [null, /Missing admin key/],
      ['not-a-key', /not an admin key/],
      [s.key, /gateway keys are not accepted/],
      ['ak-eb-' + 'x'.repeat(32), /Invalid admin key/],
      [revokedKey, /revoked/],
    ];
    for (const [key, why] of cases) {
      for (const path of ['/keys', '/whoami']) {
        const r = await call('GET', path, { key });
        expect(r.status, `${path} with ${String(key)}`).toBe(401);
        expect(r.body.error?.type).toBe('authentication');
        expect(r.body.error?.message).toMatch(why);
      }
    }
    // Writes are refused the same way (authentication before anything else).
    const w = await call('POST', '/keys', { key: null, body: { name: 'x' } });
    expect(w.status).toBe(401);
  });

  it('lets a read-only key read every page and refuses every write with 403', async () => {
    for (const path of READS) expect((await call('GET', path, { key: readKey })).status, path).toBe(200);
    for (const [method, path, body] of WRITES) {
      const r = await call(method, path, { key: readKey, body });
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body.error?.message).toMatch(/read-only/);
    }
    expect((await call('GET', '/keys')).body.keys).not.toContainEqual(expect.objectContaining({ name: 'x' }));
  });
});

describe('admin API: bad input is a 4xx on every endpoint', () => {
  it('answers unknown paths 404 and wrong methods 405 with Allow', async () => {
    expect((await call('GET', '/nope')).status).toBe(404);
    const r = await call('DELETE', '/keys');
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, POST');
  });

  it('refuses bodies that are missing, not JSON, not objects, the wrong type, too large, or with unknown fields', async () => {
    for (const [method, path] of WRITES.filter(([, , b]) => b !== undefined)) {
      const missing = await call(method, path);
      expect(missing.status, `${method} ${path} without body`).toBe(400);
      expect(missing.body.error?.message).toMatch(/JSON object body/);
      expect((await call(method, path, { raw: '{"name":' })).body.error?.message, `${method} ${path} broken JSON`).toMatch(/not valid JSON/);
      expect((await call(method, path, { raw: '[1,2]' })).status).toBe(400);
      const unknown = await call(method, path, { body: { surprise: 1 } });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error?.message).toMatch(/Unknown field: surprise/);
      expect((await call(method, path, { raw: '{}', type: 'text/plain' })).status, `${method} ${path} text/plain`).toBe(415);
      expect((await call(method, path, { raw: JSON.stringify({ name: 'x'.repeat(70_000) }) })).status).toBe(413);
    }
  });

  it('names the field and what it must be', async () => {
    const cases: [string, string, unknown, number, RegExp][] = [
      ['POST', '/keys', {}, 400, /name: must be a string/],
      ['POST', '/keys', { name: 7 }, 400, /name: must be a non-empty string/],
      ['POST', '/keys', { name: 'a', rpm: -1 }, 400, /rpm: must be an integer from 0/],
      ['POST', '/keys', { name: 'a', rpm: 1.5 }, 400, /rpm: must be an integer/],
      ['POST', '/keys', { name: 'a', budgetUsd: 'ten' }, 400, /budgetUsd: must be a number/],
      ['POST', '/keys', { name: 'a', models: 'gpt-*' }, 400, /models: must be an array/],
      ['POST', '/keys', { name: 'a', expiresAt: 'soon' }, 400, /expiresAt: must be an ISO 8601/],
      ['PATCH', '/keys/gk_missing', { rpm: 5 }, 404, /no gateway key with id 'gk_missing'/],
      ['POST', '/keys/gk_missing/revoke', undefined, 404, /no gateway key/],
      ['POST', '/upstreams', { id: 'Bad Id', protocol: 'openai', baseUrl: 'https://x.example' }, 400, /id: must be lower-case letters/],
      ['POST', '/upstreams', { id: 'u1', protocol: 'cohere', baseUrl: 'https://x.example' }, 400, /protocol: must be one of chat-completions, messages, generate-content, responses, openai, anthropic, gemini/],
      ['POST', '/upstreams', { id: 'u1', protocol: 'openai', baseUrl: 'ftp://x' }, 400, /baseUrl: must be an http\(s\) URL/],
      ['POST', '/upstreams', { id: 'u1', protocol: 'openai', baseUrl: 'http://[bad' }, 400, /not a URL/],
      ['PATCH', '/upstreams/none', { disabled: true }, 404, /unknown upstream 'none'/],
      ['PATCH', '/upstreams/sim-openai', { disabled: 'yes' }, 400, /disabled: must be true or false/],
      ['PATCH', '/upstreams/sim-openai', {}, 400, /disabled: .*required/],
      ['POST', '/upstreams/none/keys', { apiKey: 'k' }, 404, /unknown upstream/],
      ['POST', '/upstreams/sim-openai/keys', { apiKey: 'k', retire: 'uk_none' }, 404, /no key 'uk_none'/],
      ['POST', '/upstreams/sim-openai/keys', {}, 400, /apiKey: must be a string/],
      ['PATCH', '/upstreams/sim-openai/keys/uk_none', { disabled: true }, 404, /no key 'uk_none'/],
      ['PUT', '/routes', { model: 'm' }, 400, /targets: .*required/],
      ['PUT', '/routes', { model: 'm', targets: [] }, 400, /targets: must be an array of 1–20/],
      ['PUT', '/routes', { model: 'm', targets: [{ upstream: 'nowhere', model: 'x' }] }, 400, /unknown upstream 'nowhere'/],
      ['PUT', '/routes', { model: 'm', targets: [{ upstream: 'sim-openai' }] }, 400, /targets\[0\]\.model: must be a string/],
      ['PUT', '/routes', { model: 'm', targets: [{ upstream: 'sim-openai', model: 'x', weight: -2 }] }, 400, /targets\[0\]\.weight: must be a number/],
      ['PUT', '/routes', { model: 'm', targets: [{ upstream: 'sim-openai', model: 'x', extra: 1 }] }, 400, /targets\[0\]\.extra: unknown field/],
      ['PUT', '/routes', { model: 'bad model!', targets: [{ upstream: 'sim-openai', model: 'x' }] }, 400, /model: must be a model name/],
      ['PUT', '/routes', { model: 'm', targets: [{ upstream: 'sim-openai', model: 'x' }], autoCache: '2h' }, 400, /autoCache: must be 5m or 1h/],
      ['PUT', '/routes', { model: 'm', targets: [{ upstream: 'sim-openai', model: 'x' }], failoverStatuses: [200] }, 400, /failoverStatuses: must be an array of HTTP statuses 400–599/],
      ['PUT', '/routes', { model: 'm', targets: [{ upstream: 'sim-openai', model: 'x' }], thinkingBudgets: { low: 10, medium: 2000, high: 3000 } }, 400, /thinkingBudgets.low: must be an integer from 1024/],
      ['PUT', '/routes', { model: 'm', targets: [{ upstream: 'sim-openai', model: 'x' }], hedgeAfterMs: 0 }, 400, /hedgeAfterMs: must be an integer from 1/],
      ['PUT', '/prices', { model: 'm', input: 1 }, 400, /input and output: USD per million tokens are required/],
      ['PUT', '/prices', { model: 'm', input: -1, output: 1 }, 400, /input: must be a number from 0/],
      ['PUT', '/prices', { model: 'm', input: 1, output: 1, longContext: { input: 2, output: 2 } }, 400, /longContext.aboveInputTokens/],
      ['DELETE', '/prices/not-overridden', undefined, 404, /no price override for 'not-overridden'/],
      ['GET', '/overview?minutes=0', undefined, 400, /minutes= must be from 1 to 1440/],
      ['GET', '/overview?minutes=abc', undefined, 400, /minutes= must be whole minutes/],
      ['GET', '/usage?from=yesterday', undefined, 400, /from= must be YYYY-MM-DD/],
      ['GET', '/usage?format=xml', undefined, 400, /format= must be json or csv/],
      ['GET', '/requests?limit=0', undefined, 400, /limit= must be from 1 to 500/],
      ['GET', '/requests?status=bad', undefined, 400, /status= must be ok, error or an HTTP status/],
      ['GET', '/requests?before=noon', undefined, 400, /before= must be an ISO time/],
      ['GET', '/requests/no-such-request', undefined, 404, /no usage record for request 'no-such-request'/],
      ['GET', '/requests/%E0%A4%A', undefined, 404, /No admin endpoint/],
      ['GET', '/prices/%E0%A4%A', undefined, 405, /Use DELETE/],
      ['DELETE', '/prices/%E0%A4%A', undefined, 400, /not valid percent-encoding/],
      ['GET', '/audit?days=0', undefined, 400, /days= must be 1–90/],
    ];
    const wrong: string[] = [];
    for (const [method, path, body, status, message] of cases) {
      const r = await call(method, path, { body });
      if (r.status !== status || !message.test(r.body.error?.message ?? '')) wrong.push(`${method} ${path} ${JSON.stringify(body)} → ${r.status} ${JSON.stringify(r.body)}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('admin API: operations and the audit trail', () => {
  it('creates, updates and revokes a key, records who did each, and the revoked key stops working', async () => {
    const created = await call('POST', '/keys', { body: { name: 'audited', models: ['gpt-*'], rpm: 10, budgetUsd: 2.5, expiresAt: '2030-01-01T00:00:00Z' } });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    const record = created.body.record as { id: string; hash?: string; budgetMicros: number; expiresAt: number };
    expect(record.hash).toBeUndefined();
    expect(record.budgetMicros).toBe(2_500_000);
    expect(record.expiresAt).toBe(Date.parse('2030-01-01T00:00:00Z'));
    const models = await fetch(`${s.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    expect(models.status).toBe(200);
    expect((await call('PATCH', `/keys/${record.id}`, { body: { rpm: 20 } })).body.record).toMatchObject({ rpm: 20, name: 'audited' });
    expect((await call('POST', `/keys/${record.id}/revoke`)).status).toBe(200);
    const { entries } = (await call('GET', '/audit')).body as { entries: { actor: { kind: string; name: string }; action: string; target: string; time: string }[] };
    const mine = entries.filter((e) => e.target === record.id);
    expect(mine.map((e) => e.action)).toEqual(['keys.revoke', 'keys.update', 'keys.create']);
    for (const e of mine) {
      expect(e.actor).toMatchObject({ kind: 'admin-key', name: 'api writer' });
      expect(Date.now() - Date.parse(e.time)).toBeLessThan(10 * 60_000);
    }
    // No secret in the trail: the key itself never, the hint only.
    expect(JSON.stringify(entries)).not.toContain(key);
  });

  it('adds an upstream with a key and rotates it; the trail keeps only the hint', async () => {
    const add = await call('POST', '/upstreams', { body: { id: 'rotating', protocol: 'anthropic', baseUrl: s.sim.url, apiKey: 'secret-provider-key-0001' } });
    expect(add.status).toBe(201);
    const first = add.body.keyId as string;
    const rot = await call('POST', '/upstreams/rotating/keys', { body: { apiKey: 'secret-provider-key-0002', retire: first } });
    expect(rot.status).toBe(201);
    const up = ((await call('GET', '/upstreams')).body.upstreams as { id: string; keys: { id: string; hint: string; state: string }[] }[]).find((u) => u.id === 'rotating');
    expect(up?.keys.map((k) => [k.id === first, k.hint, k.state]).sort()).toEqual([
      [false, '…0002', 'ready'],
      [true, '…0001', 'disabled'],
    ]);
    const trail = JSON.stringify((await call('GET', '/audit')).body);
    expect(trail).toContain('upstreams.key.add');
    expect(trail).not.toContain('secret-provider-key');
  });

  it('serves usage as CSV, the same rows `ezybus usage --csv` prints', async () => {
    const res = await fetch(`${s.url}/admin/usage?format=csv`, { headers: { authorization: `Bearer ${readKey}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    expect((await res.text()).split('\n')[0]).toBe('day,key_id,key_name,model,requests,errors,inputTokens,cacheReadTokens,cacheWrite5mTokens,cacheWrite1hTokens,outputTokens,reasoningTokens,costMicros,cost_usd');
  });
});
