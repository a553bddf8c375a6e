/**
 * gateway/attempts.ts on its own: `firstAnswer` against a small real HTTP upstream on 127.0.0.1
 * whose answer depends on the key it is sent, with dynalite as the shared store. Each outcome is
 * classified once, and that one UpstreamError decides what happens to the key (rest for the
 * provider's retry-after, disabled, untouched) and whether another key is tried; a gateway bug
 * fails the request and leaves every key healthy.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addUpstream, addUpstreamKey } from '../../functions/shared/admin/ops.js';
import { storeWithGateway, type LocalStore } from '../helpers/store.js';
import { newEnvironment } from '../helpers/environment.js';
import { firstAnswer, type AttemptContext } from '../../functions/shared/gateway/attempts.js';
import { GatewayError } from '../../functions/shared/gateway/errors.js';
import { parseClientRequest } from '../../functions/shared/gateway/request.js';
import { clientSide } from '../../functions/shared/protocol/registry.js';
import type { FunctionUrlEvent } from '../../functions/shared/runtime/awslambda.js';
import type { Route } from '../../functions/shared/store/records.js';
import { putUpstream } from '../../functions/shared/store/repo.js';
import { flushHealthWrites, healthOf, listHealth, recordFailure } from '../../functions/shared/upstream/health.js';
import { nextCandidate } from '../../functions/shared/upstream/pool.js';
import type { AttemptRecord } from '../../functions/shared/usage/record.js';

let store: LocalStore;
let upstream: Server;
let base: string;

/** The upstream's answer, chosen by the key it receives (`x-api-key`). */
function answer(key: string): { status: number; headers?: Record<string, string>; body?: string } | 'reset' {
  if (key === 'limited') return { status: 429, headers: { 'retry-after': '7' }, body: '{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}' };
  if (key === 'revoked') return { status: 401, body: '{"type":"error","error":{"type":"authentication_error","message":"bad key"}}' };
  if (key === 'broken') return { status: 500, body: '{}' };
  if (key === 'picky') return { status: 400, body: '{"type":"error","error":{"type":"invalid_request_error","message":"no"}}' };
  if (key === 'reset') return 'reset';
  return { status: 200, body: '{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"hi"}],"model":"m","stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}' };
}

beforeAll(async () => {
  store = await storeWithGateway('attempts', { EZYBUS_LOCAL_KEYRING: join(mkdtempSync(join(tmpdir(), 'ezybus-attempts-')), 'master.key') });
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const a = answer(String(req.headers['x-api-key']));
      if (a === 'reset') return req.socket.destroy();
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body);
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => upstream?.close(r));
  await store?.close();
});
// Each case in a fresh execution environment: no cached pools or key health (the store keeps its own).
beforeEach(() => void newEnvironment());

let n = 0;
/** An upstream whose keys, tried in this order, are `secrets`; key ids are `k<i><secret>`. */
async function pool(secrets: string[], baseUrl = base): Promise<string> {
  const id = `up${++n}`;
  if (baseUrl === base) await addUpstream(id, 'anthropic', baseUrl);
  else await putUpstream({ id, protocol: 'messages', baseUrl, createdAt: Date.now() });
  for (const [i, s] of secrets.entries()) await addUpstreamKey(id, s, `k${i}${s}`);
  return id;
}

function ctx(route: Route): AttemptContext & { attempts: AttemptRecord[] } {
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/v1/messages',
    rawQueryString: '',
    headers: { 'anthropic-version': '2023-06-01' },
    requestContext: { requestId: 'r', http: { method: 'POST' } },
    isBase64Encoded: false,
  } as unknown as FunctionUrlEvent;
  return {
    client: 'messages',
    event,
    req: parseClientRequest(clientSide('messages'), JSON.stringify({ model: 'pub', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] })),
    route,
    attempts: [],
    requestId: 'req-1',
    refused: new AbortController().signal,
    total: AbortSignal.timeout(20_000),
  };
}
const route = (upstreams: string[], extra: Partial<Route> = {}): Route => ({
  model: 'pub',
  targets: upstreams.map((u) => ({ upstream: u, model: 'm', weight: 1, priority: 0 })),
  active: true,
  createdAt: 0,
  ...extra,
});

