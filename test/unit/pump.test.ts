import { createServer, request, type IncomingMessage } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pump } from '../../functions/shared/upstream/pump.js';

const b = (s: string): Buffer => Buffer.from(s);

describe('pump', () => {
  it('a burst stays two hand-overs: its first chunk at once, the rest of the tick as one chunk', async () => {
    const body = new PassThrough();
    const got: string[] = [];
    const done = pump(body, (c) => void got.push(c.toString()));
    body.write('a');
    body.write('b');
    body.end('c');
    await done;
    expect(got).toEqual(['a', 'bc']);
  });

  it('over a real socket: the chunks one read holds go over as two hand-overs, a chunk in a read of its own at once', async () => {
    // A raw HTTP/1.1 server, so that which bytes share one socket write is certain: a, b and c in
    // one write (one read for the client), then d and e in writes of their own after gaps.
    let step!: (bytes: string) => void;
    const chunk = (s: string): string => `${s.length.toString(16)}\r\n${s}\r\n`;
    const server = createNetServer((sock) => {
      sock.once('data', () => {
        sock.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n');
        step = (bytes) => void sock.write(bytes);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await new Promise<IncomingMessage>((resolve, reject) => request({ host: '127.0.0.1', port, path: '/', agent: false }, resolve).on('error', reject).end());
      const got: string[] = [];
      let arrived: (() => void) | undefined;
      const done = pump(res, (c) => {
        got.push(c.toString());
        arrived?.();
        return undefined;
      });
      const next = (bytes: string): Promise<void> =>
        new Promise<void>((r) => {
          arrived = r;
          step(bytes);
        });
      await next(chunk('a') + chunk('b') + chunk('c'));
      await new Promise((r) => setTimeout(r, 20)); // the rest of that read goes over at its tick's end
      // A chunk alone in its read schedules no end-of-tick hand-over (the per-chunk cost this
      // avoids: upstream/pump.ts). Counted by the scheduled function's name.
      const nextTick = process.nextTick;
      let deferred = 0;
      process.nextTick = ((fn: (...a: unknown[]) => void, ...args: unknown[]) => {
        if (fn.name === 'endOfTick') deferred++;
        nextTick(fn, ...args);
      }) as typeof process.nextTick;
      try {
        await next(chunk('d'));
        await next(chunk('e'));
      } finally {
        process.nextTick = nextTick;
      }
      step('0\r\n\r\n');
      await done;
      expect(got).toEqual(['a', 'bc', 'd', 'e']);
      expect(deferred).toBe(0);
    } finally {
      server.close();
    }
  });

  it('a body read whole from its buffer: its chunks go over before its end, and a consumer that throws on the last one fails the pump', async () => {
    // The whole response (head, two chunks, end) arrives before the pump starts reading: the body
    // then queues its end before it emits its last chunk, which waits for the tick's end.
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('preamble');
      res.end('error');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const get = async (): Promise<IncomingMessage> => {
        const res = await new Promise<IncomingMessage>((resolve, reject) => request({ host: '127.0.0.1', port, path: '/' }, resolve).on('error', reject).end());
        await new Promise((r) => setTimeout(r, 50)); // the rest of the body is buffered by now
        return res;
      };
      const got: string[] = [];
      await pump(await get(), (c) => void got.push(c.toString()));
      expect(got.join('')).toBe('preambleerror');
      const bad = new Error('an error event before content');
      await expect(
        pump(await get(), (c) => {
          if (c.toString().includes('error')) throw bad;
          return undefined;
        }),
      ).rejects.toBe(bad);
    } finally {
      server.close();
    }
  });

  it('a chunk on its own goes over within the tick it arrives in, before any I/O wait', async () => {
    const body = new PassThrough();
    const got: string[] = [];
    const done = pump(body, (c) => void got.push(c.toString()));
    await new Promise((r) => setImmediate(r)); // flowing
    body.write('x');
    await Promise.resolve();
    expect(got).toEqual(['x']);
    body.end();
    await done;
  });

  it('hands every chunk over in order and resolves at the end', async () => {
    const got: string[] = [];
    await pump(Readable.from([b('a'), b('b'), b('c')]), (c) => void got.push(c.toString()));
    expect(got.join('')).toBe('abc');
  });

  it('reads nothing more while the consumer waits (backpressure reaches the body)', async () => {
    const body = new PassThrough({ highWaterMark: 4 });
    let release!: () => void;
    const got: string[] = [];
    const done = pump(body, (c) => {
      got.push(c.toString());
      return got.length === 1 ? new Promise<void>((r) => (release = r)) : undefined;
    });
    body.write('one');
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual(['one']);
    // Nothing is read: what follows stays buffered and write() soon says the buffer is full.
    body.write('two');
    expect(body.write('three')).toBe(false);
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual(['one']);
    expect(body.readableLength).toBe(8);
    release();
    body.end();
    await done;
    // What queued while the consumer waited comes over in order, as a burst: at most two chunks.
    expect(got).toEqual(['one', 'two', 'three']);
  });

  it("rejects with the body's error, after the pending write settled", async () => {
    const body = new PassThrough();
    let release!: () => void;
    let settled = false;
    const done = pump(body, () => new Promise<void>((r) => (release = r))).finally(() => (settled = true));
    body.write('x');
    await new Promise((r) => setImmediate(r));
    const boom = new Error('ECONNRESET');
    body.destroy(boom);
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    release();
    await expect(done).rejects.toBe(boom);
  });

  it('a close before the end is a premature close', async () => {
    const body = new PassThrough();
    const done = pump(body, () => undefined);
    body.write('x');
    body.destroy();
    await expect(done).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });

  it('a consumer that throws or rejects fails the pump and destroys the body', async () => {
    const bad = new Error('bad chunk');
    const a = new PassThrough();
    const pa = pump(a, () => {
      throw bad;
    });
    a.write('x');
    await expect(pa).rejects.toBe(bad);
    expect(a.destroyed).toBe(true);
    const c = new PassThrough();
    const pc = pump(c, () => Promise.reject(bad));
    c.write('x');
    await expect(pc).rejects.toBe(bad);
    expect(c.destroyed).toBe(true);
  });
});
