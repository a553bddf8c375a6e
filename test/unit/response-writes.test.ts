/**
 * How many writes reach Lambda's response stream (each one a socket write on the runtime's HTTP
 * connection): a buffered response is one write — prelude, delimiter and body corked together —
 * and a stream's first write carries the prelude too. Plus the SSE boundary tracking that the
 * error events and heartbeats rely on, kept without allocating per chunk.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { installLocalAwsLambda } from '../../local/runtime.js';
import { ResponseWriter } from '../../functions/shared/runtime/response.js';
import type { LambdaResponseStream } from '../../functions/shared/runtime/awslambda.js';

/** A response stream like the runtime's: setContentType, and a count of the writes that reach its sink. */
class CountingStream extends Writable {
  sinkWrites: Buffer[] = [];
  _onBeforeFirstWrite?: (write: (chunk: string | Uint8Array) => void) => void;
  private started = false;
  setContentType(): void {}
  override write(chunk: unknown, enc?: unknown, cb?: unknown): boolean {
    if (!this.started && this._onBeforeFirstWrite) this._onBeforeFirstWrite((c) => super.write(c));
    this.started = true;
    return super.write(chunk, enc as BufferEncoding, cb as () => void);
  }
  override _write(chunk: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.sinkWrites.push(chunk);
    cb();
  }
  override _writev(chunks: { chunk: Buffer }[], cb: () => void): void {
    this.sinkWrites.push(Buffer.concat(chunks.map((c) => c.chunk)));
    cb();
  }
}

installLocalAwsLambda();

describe('writes per response', () => {
  it('a buffered response reaches the stream in one write: prelude, delimiter and body', async () => {
    const s = new CountingStream();
    const out = new ResponseWriter(s as unknown as LambdaResponseStream);
    await out.send(200, { 'content-type': 'application/json' }, '{"ok":true}', { end: false });
    expect(s.sinkWrites).toHaveLength(1);
    const b = s.sinkWrites[0]!;
    const nul = b.indexOf(0);
    expect(JSON.parse(b.subarray(0, nul).toString())).toEqual({ statusCode: 200, headers: { 'content-type': 'application/json' } });
    expect(b.subarray(nul, nul + 8)).toEqual(Buffer.alloc(8));
    expect(b.subarray(nul + 8).toString()).toBe('{"ok":true}');
    await out.end();
  });

  it('a stream’s commit and first heartbeat leave together; later chunks one write each', async () => {
    const s = new CountingStream();
    const out = new ResponseWriter(s as unknown as LambdaResponseStream);
    out.commit(200, { 'content-type': 'text/event-stream' });
    await out.write(': ping\n\n');
    await out.write('data: 1\n\n');
    await out.write(new TextEncoder().encode('data: 2\n\n'));
    expect(s.sinkWrites.map((w) => w.toString().split('\0').pop())).toEqual([': ping\n\n', 'data: 1\n\n', 'data: 2\n\n']);
    await out.end();
  });
});

describe('SSE boundary', () => {
  const after = async (...chunks: (string | Uint8Array)[]): Promise<string> => {
    const out = new ResponseWriter(new CountingStream() as unknown as LambdaResponseStream);
    out.commit(200, {});
    for (const c of chunks) await out.write(c);
    return out.sseBoundary;
  };
  it('knows event ends, line ends and mid-line, across chunk edges and both encodings', async () => {
    expect(await after('data: x\n\n')).toBe('event');
    expect(await after('data: x\r\n\r\n')).toBe('event');
    expect(await after('data: x\n', '\r\n')).toBe('event');
    expect(await after('data: x\r', '\r')).toBe('event');
    expect(await after('event: a\ndata: x\n')).toBe('line');
    expect(await after('data: {"a":', new TextEncoder().encode('1'))).toBe('none');
    expect(await after(new TextEncoder().encode('data: x\n'), '\n')).toBe('event');
    expect(await after('data: \u010a')).toBe('none'); // not a newline, whatever its low byte
  });
});

/** One GET to a server on 127.0.0.1 (closed afterwards): the response and its body as text. */
async function getOnce(server: import('node:http').Server): Promise<{ res: import('node:http').IncomingMessage; text: string }> {
  const { get } = await import('node:http');
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const res = await new Promise<import('node:http').IncomingMessage>((resolve) => get({ host: '127.0.0.1', port, path: '/' }, resolve));
  let text = '';
  res.setEncoding('utf8');
  for await (const c of res) text += c as string;
  server.close();
  return { res, text };
}

describe('Web Functions edge: a buffered response', () => {
  it('goes out at end() — not before, the record’s line comes between — with a content-length, head and body in one socket write', async () => {
    const { createServer } = await import('node:http');
    const { NodeResponseStream } = await import('../../functions/shared/runtime/node-stream.js');
    const body = JSON.stringify({ id: 'chatcmpl-1', note: 'naïve ☃ text counts in bytes' });
    let socketWrites = -1;
    let writesBeforeEnd = -1;
    const server = createServer((_req, res) => {
      const sock = res.socket as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
      const [w, wv] = [sock._write, sock._writev];
      let n = 0;
      sock._write = function (this: unknown, ...a: unknown[]) {
        n++;
        return w.apply(this, a);
      };
      sock._writev = function (this: unknown, ...a: unknown[]) {
        n++;
        return wv.apply(this, a);
      };
      const out = new ResponseWriter(new NodeResponseStream(res));
      void (async () => {
        await out.send(200, { 'content-type': 'application/json', 'x-request-id': 'r1' }, body, { end: false });
        await new Promise((r) => setTimeout(r, 60)); // the gateway seals the record here
        writesBeforeEnd = n;
        await out.end();
        socketWrites = n;
      })();
    });
    const { res, text } = await getOnce(server);
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(res.headers['transfer-encoding']).toBeUndefined();
    expect(res.headers['x-request-id']).toBe('r1');
    expect(text).toBe(body);
    expect(writesBeforeEnd).toBe(0);
    expect(socketWrites).toBe(1);
  });

  it('carries what is written after it (a late error body) in the same response, counted in its length', async () => {
    const { createServer } = await import('node:http');
    const { NodeResponseStream } = await import('../../functions/shared/runtime/node-stream.js');
    const server = createServer((_req, res) => {
      const out = new ResponseWriter(new NodeResponseStream(res));
      void (async () => {
        await out.send(200, { 'content-type': 'application/json' }, '{"a":1}', { end: false });
        await out.write('{"error":"é"}');
        await out.end();
      })();
    });
    const { res, text } = await getOnce(server);
    expect(text).toBe('{"a":1}{"error":"é"}');
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(text)));
  });
});