describe('firstAnswer', () => {
  it('a 429 rests that key for the provider’s retry-after, and the next key answers', async () => {
    const up = await pool(['limited', 'fine']);
    const c = ctx(route([up]));
    const before = Date.now();
    const won = await firstAnswer(c);
    won.res.body.resume();
    expect(won.cand.keyId).toBe('k1fine');
    expect(c.attempts.map((a) => a.outcome)).toEqual([429, 200]);
    const h = await healthOf(`${up}/k0limited`);
    expect(h?.hard).toBe(true); // the provider said how long
    expect(h!.until - before).toBeGreaterThanOrEqual(7000);
    expect(h!.until - Date.now()).toBeLessThanOrEqual(7000);
  });

  it('a 401 takes the key out of rotation in the shared state', async () => {
    const up = await pool(['revoked', 'fine']);
    const won = await firstAnswer(ctx(route([up])));
    won.res.body.resume();
    await flushHealthWrites();
    expect((await listHealth()).get(`${up}/k0revoked`)?.disabled).toBe('upstream answered 401');
  });

  it('a connection reset rests the key (soft backoff) and fails over', async () => {
    const up = await pool(['reset', 'fine']);
    const c = ctx(route([up]));
    const won = await firstAnswer(c);
    won.res.body.resume();
    expect(c.attempts.map((a) => a.outcome)).toEqual(['connect', 200]);
    const h = await healthOf(`${up}/k0reset`);
    expect(h).toMatchObject({ hard: false, failures: 1 });
  });

  it('when every key is rate-limited, the client’s retry-after is the provider’s', async () => {
    const up = await pool(['limited']);
    const err = await firstAnswer(ctx(route([up]))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ status: 429, kind: 'rate_limit', extra: { retryAfterS: 7 } });
  });

  it('a client error is the answer: no failover, the key stays healthy', async () => {
    const up = await pool(['picky', 'fine']);
    const c = ctx(route([up]));
    const won = await firstAnswer(c);
    won.res.body.resume();
    expect(won.res.status).toBe(400);
    expect(c.attempts).toHaveLength(1);
    expect(await healthOf(`${up}/k0picky`)).toBeUndefined();
  });

  it('a route’s own failover statuses decide', async () => {
    const up = await pool(['picky', 'fine']);
    const won = await firstAnswer(ctx(route([up], { failoverStatuses: [400] })));
    won.res.body.resume();
    expect(won.cand.keyId).toBe('k1fine');
    expect((await healthOf(`${up}/k0picky`))?.failures).toBe(1);
  });

  it('a gateway bug fails the request and never cools the key in the shared state', async () => {
    // An upstream whose base URL the gateway cannot even build a request for.
    const bad = await pool(['fine'], 'http://[::1');
    const err = await firstAnswer(ctx(route([bad]))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(GatewayError); // rendered as a 500 "internal" at the edge
    await flushHealthWrites();
    expect(await healthOf(`${bad}/k0fine`)).toBeUndefined();
    expect((await listHealth()).has(`${bad}/k0fine`)).toBe(false);
  });
});

/**
 * The pool's warm path (upstream/pool.ts): with its upstream list, key list, key health and
 * decrypted key cached, the next candidate is a value, not a promise; a cold environment reads
 * first. Both must pick alike: round-robin over the keys, a resting key skipped.
 */
describe('nextCandidate, warm and cold', () => {
  it('a cold environment reads (a promise); once warm the answer is a value and round-robin goes on', async () => {
    const up = await pool(['a', 'b']);
    const r = route([up]);
    const cold = nextCandidate(r, new Set());
    expect(cold).toBeInstanceOf(Promise);
    const first = await cold;
    const second = await nextCandidate(r, new Set()); // the other key: decrypted on its first use
    expect([first.candidate?.keyId, second.candidate?.keyId].sort()).toEqual(['k0a', 'k1b']);
    const warm = nextCandidate(r, new Set());
    expect(warm).not.toBeInstanceOf(Promise);
    const third = warm as Awaited<typeof cold>;
    expect(third.candidate?.keyId).toBe(first.candidate?.keyId);
    expect(third.candidate?.apiKey).toBe(first.candidate?.apiKey); // decrypted once, kept
  });

  it('warm, a key that rests is skipped and a tried key is not offered again', async () => {
    const up = await pool(['a', 'b']);
    const r = route([up]);
    await nextCandidate(r, new Set());
    await nextCandidate(r, new Set()); // both keys decrypted
    recordFailure(`${up}/k0a`, 60_000, false); // hard: the provider said how long
    for (let i = 0; i < 3; i++) {
      const n = nextCandidate(r, new Set());
      expect(n).not.toBeInstanceOf(Promise);
      expect((n as Awaited<ReturnType<typeof nextCandidate>>).candidate?.keyId).toBe('k1b');
    }
    const none = nextCandidate(r, new Set([`${up}/k1b`]));
    expect(none).not.toBeInstanceOf(Promise);
    const left = none as Awaited<ReturnType<typeof nextCandidate>>;
    expect(left.candidate).toBeNull();
    expect(left.soonestRetryMs).toBeGreaterThan(50_000);
    await flushHealthWrites();
  });
});
