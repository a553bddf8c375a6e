/**
 * Every recorded provider response replayed through the translation layer into each client
 * protocol it can meet: streams through the upstream parser and client encoder, bodies through
 * the body translators, errors through the error translator. Assertions check what a client
 * would notice (the text, the tool calls, the stop reason, the framing); snapshots pin the rest.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSseParser } from '../../functions/shared/protocol/sse.js';
import { createStreamTranslator, translateErrorBody, translateResponseBody } from '../../functions/shared/protocol/translate.js';
import type { Protocol, TokenUsage } from '../../functions/shared/usage/types.js';
import { LEGACY_PROTOCOL_NAMES } from '../../functions/shared/protocol/wire.js';

/** Fixture folders and these tests name protocols by their record names (openai, anthropic, gemini). */
type ClientProtocol = 'openai' | 'anthropic';
const wire = (p: Protocol) => LEGACY_PROTOCOL_NAMES[p];
import { recorded } from './fixtures.js';

// Snapshots pin `created` timestamps, so the encoders read a fixed clock here.
beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
});
afterAll(() => vi.useRealTimers());

const all = recorded();
const streams = all.filter((r) => r.stream && r.status === 200);
// Completion bodies only (some cassettes end with a cache-management call, not a completion).
const bodies = all.filter((r) => !r.stream && r.status === 200 && /"candidates"|"choices"|"type":\s*"message"/.test(r.body));
const errors = all.filter((r) => r.status >= 400);
const clientsFor = (p: Protocol): ClientProtocol[] => (['openai', 'anthropic'] as const).filter((c) => c !== p);
const opts = { upstreamModel: 'up', publicModel: 'public-model', stream: true, maxTokensDefault: 4096, request: {} };

async function translate(client: ClientProtocol, upstream: Protocol, parts: Uint8Array[], includeUsage = true): Promise<{ out: string; usage: TokenUsage | undefined; stop: string | null }> {
  let usage: TokenUsage | undefined;
  let stop: string | null = null;
  const ts = createStreamTranslator(wire(client), wire(upstream), { ...opts, request: includeUsage ? { stream_options: { include_usage: true } } : {}, onUsage: (u, s) => ((usage = u), (stop = s)) });
  const w = ts.writable.getWriter();
  const reader = ts.readable.getReader();
  const read = (async () => {
    let s = '';
    const dec = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return s;
      s += dec.decode(value, { stream: true });
    }
  })();
  for (const p of parts) await w.write(p);
  await w.close();
  return { out: await read, usage, stop };
}

/** Snapshots are readable, valid JSON files: one per fixture and client, under __snapshots__/replay/. */
const snapshot = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;
const snapshotFile = (kind: string, fixture: string, client: string): string => `./__snapshots__/replay/${kind}/${fixture.replace(/\//g, '__')}.${client}.json`;

function events(text: string): { event: string | undefined; data: string }[] {
  const out: { event: string | undefined; data: string }[] = [];
  const p = createSseParser((e) => out.push(e));
  p.push(text);
  p.end();
  return out;
}

