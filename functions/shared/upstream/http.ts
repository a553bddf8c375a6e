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

const agentOptions = { keepAlive: true, keepAliveMsecs: 15_000, maxSockets: 256, maxFreeSockets: 64, scheduling: 'lifo' as const };
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

export function sendUpstream(url: URL, opts: SendOptions): Promise<UpstreamResponse> {
  if (!opts.signal) throw new Error('upstream call without an AbortSignal');
  const isHttps = url.protocol === 'https:';
  const mod = isHttps ? https : http;
  return new Promise<UpstreamResponse>((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    let current: ClientRequest | undefined;
    const timer = setTimeout(() => {
      current?.destroy(new UpstreamError('timeout', `no response head within ${opts.headersTimeoutMs} ms`, { retryable: true }));
    }, opts.headersTimeoutMs);
    const send = (pooled: boolean): void => {
      const req = mod.request(url, {
        method: opts.method,
        headers,
        // The one retry below takes a connection of its own, not another pooled one that may be as stale.
        agent: pooled ? (isHttps ? httpsAgent : httpAgent) : false,
        signal: opts.signal,
      });
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
      req.setNoDelay(true);
      req.end(opts.body);
    };
    send(true);
  });
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

/** Reads a whole (small) body, bounded, honouring the signal. */
export async function readBody(body: IncomingMessage, limit = 16 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) {
      body.destroy();
      throw new UpstreamError('protocol', `upstream body over ${limit} bytes`, { retryable: false });
    }
    chunks.push(c);
  }
  return chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks);
}
