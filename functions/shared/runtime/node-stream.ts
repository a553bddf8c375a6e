/**
 * The handlers' response stream over Node's ServerResponse (the Web Functions edge). It keeps
 * the contract the handlers already use behind a Function URL — a Writable with
 * setContentType, a head committed once, write() returning false until the client's socket
 * drains, end — so nothing below the edge changes:
 *
 * - backpressure is per response: this stream's write callback waits for *its* socket's
 *   'drain', so a slow client fills only its own buffers and never stalls another stream;
 * - the head goes straight to res.writeHead (respondHead), no prelude to encode and re-parse;
 * - a whole response (respondWhole) is held until end() and then goes out with a content-length,
 *   head and body in one socket write: with a content-length the body's last byte is the
 *   response's end for the client, so holding it keeps the usage record's log line (written
 *   between send and end) before the last byte, as the chunked terminator did. A stream's head
 *   is flushed on its own, so proxies see bytes before the first token;
 * - a client that went away makes writes succeed and be discarded, as behind a Function URL,
 *   so the handler still finishes and writes its usage record;
 * - once the head is out, writes go straight to the ServerResponse (DirectWrites).
 */
import type { ServerResponse } from 'node:http';
import { stream } from './builtins.js';
import type { DirectHeadStream, HttpResponseMetadata } from './awslambda.js';

const { Writable } = stream;

export class NodeResponseStream extends Writable implements DirectHeadStream {
  private contentType = 'application/octet-stream';
  private headSent = false;
  /** A whole response held for end(): its head and its body's parts. */
  private whole: { meta: HttpResponseMetadata; parts: (string | Uint8Array)[] } | undefined;
  private readonly direct: DirectWrites;

  constructor(
    private readonly res: ServerResponse,
    highWaterMark?: number,
  ) {
    super(highWaterMark === undefined ? {} : { highWaterMark });
    this.direct = new DirectWrites(this, res);
  }

  override write(chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    if (this.whole && (typeof chunk === 'string' || chunk instanceof Uint8Array) && encoding === undefined && cb === undefined) {
      // More body after a whole response (an error body after a failure late in the handler):
      // sent with it, as a chunked response would have carried it.
      this.whole.parts.push(chunk);
      return true;
    }
    if (this.headSent && this.direct.takes(chunk, encoding, cb)) {
      return this.direct.write(chunk, this.clientGone);
    }
    return super.write(chunk, encoding as BufferEncoding, cb as (e?: Error | null) => void);
  }

  setContentType(contentType: string): void {
    if (this.headSent) throw new Error('Cannot set content-type, too late.');
    this.contentType = contentType;
  }

  respondHead(meta: HttpResponseMetadata): this {
    if (this.headSent) throw new Error('response head already sent');
    this.sendHead(meta.statusCode, meta.headers ?? {}, meta.cookies);
    return this;
  }

  respondWhole(meta: HttpResponseMetadata, body: string | Uint8Array): boolean {
    if (this.headSent) throw new Error('response head already sent');
    this.headSent = true;
    this.whole = { meta, parts: [body] };
    return true;
  }

  get clientGone(): boolean {
    return this.res.destroyed || this.res.writableEnded || this.res.socket?.destroyed === true;
  }

