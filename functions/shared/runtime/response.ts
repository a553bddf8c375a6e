/**
 * The handler's side of a streamed Function URL response: commit status and headers once, then
 * write chunks with backpressure honoured (await 'drain' whenever write() says the buffer is
 * full), then end. Used the same way in Lambda and in the local runtime.
 *
 * Why not @middy/core or lambda-stream here: middy's streaming mode wants the whole response
 * (status, headers, body stream) returned from the handler and runs its after-middlewares
 * before the body streams, so nothing can happen after the client's stream ends but before the
 * invocation returns (our usage-ledger write); lambda-stream's local mode buffers the body, so
 * it cannot prove that chunks flush. Twenty lines over the runtime's own API do both jobs.
 */
import { events } from './builtins.js';
import { hasDirectHead, type HttpResponseMetadata, type LambdaResponseStream } from './awslambda.js';

const { once } = events;

export class ResponseWriter {
  private stream: LambdaResponseStream;
  private committed = false;
  private ended = false;
  /** Bytes of the body written so far, and the last two, to know where SSE events end. */
  bytes = 0;
  /** Set by whoever starts writing real content after keep-alive whitespace. */
  bodyStarted = false;
  /** The body's last four bytes, packed (oldest in the high byte): no allocation per chunk. */
  private tail = 0x0a0a;
  private written = false;
  /** A body re-framing for a 200 stream (Gemini's JSON-array stream is the gateway's SSE re-framed). */
  private framing: { chunk(text: string): string; end(): string; contentType: string } | undefined;
  private decoder: TextDecoder | undefined;

  constructor(stream: LambdaResponseStream) {
    this.stream = stream;
  }

  /** Re-frames what is written after a 200 commit (and its content type); set before the commit. */
  reframe(f: { chunk(text: string): string; end(): string; contentType: string }): void {
    this.framing = f;
  }

  get isCommitted(): boolean {
    return this.committed;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  commit(statusCode: number, headers: Record<string, string>): void {
    if (this.committed) throw new Error('response already committed');
    this.committed = true;
    if (statusCode !== 200) this.framing = undefined;
    const meta: HttpResponseMetadata = { statusCode, headers: this.framing ? { ...headers, 'content-type': this.framing.contentType } : headers };
    // Behind a Function URL the runtime encodes the head as a prelude; a Web Function's Node
    // response takes it as it is (and has no prelude for a first write to carry: no cork).
    if (hasDirectHead(this.stream)) {
      this.stream = this.stream.respondHead(meta);
      this.written = true;
    } else this.stream = awslambda.HttpResponseStream.from(this.stream, meta);
  }

  /**
   * Write one chunk. Returns a promise only when the stream is full (backpressure: it resolves
   * on 'drain'); otherwise undefined, so the relay of a chunk costs no promise and no microtask.
   */
  write(raw: string | Uint8Array): Promise<void> | undefined {
    if (this.ended) return undefined;
    let chunk = raw;
    if (this.framing && this.committed) {
      // The SSE boundary bookkeeping below still follows the SSE text the gateway produced.
      const text = typeof raw === 'string' ? raw : (this.decoder ??= new TextDecoder()).decode(raw, { stream: true });
      this.tail = tailOf(this.tail, text);
      chunk = this.framing.chunk(text);
      if (chunk.length === 0) return undefined;
      this.bytes += chunk.length;
      return this.writeOnce(chunk) ? undefined : this.drained();
    }
    const len = chunk.length;
    if (len === 0) return undefined;
    this.bytes += len;
    this.tail = tailOf(this.tail, chunk);
    return this.writeOnce(chunk) ? undefined : this.drained();
  }

  private async drained(): Promise<void> {
    await once(this.stream, 'drain');
  }

  /**
   * The first write after commit also carries the prelude and its delimiter (HttpResponseStream
   * writes them from the stream's first write()): corked, the three leave in one socket write.
   */
  private writeOnce(chunk: string | Uint8Array): boolean {
    if (this.written) return this.stream.write(chunk);
    this.written = true;
    this.stream.cork();
    const ok = this.stream.write(chunk);
    this.stream.uncork();
    return ok;
  }

  /**
   * Where an SSE comment may be inserted without corrupting the event being relayed: 'event' at an
   * event boundary (after a blank line), 'line' after a complete line inside an event, 'none'
   * in the middle of a line.
   */
  get sseBoundary(): 'event' | 'line' | 'none' {
    const t = this.tail;
    const last = t & 0xff;
    if (last !== 10 && last !== 13) return 'none';
    const two = t & 0xffff;
    return two === 0x0a0a || two === 0x0d0d || (t & 0xffffff) === 0x0a0d0a || t >>> 0 === 0x0d0a0d0a ? 'event' : 'line';
  }

  async end(): Promise<void> {
    if (this.ended) return;
    if (this.framing && this.committed) {
      const rest = this.framing.end();
      this.framing = undefined;
      if (rest && !this.stream.write(rest)) await once(this.stream, 'drain');
    }
    this.ended = true;
    const done = new Promise<void>((resolve) => {
      this.stream.once('finish', resolve);
      this.stream.once('close', resolve);
      this.stream.once('error', () => resolve());
    });
    this.stream.end();
    await done;
  }

  /** A complete small response: head, body, end. */
  /**
   * Status, headers and a whole body. `end: false` leaves the stream open so the caller can do
   * work that must precede the last byte (the usage record's log line) and then call end().
   */
  async send(statusCode: number, headers: Record<string, string>, body: string | Uint8Array, opts: { end?: boolean } = {}): Promise<void> {
    const stream = this.stream;
    // A re-framed 200 (Gemini's JSON-array stream) goes the stream's way, through commit().
    if (hasDirectHead(stream) && !this.committed && !(this.framing && statusCode === 200)) {
      // A Web Function's edge is the wire: a content-length, and head and body in one write at end().
      this.committed = true;
      this.written = true;
      this.framing = undefined; // what commit() does for a status other than 200
      this.bytes += body.length;
      if (!stream.respondWhole({ statusCode, headers }, body)) await once(stream, 'drain');
      if (opts.end !== false) await this.end();
      return;
    }
    // No content-length: RESPONSE_STREAM Function URLs always answer with chunked encoding.
    this.commit(statusCode, headers);
    // write() before end(), even for an empty body: the runtime writes the prelude only on the
    // first write() call, never on end(chunk). Prelude, delimiter and body: one socket write.
    this.bytes += body.length;
    if (!this.writeOnce(body)) await once(this.stream, 'drain');
    if (opts.end !== false) await this.end();
  }
}

function tailOf(prev: number, chunk: string | Uint8Array): number {
  const n = chunk.length;
  let t = prev;
  // Only the last four code units matter; SSE framing is ASCII, so a string's char codes do.
  for (let i = Math.max(0, n - 4); i < n; i++) {
    const c = typeof chunk === 'string' ? chunk.charCodeAt(i) : (chunk[i] as number);
    t = ((t << 8) | (c > 0xff ? 0x3f : c)) >>> 0; // a non-Latin-1 character is never framing
  }
  return t;
}
