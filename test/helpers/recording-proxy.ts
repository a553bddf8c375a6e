/**
 * A logging proxy on 127.0.0.1 between a real client and the gateway: every request is kept as
 * the client sent it (method, path, headers, body) and forwarded unchanged, and the answer is
 * streamed back as it comes. Client tests point the client here to see — and keep as fixtures —
 * what the client really sends, without touching the gateway's own code path.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { startDemoStack } from './demo.js';
import type { Stack } from './stack.js';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RecordingProxy {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const to = new URL(target);
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: body.toString('utf8') });
      const up = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } }, (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      });
      up.on('error', () => res.destroy());
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A demo stack with a recording proxy in front, started before a client test file's tests and
 * closed after them; its fields are set once `beforeAll` has run.
 */
export function useDemoStackBehindProxy(env: Record<string, string> = {}): { s: Stack; proxy: RecordingProxy } {
  const t = {} as { s: Stack; proxy: RecordingProxy };
  beforeAll(async () => {
    t.s = await startDemoStack(env);
    t.proxy = await startRecordingProxy(t.s.url);
  });
  afterAll(async () => {
    await t.proxy?.close();
    await t.s?.close();
  });
  return t;
}
