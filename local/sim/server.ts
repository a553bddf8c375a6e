/**
 * The provider simulator: one HTTP server speaking the OpenAI, Anthropic and Gemini wire
 * protocols, stream and not, with per-request scenarios (scenario.ts) for timing and faults.
 * It records every request it receives (raw body, headers, key, whether the client aborted) so
 * tests can assert pass-through fidelity and upstream aborts. Deterministic for a given seed.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveExtra } from './extras.js';
import { errorBody, invalidRequest, midStreamError, render, type Provider } from './protocols.js';
import { renderCompaction, renderInputTokens } from './responses.js';
import { resolveScenario, type Scenario } from './scenario.js';
import { prng } from './text.js';

export interface SimulatorOptions {
  port?: number;
  host?: string;
  seed?: number;
  /** Keep every request for /__sim/received (default true; benchmarks turn it off). */
  record?: boolean;
}

export interface ReceivedRequest {
  id: number;
  /** performance.now() when the request's body had arrived. */
  at: number;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
  protocol: Provider | 'other';
  apiKey: string | null;
  scenario: Scenario;
  aborted: boolean;
  completed: boolean;
}

export interface Simulator {
  url: string;
  port: number;
  received: ReceivedRequest[];
  clearReceived(): void;
  /** Streams with `gate=1` held after their first event, waiting for openGate(). */
  heldAtGate(): number;
  /** Lets every held stream (and every later one) go on. */
  openGate(): void;
  close(): Promise<void>;
}

function apiKeyOf(h: Record<string, string>, query: string): string | null {
  const auth = h.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  return h['x-api-key'] ?? h['x-goog-api-key'] ?? new URLSearchParams(query).get('key');
}