  get headCommitted(): boolean {
    return this.headSent;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    if (!this.headSent) this.sendHead(200, { 'content-type': this.contentType });
    if (chunk.length === 0 || this.clientGone) {
      cb();
      return;
    }
    writeWithBackpressure(this.res, chunk, cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    if (!this.headSent) this.sendHead(200, { 'content-type': this.contentType });
    if (this.clientGone) {
      this.whole = undefined;
      cb();
      return;
    }
    const whole = this.whole;
    if (!whole) {
      this.res.end(() => cb());
      return;
    }
    this.whole = undefined;
    const { parts, meta } = whole;
    const body = parts.length === 1 ? (parts[0] as string | Uint8Array) : Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
    const out = headObject(meta.headers ?? {}, meta.cookies);
    out['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);
    this.res.writeHead(meta.statusCode, out);
    // Head and body in one write (res.end with the body: no chunk framing, no second write).
    this.res.end(body, () => cb());
  }

  /**
   * The edge gives up on this response (the handler threw, or the environment must stop):
   * before the head, a 502 like Lambda's own; after it, the chunked body is cut so the client
   * sees a truncated transfer, never a silently complete one.
   */
  fail(): void {
    // A whole response not yet sent is dropped with the connection: the client sees the cut, never
    // a complete answer whose usage record may be missing.
    this.whole = undefined;
    if (!this.headSent) {
      this.headSent = true;
      if (!this.clientGone) {
        this.res.writeHead(502, { 'content-type': 'application/json' });
        this.res.end('{"Message":"Internal Server Error"}');
      }
    } else if (!this.res.writableEnded) {
      this.res.destroy();
    }
  }

  private sendHead(status: number, headers: Record<string, string>, cookies?: string[]): void {
    this.headSent = true;
    if (this.clientGone) return;
    this.res.writeHead(status, headObject(headers, cookies));
    // Streams: the head goes out now, so proxies see bytes before the first token.
    this.res.flushHeaders();
  }
}

/** The headers Node's writeHead takes: the handler's, and its cookies as set-cookie. */
function headObject(headers: Record<string, string>, cookies?: string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = { ...headers };
  if (cookies?.length) out['set-cookie'] = cookies;
  return out;
}

/**
 * Writes one chunk and calls back once the socket can take more (or is gone): the handler's own
 * write() then keeps returning false until the client drains, which is Lambda's backpressure.
 * Shared by this edge and the local Function URL runtime.
 */
export function writeWithBackpressure(res: ServerResponse, chunk: Uint8Array | string, cb: () => void): void {
  if (res.write(chunk)) {
    cb();
    return;
  }
  const done = (): void => {
    res.off('drain', done);
    res.off('close', done);
    cb();
  };
  res.on('drain', done);
  res.on('close', done);
}

/**
 * Writes that skip the Writable queue once the head is out. Lambda's own response stream is the
 * runtime's http.ClientRequest with write() wrapped (aws-lambda-nodejs-runtime-interface-client,
 * ResponseStream.js): an OutgoingMessage, so each chunk goes to the socket in the handler's
 * write() call, with no queue and no callback deferred to the next tick. Writing straight to the
 * ServerResponse behaves the same: write() returns what the socket said (false until it drains,
 * and 'drain' is re-emitted on the handler's stream), and a client that went away makes writes
 * succeed and be discarded.
 */
export class DirectWrites {
  private full = false;
  private readonly release = (): void => {
    this.res.off('drain', this.release);
    this.res.off('close', this.release);
    this.full = false;
    this.owner.emit('drain');
  };

  constructor(
    private readonly owner: InstanceType<typeof Writable>,
    private readonly res: ServerResponse,
  ) {}

  /**
   * Whether the owner's write(chunk, encoding, cb) can go straight through: a plain chunk with no
   * encoding or callback, and nothing queued, corked or ended in the owner's Writable state (so a
   * direct write keeps the order).
   */
  takes(chunk: unknown, encoding: unknown, cb: unknown): chunk is string | Uint8Array {
    if (encoding !== undefined || cb !== undefined || (typeof chunk !== 'string' && !(chunk instanceof Uint8Array))) return false;
    const o = this.owner;
    return o.writableLength === 0 && o.writableCorked === 0 && !o.writableEnded && !o.destroyed;
  }

  write(chunk: string | Uint8Array, clientGone: boolean): boolean {
    if (chunk.length === 0 || clientGone) return !this.full;
    const ok = this.res.write(chunk);
    if (!ok) {
      if (!this.full) {
        this.full = true;
        this.res.on('drain', this.release);
        this.res.on('close', this.release);
      }
    } else if (this.full) {
      // The response took this chunk without complaint, so no 'drain' of its own will follow.
      queueMicrotask(this.release);
    }
    return ok;
  }
}
