/**
 * Outbound HTTP to providers. Keep-alive agents live at module scope, so warm invocations reuse
 * connections and no TCP/TLS handshake sits on the request path. node:http(s) rather than
 * fetch: it hands us each body chunk as it arrives with less per-chunk machinery, and
 * backpressure reaches the socket when we stop reading.
 *
 * Every call takes an AbortSignal (design invariant 7): Lambda never reports that the client
 * went away, so deadlines are the only thing that stops an abandoned upstream stream.
 */
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { http, https } from '../runtime/builtins.js';
import { UpstreamError } from './errors.js';
import { fromUpstreamIo } from './outcome.js';
import { pump } from './pump.js';

const agentOptions = { keepAlive: true, keepAliveMsecs: 15_000, maxSockets: 256, maxFreeSockets: 64, scheduling: 'lifo' as const, noDelay: true };
const httpAgent = new http.Agent(agentOptions);
const httpsAgent = new https.Agent(agentOptions);

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
}

export interface SendOptions {
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body?: string | Buffer;
  signal: AbortSignal;
  /** The response head must arrive within this time or the attempt fails (retryable). */
  headersTimeoutMs: number;
}

/** Where a URL points, as node:http's request options take it (cached: upstreamUrl keeps its URLs). */
interface Target {
  hostname: string;
  port: string;
  path: string;
  host: string;
}
const targets = new WeakMap<URL, Target>();

function targetOf(url: URL): Target {
  let t = targets.get(url);
  if (!t) {
    // As node:http reads a URL (urlToHttpOptions): an IPv6 hostname without its brackets.
    const h = url.hostname;
    t = { hostname: h.startsWith('[') ? h.slice(1, -1) : h, port: url.port, path: `${url.pathname}${url.search}`, host: url.host };
    targets.set(url, t);
  }
  return t;
}

/**
 * The request's headers as one flat [name, value, …] list: node:http writes such a list as it
 * stands (validating each name and value as setHeader would), instead of a setHeader call per
 * header into a headers object it then renders; Host then is ours to send. The content length is
 * always ours.
 */
function headerList(t: Target, given: Record<string, string>, body: string | Buffer | undefined, method: string): string[] {
  const list: string[] = [];
  let host = true;
  for (const name of Object.keys(given)) {
    const lower = name.toLowerCase();
    if (lower === 'content-length') continue;
    if (lower === 'host') host = false;
    list.push(name, given[name] as string);
  }
  if (host) list.push('host', t.host);
  if (body !== undefined) list.push('content-length', String(Buffer.byteLength(body)));
  else if (method !== 'GET') list.push('content-length', '0');
  return list;
}

export function sendUpstream(url: URL, opts: SendOptions): Promise<UpstreamResponse> {
  if (!opts.signal) throw new Error('upstream call without an AbortSignal');
  const isHttps = url.protocol === 'https:';
  const mod = isHttps ? https : http;
  const t = targetOf(url);
  const headers = headerList(t, opts.headers, opts.body, opts.method);
  return new Promise<UpstreamResponse>((resolve, reject) => {
    let current: ClientRequest | undefined;
    const timer = setTimeout(() => {
      current?.destroy(new UpstreamError('timeout', `no response head within ${opts.headersTimeoutMs} ms`, { retryable: true }));
    }, opts.headersTimeoutMs);
    const send = (pooled: boolean): void => {
      // The agents' sockets have TCP_NODELAY set (node:http agents default to noDelay), so no setNoDelay per request.
      const req = mod.request({
        protocol: url.protocol,
        hostname: t.hostname,
        port: t.port,
        path: t.path,
        method: opts.method,
        headers,
        // The one retry below takes a connection of its own, not another pooled one that may be as stale.
        agent: pooled ? (isHttps ? httpsAgent : httpAgent) : false,
      });
      abortWith(req, opts.signal);
      current = req;
      let answered = false;
      req.once('response', (res) => {
        answered = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 502, headers: res.headers, body: res });
      });
      req.once('error', (err: Error) => {
        // After the head, a reset belongs to the body being read (the caller sees it there): never resend.
        if (pooled && !answered && staleKeepAlive(req, err) && !opts.signal.aborted) {
          send(false);
          return;
        }
        clearTimeout(timer);
        reject(fromUpstreamIo(err, opts.signal));
      });
      req.end(opts.body);
    };
    send(true);
  });
}

/**
 * The signal destroys the request (and with it a response being read), as node:http's `signal`
 * option does — without the end-of-stream watcher that option puts on every request to drop its
 * listener: here the listener goes when the request closes. Whoever reads the failure asks the
 * signal for the reason (fromUpstreamIo), so the error the request is destroyed with only says
 * that it was aborted.
 */
function abortWith(req: ClientRequest, signal: AbortSignal): void {
  const onAbort = (): void => {
    req.destroy(Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR', cause: signal.reason as unknown }));
  };
  if (signal.aborted) {
    onAbort();
    return;
  }
  signal.addEventListener('abort', onAbort, { once: true });
  req.once('close', () => signal.removeEventListener('abort', onAbort));
}

/**
 * A pooled keep-alive connection the upstream closed while it sat idle can be handed to the next
 * request just as the close arrives; the request then fails with ECONNRESET ("socket hang up")
 * before any response (Node.js docs, `request.reusedSocket`). Busy event loops make that window
 * wide — under load the simulator's 5 s idle close hit it — and a Lambda environment thawed after
 * a freeze meets it on its first request. It says nothing about the provider or the key, so the
 * request is sent once more on a new connection, within the same head timeout and deadline; a
 * reset on a new connection is a real failure.
 */
function staleKeepAlive(req: ClientRequest, err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return req.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE');
}

/**
 * Reads a whole (small) body, bounded, through `pump` (plain read() calls, no async iterator: it
 * costs a few microseconds and several promises per body). An abort (the request's signal
 * destroys the response) rejects it as a cut-short body, as `for await` reports one.
 */
export async function readBody(body: IncomingMessage, limit = 16 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  await pump(body, (c) => {
    size += c.length;
    // Thrown here, pump destroys the body and rejects with it.
    if (size > limit) throw new UpstreamError('protocol', `upstream body over ${limit} bytes`, { retryable: false });
    chunks.push(c);
    return undefined;
  });
  return chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size);
}
