/**
 * The Web Functions edge: one Node HTTP server for every endpoint, many requests at once in one
 * process. Each request becomes the Function URL event and streaming response the handlers
 * already take (event.ts, node-stream.ts), so the gateway pipeline below does not know which
 * compute mode runs it.
 *
 * Lifecycle (AWS Lambda docs, Web Functions "Execution environment lifecycle"): the server
 * listens at once and loads nothing on the way (the handlers' caches fill on first use);
 * shutdown() is what SIGTERM runs — stop accepting, drain every in-flight request through the
 * gateway's deadline path (lifecycle.ts), wait for their usage records, and cut what is still
 * open when the grace ends.
 */

import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gatewayConfig } from '../config.js';
import type { LambdaContext, StreamingHandler } from './awslambda.js';
import { crypto, http } from './builtins.js';
import { joinChunks, toFunctionUrlEvent } from './event.js';
import { beginDrain, isDraining } from './lifecycle.js';
import { LiveSet } from './live-set.js';
import { NodeResponseStream } from './node-stream.js';

/**
 * The accept queue of a listening socket (this server's and local/runtime.ts's): beyond Node's
 * default 511 (the kernel caps it at net.core.somaxconn). A burst of new connections past the
 * queue is reset, and the client sees ECONNRESET where a Function URL would have queued it: the
 * benchmark's overload phase (1.5 × saturation, up to 6,000 waiting) had ~200 resets in 24,000
 * requests that way, every one on a new socket.
 */
export const LISTEN_BACKLOG = 4096;

const { randomUUID } = crypto;

export interface WebServerOptions {
  host: string;
  port: number;
  /** rawPath (and the paths below it) → handler. */
  routes: Record<string, StreamingHandler>;
  /** The revision's timeout: a request still running then is cut, as Lambda would. */
  timeoutMs: number;
  functionName?: string;
  /** Something the platform would report (a handler that threw, a timeout); never request data. */
  onProblem?: (message: string, requestId: string) => void;
}

export interface ShutdownReport {
  /** Requests that ended on their own (usage record written) within the grace. */
  finished: number;
  /** Requests the edge had to cut when the grace ran out (their records may be missing). */
  cut: string[];
}

export interface WebServer {
  url: string;
  port: number;
  server: Server;
  /** Requests whose handler is still running (including ledger writes after the last byte). */
  inflight(): number;
  /** Resolves once no request is running (tests wait on this instead of sleeping). */
  settled(): Promise<void>;
  /** Stop accepting; wait up to graceMs for running requests, without draining them. */
  close(graceMs?: number): Promise<void>;
  /** What SIGTERM does: stop accepting, drain, wait, cut the rest at graceMs. */
  shutdown(graceMs: number): Promise<ShutdownReport>;
}

interface Running {
  id: string;
  done: Promise<void>;
  stream: NodeResponseStream;
}

function notFound(res: ServerResponse, path: string): void {
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message: `No endpoint ${path} here.`, type: 'not_found_error', code: 'not_found' } }));
}

function unavailable(res: ServerResponse): void {
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1', connection: 'close' });
  res.end(JSON.stringify({ error: { message: 'This gateway instance is shutting down; retry the request.', type: 'overloaded_error', code: 'shutting_down' } }));
}

/** CloudFront path-pattern matching: `*` is any run of characters (including `/`), the rest literal. */
export function globMatch(pattern: string, path: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(path);
}

/**
 * Like CloudFront behaviours: an exact path, then a pattern with `*` (`/v1beta/models/*:countTokens`,
 * first match in order), then a route's paths below it (`/v1/models` serves `/v1/models/{id}`).
 */
/** The path of a request line's target: what comes before its query string. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

export function routeFor<H>(routes: Record<string, H>, path: string): H | undefined {
  const exact = routes[path];
  if (exact) return exact;
  for (const [p, h] of Object.entries(routes)) if (p.includes('*') && globMatch(p, path)) return h;
  for (const [p, h] of Object.entries(routes)) if (!p.includes('*') && path.startsWith(`${p}/`)) return h;
  return undefined;
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  // A linked list, not a Map keyed by request id: see live-set.ts (a Map here cost the garbage collector).
  const running = new LiveSet<Running>();
  const problem = (m: string, id: string): void => opts.onProblem?.(m, id);

  const server = http.createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    const path = pathOf(req.url ?? '/');
    const handler = routeFor(opts.routes, path);
    if (isDraining()) {
      req.resume();
      unavailable(res);
      return;
    }
    // Bounded buffering: one byte past the gateway's limit is enough for its 413 (in the
    // client's protocol); the rest is read and dropped so the socket stays usable.
    const cap = gatewayConfig().maxBodyBytes + 1;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      if (size >= cap) return;
      const take = c.length <= cap - size ? c : c.subarray(0, cap - size);
      chunks.push(take);
      size += take.length;
    });
    req.once('end', () => {
      if (!handler) {
        notFound(res, path);
        return;
      }
      const requestId = randomUUID();
      const event = toFunctionUrlEvent(req, joinChunks(chunks, size), req.headers.host ?? opts.host, requestId);
      const stream = new NodeResponseStream(res);
      const done = invoke(handler, event, stream, requestId);
      const entry = running.add({ id: requestId, done, stream });
      void done.finally(() => running.delete(entry));
    });
    req.once('error', () => res.destroy());
  });

  async function invoke(handler: StreamingHandler, event: ReturnType<typeof toFunctionUrlEvent>, stream: NodeResponseStream, requestId: string): Promise<void> {
    const deadline = Date.now() + opts.timeoutMs;
    const context: LambdaContext = {
      awsRequestId: requestId,
      functionName: opts.functionName ?? 'ezybus-web',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    const timer = setTimeout(() => {
      problem(`request timed out after ${opts.timeoutMs} ms (the revision's timeout)`, requestId);
      stream.fail();
    }, opts.timeoutMs);
    timer.unref();
    try {
      await handler(event, stream, context);
      if (!stream.writableFinished) {
        problem('handler resolved before its response stream finished', requestId);
        stream.fail();
      }
    } catch (err) {
      problem(`handler threw: ${err instanceof Error ? err.name : 'unknown'}`, requestId);
      stream.fail();
    } finally {
      clearTimeout(timer);
    }
  }

  const settle = async (graceMs: number): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const all = Promise.allSettled(running.values().map((r) => r.done)).then(() => true);
    const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs)));
    const ok = await Promise.race([all, late]);
    clearTimeout(timer);
    return ok;
  };
  const stopAccepting = (): Promise<void> =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });

  // Longer than the proxies in front keep an idle connection (CloudFront: 60 s), so the server
  // never closes one that a proxy is about to reuse (which the client would see as a 502).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: opts.port, host: opts.host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host}:${port}`,
    port,
    server,
    inflight: () => running.size,
    async settled() {
      while (running.size) await Promise.allSettled(running.values().map((r) => r.done));
    },
    async close(graceMs = 3000) {
      const closed = stopAccepting();
      await settle(graceMs);
      server.closeAllConnections();
      await closed;
    },
    async shutdown(graceMs) {
      const closed = stopAccepting();
      const before = running.size;
      beginDrain();
      await settle(graceMs);
      const cut: string[] = [];
      for (const r of running.values()) {
        cut.push(r.id);
        r.stream.fail();
      }
      server.closeAllConnections();
      await closed;
      return { finished: before - cut.length, cut };
    },
  };
}
