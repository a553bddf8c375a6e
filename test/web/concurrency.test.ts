/**
 * Web Functions mode runs many requests in one process. Hundreds of concurrent streams, mixed
 * protocols (pass-through and translated), with failover and hedging active on some routes and
 * one client that stops reading: every stream arrives complete, the stalled client stalls only
 * itself, and every request's usage record is billed to the key that sent it, with the usage
 * the client saw.
 *
 * "Concurrent" is made true rather than hoped for: every stream's upstream holds after its first
 * event at the simulator's gate until all the requests are running in the gateway at once, then
 * they all go on together — on a loaded machine the requests would otherwise trickle in and
 * overlap only a few dozen at a time.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUpstream, addUpstreamKey, createGatewayKey, setRoute } from '../../functions/shared/admin/ops.js';
import { dataLines, MODELS, startStack, until, type Stack } from '../helpers/stack.js';

const STREAMS = 300;
const KEYS = 10;
const TOKENS = 24;
const PACE = `tokens=${TOKENS}&gap_ms=15&gate=1`;

let s: Stack;
const keys: { key: string; id: string }[] = [];
beforeAll(async () => {
  s = await startStack({ EZYBUS_CACHE_TTL_MS: '200' }, 'web');
  for (let i = 0; i < KEYS; i++) {
    const { key, record } = await createGatewayKey({ name: `conc-${i}` });
    keys.push({ key, id: record.id });
  }
  await addUpstream('conc-fo', 'openai', s.sim.url);
  await addUpstreamKey('conc-fo', `fo-a;fail=503&fail_rate=0.4&${PACE}`, 'a');
  await addUpstreamKey('conc-fo', `fo-b;${PACE}`, 'b');
  await setRoute('conc-failover', [{ upstream: 'conc-fo', model: 'gpt-sim' }]);
  await addUpstream('conc-hd', 'anthropic', s.sim.url);
  await addUpstreamKey('conc-hd', `hd-a;tail_rate=0.4&tail_ms=3000&${PACE}`, 'a');
  await addUpstreamKey('conc-hd', `hd-b;${PACE}`, 'b');
  await setRoute('conc-hedge', [{ upstream: 'conc-hd', model: 'claude-sim' }], { hedgeAfterMs: 150 });
});
afterAll(async () => s?.close());

type Kind = { client: 'openai' | 'anthropic'; model: string };
const KINDS: Kind[] = [
  { client: 'openai', model: MODELS.openai }, // pass-through
  { client: 'anthropic', model: MODELS.anthropic }, // pass-through
  { client: 'openai', model: MODELS.anthropic }, // translated
  { client: 'anthropic', model: MODELS.gemini }, // translated
  { client: 'openai', model: 'conc-failover' }, // one key fails 40 % of the time
  { client: 'anthropic', model: 'conc-hedge' }, // one key is slow to first token 40 % of the time
];

function send(kind: Kind, key: string, text: string): Promise<Response> {
  const content = `${text} [[sim:${PACE}]]`;
  if (kind.client === 'openai') {
    return fetch(`${s.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: kind.model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content }] }),
    });
  }
  return fetch(`${s.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: kind.model, stream: true, max_tokens: 256, messages: [{ role: 'user', content }] }),
  });
}

/** The output tokens a complete stream reports to its client, or null when it is not complete. */
function completeOutput(client: Kind['client'], body: string): number | null {
  const data = dataLines(body);
  if (client === 'openai') {
    if (data.at(-1) !== '[DONE]' || body.includes('"error"')) return null;
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as { choices?: { finish_reason?: string | null }[]; usage?: { completion_tokens: number } | null });
    if (!chunks.some((c) => c.choices?.[0]?.finish_reason)) return null;
    return chunks.find((c) => c.usage)?.usage?.completion_tokens ?? null;
  }
  const events = data.map((d) => JSON.parse(d) as { type: string; usage?: { output_tokens: number } });
  if (events.at(-1)?.type !== 'message_stop' || events.some((e) => e.type === 'error')) return null;
  return events.find((e) => e.type === 'message_delta')?.usage?.output_tokens ?? null;
}

