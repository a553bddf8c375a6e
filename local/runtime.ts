/**
 * A local stand-in for Lambda's Node.js streaming runtime behind a Function URL.
 *
 * It reproduces what the handlers can observe in Lambda, so `npm start` and the tests run the
 * exact code that Lambda runs:
 * - the `awslambda` global (streamifyResponse, HttpResponseStream.from writing a JSON prelude
 *   and eight NUL bytes on the first write(), as the runtime interface client does);
 * - a Function URL event, payload format 2.0 (lower-cased headers, cookies split out, rawPath,
 *   rawQueryString, body base64-encoded unless the content type is textual);
 * - a response stream with backpressure (write() returns false until the socket drains), whose
 *   writes after the head go to the socket within write(), as the runtime's ClientRequest does;
 * - no disconnect signal: when the client goes away, writes keep succeeding and are discarded;
 * - the 6 MiB invoke payload limit, the function timeout, and the runtime's complaint when a
 *   handler resolves without ending its stream (Lambda would wait for the timeout).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import {
  HTTP_INTEGRATION_CONTENT_TYPE,
  type AwsLambdaGlobal,
  type FunctionUrlEvent,
  type HttpResponseMetadata,
  type LambdaContext,
  type LambdaResponseStream,
  type StreamingHandler,
} from '../functions/shared/runtime/awslambda.js';
import { joinChunks, toFunctionUrlEvent } from '../functions/shared/runtime/event.js';
import { LiveSet } from '../functions/shared/runtime/live-set.js';
import { LISTEN_BACKLOG, pathOf, routeFor } from '../functions/shared/runtime/web-server.js';
import { DirectWrites, writeWithBackpressure } from '../functions/shared/runtime/node-stream.js';

export { toFunctionUrlEvent };

/** Lambda's synchronous invoke payload limit, which bounds a Function URL request. */
export const INVOKE_PAYLOAD_LIMIT = 6 * 1024 * 1024;
const DELIMITER_LEN = 8;
const STREAMING = Symbol.for('ezybus.local.streaming');

export function installLocalAwsLambda(): void {
  // The AWS SDK (via @aws/lambda-invoke-store) may already have created `globalThis.awslambda`
  // as an empty object to hang its InvokeStore on; add the runtime's members to it, as Lambda's
  // own global has them.
  const existing = globalThis.awslambda as Partial<AwsLambdaGlobal> | undefined;
  if (typeof existing?.streamifyResponse === 'function') return;
  const impl: AwsLambdaGlobal = {
    streamifyResponse(handler, options) {
      Object.defineProperty(handler, STREAMING, { value: { highWaterMark: options?.highWaterMark } });
      return handler;
    },
    HttpResponseStream: {
      from(stream: LambdaResponseStream, metadata: HttpResponseMetadata) {
        stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
        const prelude = JSON.stringify(metadata);
        stream._onBeforeFirstWrite = (write) => {
          write(prelude);
          write(new Uint8Array(DELIMITER_LEN));
        };
        return stream;
      },
    },
  };
  globalThis.awslambda = Object.assign(existing ?? {}, impl) as AwsLambdaGlobal;
}

/**
 * The response stream handed to a handler. Mirrors the runtime interface client's
 * ResponseStream: content type settable only before the first write, `_onBeforeFirstWrite`
 * run by write() (not by end(chunk), exactly like the real one), objects JSON-stringified.
 */
class LocalResponseStream extends Writable implements LambdaResponseStream {
  _onBeforeFirstWrite?: (write: (chunk: string | Uint8Array) => void) => void;
  private contentType = 'application/octet-stream';
  private started = false;
  private preludeBuf: Buffer | null = null;
  private headersSent = false;
  private readonly direct: DirectWrites;
  readonly violations: string[] = [];

  constructor(
    private readonly res: ServerResponse,
    highWaterMark: number | undefined,
  ) {
    super(highWaterMark === undefined ? {} : { highWaterMark });
    this.direct = new DirectWrites(this, res);
  }

  setContentType(contentType: string): void {
    if (this.started) throw new Error('Cannot set content-type, too late.');
    this.contentType = contentType;
  }