/** What a person reads in the upstream stream: its text. */
function upstreamText(provider: Protocol, sse: string): string {
  let t = '';
  for (const e of events(sse)) {
    if (e.data === '[DONE]') continue;
    let d: Record<string, unknown>;
    try {
      d = JSON.parse(e.data) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (provider === 'openai') for (const c of (d.choices as { delta?: { content?: string; refusal?: string } }[] | undefined) ?? []) t += (c.delta?.content ?? '') + (c.delta?.refusal ?? '');
    else if (provider === 'anthropic') t += (d.delta as { text?: string } | undefined)?.text ?? '';
    else for (const c of (d.candidates as { content?: { parts?: { text?: string; thought?: boolean }[] } }[] | undefined) ?? []) for (const p of c.content?.parts ?? []) if (!p.thought) t += p.text ?? '';
  }
  return t;
}

function clientText(client: ClientProtocol, out: string): string {
  let t = '';
  for (const e of events(out)) {
    if (e.data === '[DONE]') continue;
    const d = JSON.parse(e.data) as Record<string, unknown>;
    if (client === 'openai') for (const c of (d.choices as { delta?: { content?: string } }[] | undefined) ?? []) t += c.delta?.content ?? '';
    else t += (d.delta as { text?: string } | undefined)?.text ?? '';
  }
  return t;
}

describe('recorded streams through every other client protocol', () => {
  const enc = new TextEncoder();
  const cases = streams.flatMap((r) => clientsFor(r.provider).map((c) => [`${r.name} → ${c} client`, r, c] as const));
  it.each(cases)('%s', async (_n, r, client) => {
    const { out, usage } = await translate(client, r.provider, [enc.encode(r.body)]);
    const evs = events(out);
    expect(evs.length).toBeGreaterThan(1);
    if (client === 'openai') {
      expect(evs[evs.length - 1]?.data).toBe('[DONE]');
      for (const e of evs.slice(0, -1)) expect(JSON.parse(e.data)).toMatchObject({ object: 'chat.completion.chunk', model: 'public-model' });
    } else {
      expect(evs[0]?.event).toBe('message_start');
      expect(evs[evs.length - 1]?.event).toBe('message_stop');
      for (const e of evs) expect((JSON.parse(e.data) as { type: string }).type).toBe(e.event);
    }
    expect(clientText(client, out)).toBe(upstreamText(r.provider, r.body));
    expect(usage).toBeDefined();
    await expect(snapshot(events(out).map((e) => ({ ...(e.event ? { event: e.event } : {}), data: e.data === '[DONE]' ? e.data : (JSON.parse(e.data) as unknown) })))).toMatchFileSnapshot(snapshotFile('stream', r.name, client));
  });

  it('the client stream is the same whatever byte boundaries the upstream stream is split at', async () => {
    for (const r of streams) {
      for (const client of clientsFor(r.provider)) {
        const bytes = enc.encode(r.body);
        const strip = (s: string): string => s.replace(/"created":\d+/g, '');
        const whole = strip((await translate(client, r.provider, [bytes])).out);
        await fc.assert(
          fc.asyncProperty(fc.array(fc.integer({ min: 1, max: Math.max(1, bytes.length - 1) }), { maxLength: 6 }), async (cuts) => {
            const pts = [...new Set(cuts)].sort((a, b) => a - b);
            const parts: Uint8Array[] = [];
            let prev = 0;
            for (const c of pts) {
              parts.push(bytes.slice(prev, c));
              prev = c;
            }
            parts.push(bytes.slice(prev));
            expect(strip((await translate(client, r.provider, parts)).out)).toBe(whole);
          }),
          { numRuns: 8 },
        );
      }
    }
  });

  it('usage is reported to an OpenAI client only when asked', async () => {
    const r = streams.find((x) => x.provider === 'anthropic')!;
    const without = await translate('openai', 'anthropic', [enc.encode(r.body)], false);
    const withUsage = await translate('openai', 'anthropic', [enc.encode(r.body)], true);
    expect(without.out).not.toContain('"usage"');
    expect(withUsage.out).toContain('"usage"');
  });
});

describe('broken streams', () => {
  const enc = new TextEncoder();
  const anthropic = streams.find((x) => x.name.includes('anthropic/stream-text-basic'))!;

  it('cut mid-event: what arrived is delivered, no stop is invented, usage is estimated', async () => {
    const cut = anthropic.body.slice(0, Math.floor(anthropic.body.length / 2));
    const { out, usage, stop } = await translate('openai', 'anthropic', [enc.encode(cut)]);
    expect(out).not.toContain('[DONE]');
    expect(stop).toBeNull();
    expect(usage?.estimated).toBe(true);
  });

  it('an error event mid-stream becomes the client’s error chunk', async () => {
    const body = anthropic.body.split('event: content_block_stop')[0] + 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';
    const { out } = await translate('openai', 'anthropic', [enc.encode(body)]);
    expect(out).toContain('data: {"error":{"message":"Overloaded","type":"overloaded_error"');
  });

  it('a duplicate message_start does not start a second OpenAI message', async () => {
    const start = /event: message_start\ndata: .*\n\n/.exec(anthropic.body)![0];
    const { out } = await translate('openai', 'anthropic', [enc.encode(start + anthropic.body)]);
    const roles = events(out).filter((e) => e.data.includes('"role":"assistant"'));
    expect(roles).toHaveLength(1);
    expect(events(out).filter((e) => e.data.includes('"finish_reason":"stop"'))).toHaveLength(1);
    expect(clientText('openai', out)).toBe(upstreamText('anthropic', anthropic.body));
  });
});

describe('recorded non-stream bodies', () => {
  const cases = bodies.flatMap((r) => clientsFor(r.provider).map((c) => [`${r.name} → ${c} client`, r, c] as const));
  it.each(cases)('%s', async (_n, r, client) => {
    const { body, usage } = translateResponseBody(wire(client), wire(r.provider), r.body, { ...opts, stream: false });
    const j = JSON.parse(body) as Record<string, unknown>;
    if (client === 'openai') expect(j).toMatchObject({ object: 'chat.completion', model: 'public-model' });
    else expect(j).toMatchObject({ type: 'message', role: 'assistant', model: 'public-model' });
    expect(usage).not.toBeNull();
    await expect(snapshot(j)).toMatchFileSnapshot(snapshotFile('body', r.name, client));
  });
});

describe('recorded errors', () => {
  const cases = errors.flatMap((r) => clientsFor(r.provider).map((c) => [`${r.name} → ${c} client`, r, c] as const));
  it.each(cases)('%s', (_n, r, client) => {
    const t = translateErrorBody(wire(client), wire(r.provider), r.status, r.body);
    expect(Math.floor(t.status / 100)).toBe(Math.floor(r.status / 100));
    const j = JSON.parse(t.body) as { type?: string; error: { message: string } };
    if (client === 'anthropic') expect(j.type).toBe('error');
    expect(j.error.message.length).toBeGreaterThan(3);
  });
});
