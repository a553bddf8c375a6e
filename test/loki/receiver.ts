/**
 * A stand-in for Loki's push API on a real socket: POST /loki/api/v1/push with JSON (gzip or
 * not), validated the way Loki validates it — a `streams` array; label names matching
 * [a-zA-Z_][a-zA-Z0-9_]*, string values; each value [ts, line] or [ts, line, metadata] with ts a
 * string of digits (nanoseconds), line a string, metadata a map of strings; timestamps not going
 * backwards within a stream. 400 with a reason on anything else, 204 on success. Scriptable
 * failures for the next pushes.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface Received {
  headers: IncomingHttpHeaders;
  gzip: boolean;
  streams: Array<{ stream: Record<string, string>; values: Array<[string, string] | [string, string, Record<string, string>]> }>;
}

export interface Receiver {
  url: string;
  pushes: Received[];
  attempts: number;
  /** The next responses, in order (status, optional Retry-After seconds). */
  failNext(...r: Array<{ status: number; retryAfter?: number }>): void;
  close(): Promise<void>;
}

const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function validate(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || !Array.isArray((body as { streams?: unknown }).streams)) return 'missing streams array';
  for (const s of (body as { streams: unknown[] }).streams) {
    const st = s as { stream?: unknown; values?: unknown };
    if (!st.stream || typeof st.stream !== 'object') return 'stream without labels';
    for (const [k, v] of Object.entries(st.stream)) {
      if (!LABEL.test(k)) return `invalid label name ${k}`;
      if (typeof v !== 'string') return `label ${k} is not a string`;
    }
    if (!Array.isArray(st.values) || !st.values.length) return 'stream without values';
    let last = -1n;
    for (const v of st.values as unknown[]) {
      if (!Array.isArray(v) || (v.length !== 2 && v.length !== 3)) return 'value is not [ts, line] or [ts, line, metadata]';
      if (typeof v[0] !== 'string' || !/^\d+$/.test(v[0])) return 'timestamp must be a string of nanoseconds';
      if (typeof v[1] !== 'string') return 'line must be a string';
      if (v.length === 3 && (typeof v[2] !== 'object' || v[2] === null || Object.values(v[2] as object).some((x) => typeof x !== 'string'))) return 'structured metadata must map to strings';
      const ts = BigInt(v[0]);
      if (ts < last) return 'entry out of order within its stream';
      last = ts;
    }
  }
  return undefined;
}

export async function startReceiver(): Promise<Receiver> {
  const pushes: Received[] = [];
  const script: Array<{ status: number; retryAfter?: number }> = [];
  let attempts = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/loki/api/v1/push') return void res.writeHead(404).end('404 page not found\n');
      attempts++;
      const next = script.shift();
      if (next) {
        res.writeHead(next.status, next.retryAfter ? { 'retry-after': String(next.retryAfter) } : {}).end(next.status === 400 ? 'bad request' : 'try later');
        return;
      }
      const gzip = req.headers['content-encoding'] === 'gzip';
      let body: unknown;
      try {
        const raw = Buffer.concat(chunks);
        body = JSON.parse((gzip ? gunzipSync(raw) : raw).toString('utf8'));
      } catch {
        return void res.writeHead(400).end('error parsing push request');
      }
      const problem = validate(body);
      if (problem) return void res.writeHead(400).end(problem);
      pushes.push({ headers: req.headers, gzip, streams: (body as Received).streams });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pushes,
    get attempts() {
      return attempts;
    },
    failNext: (...r) => void script.push(...r),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