  override write(chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    let data = chunk;
    if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) data = JSON.stringify(chunk);
    if (!this.started && typeof this._onBeforeFirstWrite === 'function') {
      this._onBeforeFirstWrite((c) => super.write(c));
    }
    this.started = true;
    // After the head (prelude parsed and sent), as the runtime's ClientRequest: straight through.
    if (this.headersSent && this.direct.takes(data, encoding, cb)) {
      return this.direct.write(data, this.clientGone);
    }
    return super.write(data, encoding as BufferEncoding, cb as (e?: Error | null) => void);
  }

  get clientGone(): boolean {
    return this.res.destroyed || this.res.writableEnded || this.res.socket?.destroyed === true;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.started = true;
    let body: Buffer | null = chunk;
    if (!this.headersSent) {
      if (this.contentType === HTTP_INTEGRATION_CONTENT_TYPE) {
        const buf = this.preludeBuf ? Buffer.concat([this.preludeBuf, chunk]) : chunk;
        const idx = buf.indexOf(0);
        if (idx === -1 || buf.length < idx + DELIMITER_LEN) {
          this.preludeBuf = buf;
          cb();
          return;
        }
        for (let i = idx; i < idx + DELIMITER_LEN; i++) {
          if (buf[i] !== 0) this.violations.push('prelude delimiter is not eight NUL bytes');
        }
        let meta: HttpResponseMetadata;
        try {
          meta = JSON.parse(buf.subarray(0, idx).toString('utf8')) as HttpResponseMetadata;
        } catch {
          this.violations.push('prelude is not JSON');
          meta = { statusCode: 500 };
        }
        this.preludeBuf = null;
        body = buf.subarray(idx + DELIMITER_LEN);
        // With body bytes the head leaves in the same socket write as they do.
        this.sendHead(meta.statusCode ?? 200, meta.headers ?? {}, meta.cookies, body.length === 0);
      } else {
        this.sendHead(200, { 'content-type': this.contentType });
      }
    }
    if (body.length === 0 || this.clientGone) {
      cb();
      return;
    }
    // Backpressure: the handler's write() keeps returning false until the socket drains.
    writeWithBackpressure(this.res, body, cb);
  }

  /** Corked writes (as the handler corks its first write) leave as one, as Lambda's stream does. */
  override _writev(chunks: { chunk: Buffer }[], cb: (e?: Error | null) => void): void {
    this._write(chunks.length === 1 ? (chunks[0] as { chunk: Buffer }).chunk : Buffer.concat(chunks.map((c) => c.chunk)), 'binary', cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    if (!this.headersSent) {
      if (this.contentType === HTTP_INTEGRATION_CONTENT_TYPE) {
        this.violations.push('stream ended before the prelude was complete (end(chunk) does not write the prelude)');
        this.sendHead(502, { 'content-type': 'application/json' });
        if (!this.clientGone) this.res.write('{"Message":"Internal Server Error"}');
      } else {
        this.sendHead(200, { 'content-type': this.contentType });
      }
    }
    if (this.clientGone) cb();
    else this.res.end(() => cb());
  }

  private sendHead(status: number, headers: Record<string, string>, cookies?: string[], flush = true): void {
    this.headersSent = true;
    if (this.clientGone) return;
    const out: Record<string, string | string[]> = { ...headers };
    if (cookies?.length) out['set-cookie'] = cookies;
    // Function URLs stream with chunked transfer encoding.
    this.res.writeHead(status, out);
    if (flush) this.res.flushHeaders();
  }

  fail(): void {
    if (!this.headersSent) {
      this.headersSent = true;
      if (!this.clientGone) {
        this.res.writeHead(502, { 'content-type': 'application/json' });
        this.res.end('{"Message":"Internal Server Error"}');
      }
    } else {
      // After the head went out, an error cuts the chunked body short.
      this.res.destroy();
    }
  }
}

export interface LocalRuntimeOptions {
  host?: string;
  port?: number;
  /** rawPath (and the paths below it) → handler; other paths go to `fallback`, or get a 404 from the runtime. */
  routes: Record<string, StreamingHandler>;
  /** What serves every other path, as CloudFront's default behaviour does in a stage. */
  fallback?: StreamingHandler;
  /** Lambda's function timeout; the stream is cut when it fires. Default 15 minutes. */
  functionTimeoutMs?: number;
  onViolation?: (message: string) => void;
}

