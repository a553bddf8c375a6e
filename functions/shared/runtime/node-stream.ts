/**
 * The handlers' response stream over Node's ServerResponse (the Web Functions edge). It keeps
 * the contract the handlers already use behind a Function URL — a Writable with
 * setContentType, a head committed once, write() returning false until the client's socket
 * drains, end — so nothing below the edge changes:
 *
 * - backpressure is per response: this stream's write callback waits for *its* socket's
 *   'drain', so a slow client fills only its own buffers and never stalls another stream;
 * - the head goes straight to res.writeHead (respondHead), no prelude to encode and re-parse;
 * - a client that went away makes writes succeed and be discarded, as behind a Function URL,
 *   so the handler still finishes and writes its usage record.
 */
import type { ServerResponse } from 'node:http';
import { stream } from './builtins.js';

const { Writable } = stream;
import type { DirectHeadStream, HttpResponseMetadata } from './awslambda.js';

export class NodeResponseStream extends Writable implements DirectHeadStream {
  private contentType = 'application/octet-stream';
  private headSent = false;

  constructor(
    private readonly res: ServerResponse,
    highWaterMark?: number,
  ) {
    super(highWaterMark === undefined ? {} : { highWaterMark });
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
    if (this.clientGone) cb();
    else this.res.end(() => cb());
  }

  /**
   * The edge gives up on this response (the handler threw, or the environment must stop):
   * before the head, a 502 like Lambda's own; after it, the chunked body is cut so the client
   * sees a truncated transfer, never a silently complete one.
   */
  fail(): void {
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
    const out: Record<string, string | string[]> = { ...headers };
    if (cookies?.length) out['set-cookie'] = cookies;
    this.res.writeHead(status, out);
    // Streams: the head goes out now, so proxies see bytes before the first token.
    this.res.flushHeaders();
  }
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
