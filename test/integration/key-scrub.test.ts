/**
 * An upstream (or a proxy before it) that echoes the credential it was sent — raw, as
 * `Bearer …`, base64 inside an encoded header line, URL-encoded, truncated — must not hand the
 * provider key to the client: not in an error body, an error event mid-stream, or a relayed
 * header. The simulator's `echo_auth` scenario plays that upstream. Success bodies are relayed
 * as sent.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUpstream, addUpstreamKey, setRoute } from '../../functions/shared/admin/ops.js';
import { readAll, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
const KEYS = {
  openai: `sk-proj-${randomBytes(36).toString('base64url')}`,
  anthropic: `sk-ant-api03-${randomBytes(60).toString('base64url')}-AAAA`,
  gemini: `AIza${randomBytes(26).toString('base64url').slice(0, 35)}`,
} as const;
type P = keyof typeof KEYS;

beforeAll(async () => {
  s = await startStack();
  for (const p of Object.keys(KEYS) as P[]) {
    await addUpstream(`leaky-${p}`, p, s.sim.url);
    await addUpstreamKey(`leaky-${p}`, KEYS[p], `leaky-${p}-k1`);
    await setRoute(`leaky-${p}`, [{ upstream: `leaky-${p}`, model: `${p}-sim-model` }]);
  }
});
afterAll(async () => s?.close());

/** Every form of the key the echo produces, as a client could read it back. */
function leaked(text: string, key: string): string[] {
  const forms = {
    raw: key,
    prefix: key.slice(0, 14),
    base64: Buffer.from(`authorization: Bearer ${key}`).toString('base64').slice(12, 48),
    base64x: Buffer.from(`authorization: ${key}`).toString('base64').slice(12, 48),
    base64url: Buffer.from(`x:${key}`).toString('base64url').slice(4, 40),
    url: encodeURIComponent(key).slice(0, 20),
  };
  return Object.entries(forms)
    .filter(([, v]) => text.includes(v))
    .map(([k]) => k);
}

async function call(client: 'openai' | 'anthropic', upstream: P, marker: string, stream: boolean): Promise<{ status: number; headers: string; body: string }> {
  const content = `hello [[sim:${marker}]]`;
  const res =
    client === 'openai'
      ? await fetch(`${s.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: `leaky-${upstream}`, stream, messages: [{ role: 'user', content }] }),
        })
      : await fetch(`${s.url}/v1/messages`, {
          method: 'POST',
          headers: { 'x-api-key': s.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
          body: JSON.stringify({ model: `leaky-${upstream}`, stream, max_tokens: 64, messages: [{ role: 'user', content }] }),
        });
  const body = (await readAll(res)).text;
  return { status: res.status, headers: JSON.stringify([...res.headers]), body };
}

const CASES: Array<{ client: 'openai' | 'anthropic'; upstream: P }> = [
  { client: 'openai', upstream: 'openai' },
  { client: 'openai', upstream: 'anthropic' },
  { client: 'openai', upstream: 'gemini' },
  { client: 'anthropic', upstream: 'anthropic' },
  { client: 'anthropic', upstream: 'openai' },
  { client: 'anthropic', upstream: 'gemini' },
];

describe('an upstream that echoes its key', () => {
  for (const { client, upstream } of CASES) {
    const label = `${client} client → ${upstream} upstream${client === upstream ? ' (pass-through)' : ''}`;

    it(`${label}: the error body and relayed headers of a refusal carry no form of the key`, async () => {
      const r = await call(client, upstream, 'fail=400&echo_auth=1', false);
      expect(r.status).toBe(400);
      expect(leaked(r.body + r.headers, KEYS[upstream])).toEqual([]);
      // The echo did arrive and was scrubbed (not dropped): the rest of the message survives.
      expect(r.body).toContain('Simulated 400.');
      const seen = s.sim.received.at(-1)!;
      expect(seen.apiKey).toBe(KEYS[upstream]); // the upstream did get the key
    });

    it(`${label}: a refusal after the stream was committed becomes an error event without the key`, async () => {
      const r = await call(client, upstream, 'fail=400&echo_auth=1', true);
      expect(r.status).toBe(200);
      expect(r.body).toMatch(/error/);
      expect(leaked(r.body + r.headers, KEYS[upstream])).toEqual([]);
    });

    it(`${label}: the provider's mid-stream error event reaches the client without the key`, async () => {
      const r = await call(client, upstream, 'error_after=2&echo_auth=1', true);
      expect(r.status).toBe(200);
      expect(r.body).toMatch(/error/);
      expect(leaked(r.body + r.headers, KEYS[upstream])).toEqual([]);
    });
  }

  it('a success answer is relayed as sent; only the echoing header is scrubbed', async () => {
    const r = await call('openai', 'openai', 'echo_auth=1&text=an error-free answer', false);
    expect(r.status).toBe(200);
    expect(leaked(r.headers, KEYS.openai)).toEqual([]);
    expect(r.headers).toContain('req_[redacted upstream key]');
    const body = JSON.parse(r.body) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]?.message.content).toContain('an error-free answer');
  });
});