export interface LocalRuntime {
  url: string;
  port: number;
  server: Server;
  violations: string[];
  /** Invocations still running, including those whose response already ended (ledger writes). */
  inflight(): number;
  /** Resolves once no invocation is running (tests wait on this instead of sleeping). */
  settled(): Promise<void>;
  /** Stops accepting; waits up to graceMs (default 3 s) for running invocations. */
  close(graceMs?: number): Promise<void>;
}

const functionNames = new Map<string, string>();
/** A local function's name from its path (`/v1/messages` → `local-v1-messages`), made once per path. */
function functionName(rawPath: string): string {
  let name = functionNames.get(rawPath);
  if (name === undefined) {
    if (functionNames.size >= 256) functionNames.clear(); // paths below a route vary (`/v1/models/{id}`)
    name = `local${rawPath.replace(/\//g, '-')}`;
    functionNames.set(rawPath, name);
  }
  return name;
}

export async function startLocalRuntime(opts: LocalRuntimeOptions): Promise<LocalRuntime> {
  installLocalAwsLambda();
  const host = opts.host ?? '127.0.0.1';
  const timeoutMs = opts.functionTimeoutMs ?? 15 * 60_000;
  const violations: string[] = [];
  // A list, not a Set: the invocations churn through it (functions/shared/runtime/live-set.ts).
  const inflight = new LiveSet<Promise<void>>();
  const violation = (m: string): void => {
    violations.push(m);
    opts.onViolation?.(m);
  };

  const server = createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    const path = pathOf(req.url ?? '/');
    const handler = routeFor(opts.routes, path) ?? opts.fallback;
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > INVOKE_PAYLOAD_LIMIT) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (!handler) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ Message: `No local function serves ${path}` }));
        return;
      }
      if (tooLarge) {
        res.writeHead(413, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            Message: `Request must be smaller than ${INVOKE_PAYLOAD_LIMIT} bytes for the InvokeFunction operation`,
          }),
        );
        return;
      }
      const event = toFunctionUrlEvent(req, joinChunks(chunks, size), host);
      const p = invoke(handler, event, res);
      const entry = inflight.add(p);
      void p.finally(() => inflight.delete(entry));
    });
  });

  async function invoke(handler: StreamingHandler, event: FunctionUrlEvent, res: ServerResponse): Promise<void> {
    const meta = (handler as unknown as Record<symbol, { highWaterMark?: number } | undefined>)[STREAMING];
    if (!meta) violation('handler is not wrapped with awslambda.streamifyResponse');
    const stream = new LocalResponseStream(res, meta?.highWaterMark);
    const deadline = Date.now() + timeoutMs;
    const context: LambdaContext = {
      awsRequestId: event.requestContext.requestId,
      functionName: functionName(event.rawPath),
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      callbackWaitsForEmptyEventLoop: true,
    };
    const timer = setTimeout(() => {
      violation(`function timed out after ${timeoutMs} ms`);
      stream.fail();
    }, timeoutMs);
    timer.unref();
    try {
      await handler(event, stream, context);
      if (!stream.writableFinished) {
        // Lambda keeps the invocation open until the stream ends or the timeout fires.
        violation('handler resolved before its response stream finished');
        await new Promise<void>((resolve) => {
          stream.once('finish', resolve);
          stream.once('close', resolve);
        });
      }
    } catch (err) {
      violation(`handler threw: ${err instanceof Error ? err.message : String(err)}`);
      stream.fail();
    } finally {
      clearTimeout(timer);
      for (const v of stream.violations) violation(v);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: opts.port ?? 0, host, backlog: LISTEN_BACKLOG }, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    violations,
    inflight: () => inflight.size,
    settled: async () => {
      while (inflight.size) await Promise.allSettled(inflight.values());
    },
    // Like a Lambda shutdown: running invocations get a bounded grace to finish their work
    // (ledger writes). Bounded because a stream whose client left runs on until its idle
    // deadline — Lambda never tells a function that its client is gone.
    close: async (graceMs = 3000) => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(inflight.values()),
        new Promise<void>((r) => (timer = setTimeout(r, graceMs))),
      ]);
      clearTimeout(timer);
    },
  };
}
