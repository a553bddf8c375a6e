import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { FunctionUrlEvent, StreamingHandler } from '../../functions/shared/runtime/awslambda.js';
import { installLocalAwsLambda, startLocalRuntime, type LocalRuntime } from '../../local/runtime.js';

installLocalAwsLambda();
let rt: LocalRuntime | undefined;
afterEach(async () => {
  await rt?.close();
  rt = undefined;
});

async function serve(handler: StreamingHandler): Promise<LocalRuntime> {
  rt = await startLocalRuntime({ routes: { '/fn': awslambda.streamifyResponse(handler) } });
  return rt;
}

describe('local Lambda streaming runtime', () => {
  it('turns the prelude into status and headers and streams the rest', async () => {
    const r = await serve(async (_e, stream) => {
      const s = awslambda.HttpResponseStream.from(stream, { statusCode: 201, headers: { 'x-a': 'b', 'content-type': 'text/plain' } });
      s.write('hello ');
      s.end('world');
      await Promise.resolve();
    });
    const res = await fetch(`${r.url}/fn`);
    expect(res.status).toBe(201);
    expect(res.headers.get('x-a')).toBe('b');
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(await res.text()).toBe('hello world');
    expect(r.violations).toEqual([]);
  });

  it('like Lambda, writes the prelude on write() only: end(chunk) alone loses it', async () => {
    const r = await serve(async (_e, stream) => {
      awslambda.HttpResponseStream.from(stream, { statusCode: 200 }).end('body');
      await Promise.resolve();
    });
    const res = await fetch(`${r.url}/fn`);
    expect(res.status).toBe(502);
    expect(r.violations.join()).toMatch(/prelude/);
  });

  it('builds a payload 2.0 event: lower-case headers, cookies, query, base64 for binary bodies', async () => {
    const seen: FunctionUrlEvent[] = [];
    const r = await serve(async (event, stream) => {
      seen.push(event);
      const s = awslambda.HttpResponseStream.from(stream, { statusCode: 204 });
      s.write('');
      s.end();
      await Promise.resolve();
    });
    await fetch(`${r.url}/fn?beta=true&x=1&x=2`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Custom': 'v', cookie: 'a=1; b=2' },
      body: '{"k":"v"}',
    });
    await fetch(`${r.url}/fn`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array([0, 1, 2]) });
    const [json, bin] = seen;
    expect(json).toMatchObject({
      version: '2.0',
      rawPath: '/fn',
      rawQueryString: 'beta=true&x=1&x=2',
      queryStringParameters: { beta: 'true', x: '1,2' },
      cookies: ['a=1', 'b=2'],
      body: '{"k":"v"}',
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST', path: '/fn' } },
    });
    expect(json?.headers['x-custom']).toBe('v');
    expect(json?.headers.cookie).toBeUndefined();
    expect(bin).toMatchObject({ isBase64Encoded: true, body: Buffer.from([0, 1, 2]).toString('base64') });
  });

  it('refuses bodies over the 6 MiB invoke payload limit', async () => {
    let called = false;
    const r = await serve(async (_e, stream) => {
      called = true;
      stream.end();
      await Promise.resolve();
    });
    const res = await fetch(`${r.url}/fn`, { method: 'POST', body: 'x'.repeat(6 * 1024 * 1024 + 1), headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(413);
    expect(called).toBe(false);
  });

  it('delivers a chunk before the handler writes the next one (no buffering)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const r = await serve(async (_e, stream) => {
      const s = awslambda.HttpResponseStream.from(stream, { statusCode: 200 });
      s.write('first;');
      await gate; // the test opens the gate only after it has read "first;"
      s.write('second');
      s.end();
    });
    const res = await fetch(`${r.url}/fn`);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('first;');
    release();
    let rest = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toBe('second');
  });

  it('applies backpressure: write() returns false and drains only as the client reads', async () => {
    let falses = 0;
    let written = 0;
    const chunk = Buffer.alloc(64 * 1024, 97);
    const r = await serve(async (_e, stream) => {
      const s = awslambda.HttpResponseStream.from(stream, { statusCode: 200 });
      for (let i = 0; i < 200; i++) {
        written += chunk.length;
        if (!s.write(chunk)) {
          falses++;
          await new Promise((res) => s.once('drain', res));
        }
      }
      s.end();
    });
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      const req = request(`${r.url}/fn`, (res) => {
        res.pause();
        // A slow reader: nothing is read for a while, so the handler must be held back.
        setTimeout(() => {
          expect(written).toBeLessThan(200 * chunk.length);
          res.on('data', (c: Buffer) => (received += c.length));
          res.on('end', () => resolve());
          res.resume();
        }, 300);
      });
      req.on('error', reject);
      req.end();
    });
    expect(falses).toBeGreaterThan(0);
    expect(received).toBe(200 * chunk.length);
  });

  it('gives no disconnect signal: writes after the client left still succeed', async () => {
    let writesAfterClose = 0;
    let errored = false;
    let finished!: () => void;
    const done = new Promise<void>((r) => (finished = r));
    const r = await serve(async (_e, stream) => {
      const s = awslambda.HttpResponseStream.from(stream, { statusCode: 200 });
      s.on('error', () => (errored = true));
      s.write('a');
      await new Promise((res) => setTimeout(res, 150));
      for (let i = 0; i < 5; i++) if (s.write('more')) writesAfterClose++;
      s.end();
      finished();
    });
    const ac = new AbortController();
    const res = await fetch(`${r.url}/fn`, { signal: ac.signal });
    await res.body!.getReader().read();
    ac.abort();
    await done;
    expect(errored).toBe(false);
    expect(writesAfterClose).toBe(5);
  });

  it('reports a handler that resolves before ending its stream', async () => {
    const r = await serve(async (_e, stream) => {
      const s = awslambda.HttpResponseStream.from(stream, { statusCode: 200 });
      s.write('x');
      setTimeout(() => s.end(), 50);
    });
    const res = await fetch(`${r.url}/fn`);
    expect(await res.text()).toBe('x');
    await new Promise((res2) => setTimeout(res2, 20));
    expect(r.violations.join()).toMatch(/resolved before its response stream finished/);
  });
});
