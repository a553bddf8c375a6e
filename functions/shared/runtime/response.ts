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
import { once } from 'node:events';
import { hasDirectHead, type HttpResponseMetadata, type LambdaResponseStream } from './awslambda.js';

export class ResponseWriter {
  private stream: LambdaResponseStream;
  private committed = false;
  private ended = false;
  /** Bytes of the body written so far, and the last two, to know where SSE events end. */
  bytes = 0;
  /** Set by whoever starts writing real content after keep-alive whitespace. */
  bodyStarted = false;
  private tail = '\n\n';
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
    // response takes it as it is.
    this.stream = hasDirectHead(this.stream) ? this.stream.respondHead(meta) : awslambda.HttpResponseStream.from(this.stream, meta);
  }

  /** Write one chunk; resolves once the stream can take more (backpressure). */
  async write(raw: string | Uint8Array): Promise<void> {
    if (this.ended) return;
    let chunk = raw;
    if (this.framing && this.committed) {
      // The SSE boundary bookkeeping below still follows the SSE text the gateway produced.
      const text = typeof raw === 'string' ? raw : (this.decoder ??= new TextDecoder()).decode(raw, { stream: true });
      this.tail = tailOf(this.tail, text);
      chunk = this.framing.chunk(text);
      if (chunk.length === 0) return;
      this.bytes += chunk.length;
      if (!this.stream.write(chunk)) await once(this.stream, 'drain');
      return;
    }
    const len = chunk.length;
    if (len === 0) return;
    this.bytes += len;
    this.tail = tailOf(this.tail, chunk);
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  /**
   * Where an SSE comment may be inserted without corrupting the event being relayed: 'event' at an
   * event boundary (after a blank line), 'line' after a complete line inside an event, 'none'
   * in the middle of a line.
   */
  get sseBoundary(): 'event' | 'line' | 'none' {
    const t = this.tail;
    const last = t.charCodeAt(t.length - 1);
    if (last !== 10 && last !== 13) return 'none';
    return t.endsWith('\n\n') || t.endsWith('\r\r') || t.endsWith('\r\n\r\n') || t.endsWith('\n\r\n') ? 'event' : 'line';
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
    // No content-length: RESPONSE_STREAM Function URLs always answer with chunked encoding.
    this.commit(statusCode, headers);
    // write() before end(), even for an empty body: the runtime writes the prelude only on the
    // first write() call, never on end(chunk).
    this.bytes += body.length;
    if (!this.stream.write(body)) await once(this.stream, 'drain');
    if (opts.end !== false) await this.end();
  }
}

function tailOf(prev: string, chunk: string | Uint8Array): string {
  let s: string;
  if (typeof chunk === 'string') s = chunk.length >= 4 ? chunk.slice(-4) : prev + chunk;
  else {
    const n = chunk.length;
    const take = Math.min(4, n);
    s = '';
    for (let i = n - take; i < n; i++) s += String.fromCharCode(chunk[i] ?? 0);
    if (n < 4) s = prev + s;
  }
  return s.slice(-4);
}