/** SSE events (`data: <json>`) → Google's JSON-array stream pieces: `[{…}`, `\n,\r\n{…}` …, `\n]`. */
function asJsonArray(events: string[]): string[] {
  const out = events.map((e, i) => (i === 0 ? '[' : '\n,\r\n') + JSON.stringify(JSON.parse(e.replace(/^data: /, '')), null, 2));
  if (out.length) out[out.length - 1] += '\n]';
  return out.length ? out : ['[]'];
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What a leaky upstream or proxy says back about the credential it was sent (scenario echo_auth). */
function authEcho(h: Record<string, string>, apiKey: string | null): string {
  const header = h.authorization ?? h['x-api-key'] ?? h['x-goog-api-key'] ?? '';
  const key = apiKey ?? '';
  return (
    ` Received Authorization: ${header}; as sent: ${Buffer.from(`authorization: ${header}`).toString('base64')};` +
    ` url: ${encodeURIComponent(`k=${key}&x=1`)}; key ${key.slice(0, 16)}…; b64url ${Buffer.from(`x:${key}`).toString('base64url')}`
  );
}

/** A connection reset after what was written so far reached the peer (as a real reset would). */
async function resetAfterFlush(res: ServerResponse): Promise<void> {
  await sleep(15);
  res.destroy();
}

/**
 * Serves a recorded provider response as it was recorded: its status, and for streams its SSE
 * events one by one (gap_ms apart, ttft_ms before the first), so tests and benchmarks can drive
 * the gateway with real provider bytes.
 */
async function replayFixture(s: Scenario, provider: Provider, res: ServerResponse, writeEvent: (x: string) => Promise<void>): Promise<void> {
  // Fixture replay is a test-only scenario; the recordings live with the tests.
  const { recorded } = await import('../../test/protocol/fixtures.js');
  const { responsesRecorded } = await import('../../test/unit/responses/fixtures.js');
  const r =
    provider === 'responses'
      ? responsesRecorded()
          .map((x) => ({ ...x, name: `openai-responses/${x.name}`, provider: 'responses' as const }))
          .find((x) => x.name === s.replay)
      : recorded().find((x) => x.name === s.replay);
  if (!r || r.provider !== provider) {
    res.writeHead(400, { 'content-type': 'application/json' }).end(errorBody(provider, 400, `No ${provider} fixture named '${s.replay ?? ''}'.`));
    return;
  }
  if (s.ttft_ms) await sleep(s.ttft_ms);
  if (!r.stream) {
    res.writeHead(r.status, { 'content-type': 'application/json' }).end(r.body);
    return;
  }
  res.writeHead(r.status, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  res.flushHeaders();
  // Keep each event's own terminator (Gemini's recordings use CRLF).
  const events = r.body.match(/[\s\S]*?(\r\n\r\n|\n\n)/g) ?? [r.body];
  for (const [i, e] of events.entries()) {
    if (i > 0 && s.gap_ms) await sleep(s.gap_ms);
    if (s.reset_after !== undefined && i >= s.reset_after) {
      await resetAfterFlush(res);
      return;
    }
    await writeEvent(e);
  }
  res.end();
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const seed = opts.seed ?? 1;
  const random = prng(seed);
  const received: ReceivedRequest[] = [];
  const failCounts = new Map<string, number>();
  const cache = new Set<string>();
  let nextId = 0;

  // One gate for the whole simulator: a test holds many streams open at once, then lets them go.
  let gateOpen = false;
  const atGate: (() => void)[] = [];

  let total = 0;
  const firstTokenDelay = async (s: Scenario): Promise<void> => {
    const ms = s.ttft_ms + (s.tail_rate > 0 && random() < s.tail_rate ? s.tail_ms : 0);
    if (ms) await sleep(ms);
  };

  async function handle(req: IncomingMessage, res: ServerResponse, rec: ReceivedRequest): Promise<void> {
    const gone = (): boolean => rec.aborted;
    const writeEvent = async (s: string): Promise<void> => {
      if (gone()) return;
      if (!res.write(s)) await new Promise((r) => res.once('drain', r));
    };
    if (rec.path === '/__sim/received') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(received));
      return;
    }
    if (rec.path === '/__sim/stats') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ total }));
      return;
    }
    if (rec.path === '/__sim/reset') {
      received.length = 0;
      res.writeHead(204).end();
      return;
    }
    if (rec.method === 'GET' && rec.path === '/v1/models') {
      const anthropic = rec.headers['anthropic-version'] !== undefined;
      const ids = ['sim-model-a', 'sim-model-b'];
      const body = anthropic
        ? { data: ids.map((id) => ({ type: 'model', id, display_name: id, created_at: '2026-01-01T00:00:00Z' })), has_more: false, first_id: ids[0], last_id: ids[1] }
        : { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 1_760_000_000, owned_by: 'sim' })) };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    const extra = rec.method === 'POST' ? serveExtra(rec.method, rec.path, parseObject(rec.body)) : undefined;
    if (extra) {
      res.writeHead(extra.status, { 'content-type': 'application/json' }).end(extra.json);
      rec.completed = true;
      return;
    }
    const gem = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(rec.path);
    const responsesOp = /^\/v1\/responses(\/compact|\/input_tokens)?$/.exec(rec.path);
    const provider: Provider | undefined =
      rec.path === '/v1/chat/completions' ? 'openai' : rec.path === '/v1/messages' ? 'anthropic' : gem ? 'gemini' : responsesOp ? 'responses' : undefined;
    if (!provider || rec.method !== 'POST') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(errorBody(provider ?? 'openai', 404, `No route ${rec.method} ${rec.path}`));
      return;
    }
    rec.protocol = provider;
    const s = rec.scenario;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(rec.body) as Record<string, unknown>;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end(errorBody(provider, 400, 'Invalid JSON body.'));
      return;
    }
    const invalid = invalidRequest(provider, body);
    if (invalid) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(invalid);
      return;
    }
    if (s.replay !== undefined) {
      await replayFixture(s, provider, res, writeEvent);
      rec.completed = !gone();
      return;
    }
    if (s.hang) return; // never answer; the close handler marks the abort
    if (s.header_delay_ms) await sleep(s.header_delay_ms);
    if (s.reset_rate > 0 && random() < s.reset_rate) {
      res.destroy();
      return;
    }
    if (s.fail !== undefined) {
      const key = s.raw + '|' + (rec.apiKey ?? '');
      const count = (failCounts.get(key) ?? 0) + 1;
      failCounts.set(key, count);
      const due = s.fail_times === undefined ? random() < s.fail_rate : count <= s.fail_times;
      if (due) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (s.retry_after !== undefined) headers['retry-after'] = String(s.retry_after);
        if (s.echo_auth) headers['x-request-id'] = `req_${rec.apiKey ?? ''}`;
        res.writeHead(s.fail, headers).end(errorBody(provider, s.fail, `Simulated ${s.fail}.${s.echo_auth ? authEcho(rec.headers, rec.apiKey) : ''}`));
        return;
      }
    }
    if (s.foreign_org && provider === 'responses' && rec.body.includes('"encrypted_content"')) {
      // What OpenAI answers a key of another organisation that is sent this one's encrypted reasoning.
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'The encrypted content for item rs_sim could not be verified.', type: 'invalid_request_error', param: null, code: 'invalid_encrypted_content' } }));
      return;
    }
    const stream = provider === 'gemini' ? gem?.[2] === 'streamGenerateContent' : body.stream === true;
    const model = provider === 'gemini' ? decodeURIComponent(gem?.[1] ?? '') : String(body.model ?? 'sim');
    const input = { provider, body, bodyText: rec.body, model, stream, scenario: s, seed, id: rec.id, cache };
    if (responsesOp?.[1]) {
      // /compact and /input_tokens answer JSON only.
      await firstTokenDelay(s);
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req_sim${rec.id}` }).end(responsesOp[1] === '/compact' ? renderCompaction(input) : renderInputTokens(input));
      rec.completed = true;
      return;
    }
    const out = render(input);
    const rateHeaders: Record<string, string> =
      provider === 'anthropic'
        ? { 'request-id': `req_sim${rec.id}`, 'anthropic-ratelimit-requests-limit': '4000', 'anthropic-ratelimit-requests-remaining': '3999' }
        : provider === 'openai' || provider === 'responses'
          ? { 'x-request-id': `req_sim${rec.id}`, 'x-ratelimit-limit-requests': '10000', 'x-ratelimit-remaining-requests': '9999', 'x-ratelimit-reset-requests': '6ms' }
          : {};
    if (s.echo_auth) rateHeaders[provider === 'anthropic' ? 'request-id' : 'x-request-id'] = `req_${rec.apiKey ?? ''}`;
    if (!stream) {
      await firstTokenDelay(s);
      if (s.reset_after !== undefined) {
        res.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', ...rateHeaders }).end(out.json);
      rec.completed = true;
      return;
    }
    // Gemini without ?alt=sse streams one JSON array (docs/protocols.md §3.4), served as JSON.
    const jsonArray = provider === 'gemini' && new URLSearchParams(rec.query).get('alt') !== 'sse';
    const events = jsonArray ? asJsonArray(out.events) : out.events;
    res.writeHead(200, { 'content-type': jsonArray ? 'application/json; charset=UTF-8' : 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...rateHeaders });
    res.flushHeaders();
    if (s.reset_after === 0) {
      res.destroy();
      return;
    }
    await firstTokenDelay(s);
    const perToken = s.tps > 0 ? 1000 / s.tps : 0;
    const preamble = provider === 'openai' ? 1 : provider === 'anthropic' ? 3 : 0;
    for (const [i, e] of events.entries()) {
      if (gone()) return;
      if (s.pre_content && i === preamble) {
        if (s.pre_content === 'reset') await resetAfterFlush(res);
        else {
          if (s.pre_content === 'error') await writeEvent(midStreamError(provider));
          res.end();
        }
        return;
      }
      if (s.reset_after !== undefined && i === s.reset_after) {
        await resetAfterFlush(res);
        return;
      }
      if (s.error_after !== undefined && i === s.error_after) {
        await writeEvent(midStreamError(provider, s.echo_auth ? authEcho(rec.headers, rec.apiKey) : ''));
        res.end();
        return;
      }
      await writeEvent(e);
      if (s.gate && i === 0 && !gateOpen) await new Promise<void>((r) => atGate.push(r));
      if (s.hold_after !== undefined && i + 1 === s.hold_after) await sleep(s.hold_ms);
      else if (s.gap_ms) await sleep(s.gap_ms);
      else if (perToken) await sleep(perToken);
    }
    res.end();
    rec.completed = true;
  }

  const server = createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
      const query = q === -1 ? '' : url.slice(q + 1);
      const bodyText = Buffer.concat(chunks).toString('utf8');
      const apiKey = apiKeyOf(headers, query);
      const rec: ReceivedRequest = {
        id: nextId++,
        at: performance.now(),
        method: req.method ?? 'GET',
        path: q === -1 ? url : url.slice(0, q),
        query,
        headers,
        body: bodyText,
        protocol: 'other',
        apiKey,
        scenario: resolveScenario(headers['x-sim-scenario'], apiKey, bodyText),
        aborted: false,
        completed: false,
      };
      if (!rec.path.startsWith('/__sim/')) {
        total++;
        if (opts.record !== false) received.push(rec);
      }
      res.on('close', () => {
        if (!res.writableFinished) rec.aborted = true;
      });
      handle(req, res, rec).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    received,
    clearReceived: () => {
      received.length = 0;
    },
    heldAtGate: () => atGate.length,
    openGate: () => {
      gateOpen = true;
      for (const go of atGate.splice(0)) go();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