/** A client that sends a long stream request and then stops reading its socket. */
function stalledClient(key: string): { firstBytes: Promise<void>; resume(): Promise<string> } {
  const body = JSON.stringify({ model: MODELS.openai, stream: true, messages: [{ role: 'user', content: 'long [[sim:tokens=100000&gap_ms=0]]' }] });
  const u = new URL(s.url);
  const sock = connect(Number(u.port), u.hostname);
  sock.write(
    `POST /v1/chat/completions HTTP/1.1\r\nhost: ${u.host}\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-stalled: 1\r\nconnection: close\r\n\r\n${body}`,
  );
  const parts: Buffer[] = [];
  const ended = new Promise<void>((r) => sock.once('end', () => r()));
  const firstBytes = new Promise<void>((resolve) => {
    sock.once('data', (c: Buffer) => {
      parts.push(c);
      sock.pause();
      resolve();
    });
  });
  return {
    firstBytes,
    async resume() {
      sock.on('data', (c: Buffer) => parts.push(c));
      sock.resume();
      await ended;
      return Buffer.concat(parts).toString('utf8');
    },
  };
}

async function idle(): Promise<void> {
  while (s.gw.runtime.inflight() > 0) await new Promise((r) => setImmediate(r));
}

describe('hundreds of concurrent streams in one Web Functions process', () => {
  it('every stream complete, the stalled client stalls only itself, every record on the right key', { timeout: 240_000 }, async () => {
    // The server side of the stalled response (same process): how much it holds in memory.
    let slowRes: ServerResponse | undefined;
    s.gw.runtime.server!.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (req.headers['x-stalled'] === '1') slowRes = res;
    });
    const slow = stalledClient(keys[0]!.key);
    await slow.firstBytes;

    const pending = Promise.all(
      Array.from({ length: STREAMS }, async (_, i) => {
        const kind = KINDS[i % KINDS.length]!;
        const k = keys[i % KEYS]!;
        const res = await send(kind, k.key, `stream ${i}`);
        const body = await res.text();
        return { i, kind, keyId: k.id, status: res.status, requestId: res.headers.get('x-request-id'), output: completeOutput(kind.client, body) };
      }),
    );
    // Every request running in the one process at once (and the stalled one), and the streams the
    // upstream agent can carry at once (256 sockets per upstream host, twice Web Functions' 128
    // requests per environment; the rest wait for a socket) held open mid-stream.
    await until(() => s.gw.runtime.inflight() >= STREAMS + 1 && s.sim.heldAtGate() >= 200, 'every request in flight at once', 200_000);
    s.sim.openGate();
    const runs = await pending;
    // All of them finished while the stalled client still has not read its response.
    expect(runs.filter((r) => r.status !== 200 || r.output === null).map((r) => r.i)).toEqual([]);
    // Backpressure reached the upstream: the stalled stream (tens of MB, more than every socket
    // buffer between them) holds the simulator back instead of piling up in the gateway.
    const upstreamOfSlow = s.sim.received.find((r) => r.body.includes('long [[sim:'));
    expect(upstreamOfSlow?.completed).toBe(false);
    expect(slowRes?.writableNeedDrain).toBe(true);
    expect(slowRes!.writableLength).toBeLessThan(256 * 1024);
    expect(s.gw.runtime.inflight()).toBeGreaterThanOrEqual(1);

    const slowText = await slow.resume();
    expect(slowText.startsWith('HTTP/1.1 200')).toBe(true);
    expect(slowText).toContain('data: [DONE]');
    await idle();

    const records = new Map<string, { keyId: string; status: number; usage: { outputTokens: number } | null; attempts: unknown[]; cutShort: string | null }>();
    const failovers: Record<string, number> = {};
    for (const line of s.logs) {
      const l = JSON.parse(line) as { msg: string; requestId: string; model?: string; Failovers?: number; record?: never };
      if (l.msg !== 'request' || !l.record) continue;
      expect(records.has(l.requestId)).toBe(false); // one record per request
      records.set(l.requestId, l.record);
      if (l.model) failovers[l.model] = (failovers[l.model] ?? 0) + (l.Failovers ?? 0);
    }
    for (const r of runs) {
      const rec = records.get(r.requestId ?? '');
      expect(rec, `record of stream ${r.i}`).toBeDefined();
      expect(rec!.keyId).toBe(r.keyId);
      expect(rec!.status).toBe(200);
      expect(rec!.cutShort).toBeNull();
      expect(rec!.usage?.outputTokens).toBe(r.output);
    }
    // The faults were live: failovers on one route, hedged second attempts on the other.
    expect(failovers['conc-failover']).toBeGreaterThan(0);
    expect(failovers['conc-hedge']).toBeGreaterThan(0);
  });
});
