/**
 * Outbound HTTP (functions/shared/upstream/http.ts) against a real server on 127.0.0.1: a pooled
 * keep-alive connection the upstream has already dropped is retried once on a new connection;
 * a connection reset on a new connection is the attempt's failure, not retried.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../functions/shared/upstream/errors.js';
import { readBody, sendUpstream } from '../../functions/shared/upstream/http.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/**
 * A server that, for a socket's n-th request, answers (`ok`), drops the connection without
 * answering (`drop`), or answers the head and part of the body and then drops it (`cut`).
 */
async function upstream(act: (requestOnSocket: number) => 'ok' | 'drop' | 'cut'): Promise<{ url: URL; requests: number; sockets: Set<Socket> }> {
  const seen = new WeakMap<Socket, number>();
  const state = { url: new URL('http://127.0.0.1'), requests: 0, sockets: new Set<Socket>() };
  const server = createServer({ keepAlive: true }, (req, res) => {
    state.requests++;
    const n = (seen.get(req.socket) ?? 0) + 1;
    seen.set(req.socket, n);
    state.sockets.add(req.socket);
    req.resume();
    req.once('end', () => {
      const a = act(n);
      if (a === 'drop') req.socket.destroy();
      else if (a === 'ok') res.end('{"ok":true}');
      else {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {"partial":', () => req.socket.resetAndDestroy());
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/x`);
  return state;
}

const post = (url: URL) => sendUpstream(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(10_000), headersTimeoutMs: 5_000 });

describe('sendUpstream', () => {
  it('a pooled connection the upstream dropped: sent again on a new connection, and answered', async () => {
    const up = await upstream((n) => (n >= 2 ? 'drop' : 'ok')); // every socket's second request finds it gone
    const first = await post(up.url);
    expect(await readBody(first.body).then(String)).toBe('{"ok":true}');
    await new Promise((r) => setImmediate(r)); // the socket goes back to the pool
    const second = await post(up.url);
    expect(second.status).toBe(200);
    expect(await readBody(second.body).then(String)).toBe('{"ok":true}');
    expect(up.requests).toBe(3); // the first, the one on the dropped connection, the retry
    expect(up.sockets.size).toBe(2);
  });

  it('a reset on a new connection fails the attempt (connect, retryable by another key), sent once', async () => {
    const up = await upstream(() => 'drop');
    const err = await post(up.url).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).failure).toBe('connect');
    expect(up.requests).toBe(1);
  });

  it('a reset after the head belongs to the body: the request is not sent again', async () => {
    const up = await upstream((n) => (n >= 2 ? 'cut' : 'ok'));
    await readBody((await post(up.url)).body);
    await new Promise((r) => setImmediate(r));
    const cut = await post(up.url); // on the pooled socket
    expect(cut.status).toBe(200);
    await expect(readBody(cut.body)).rejects.toThrow();
    // A resend would be issued in the same error event that fails the body, and reach this
    // server on loopback at once; the pause only bounds an absence (it cannot fail a correct run).
    await new Promise((r) => setTimeout(r, 50));
    expect(up.requests).toBe(2);
  });

  it('a body over the limit: refused as a protocol failure, and the body is destroyed', async () => {
    const up = await upstream(() => 'ok');
    const res = await post(up.url);
    const err = await readBody(res.body, 5).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).failure).toBe('protocol');
    expect(res.body.destroyed).toBe(true);
  });
});
