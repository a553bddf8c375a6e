/**
 * Pushing to Loki's /loki/api/v1/push: entries grouped into streams by label set, ordered by
 * time within each stream, batched under Loki's limits, gzipped JSON. Retries 429 and 5xx (and
 * network errors) with backoff, honouring Retry-After; never retries a 400. A push that finally
 * fails throws, so the caller (Lambda's async retries, then the DLQ) keeps the batch.
 */
import { gzipSync } from 'node:zlib';
import type { Entry } from './entries.js';

export interface LokiAuth {
  username?: string;
  password?: string;
  token?: string;
}

export interface PusherOptions {
  url: string;
  tenant?: string | undefined;
  auth?: () => Promise<LokiAuth | undefined>;
  /**
   * Uncompressed UTF-8 bytes per push (default 1 MiB; see limits.ts). Loki refuses, forever, a
   * push over the tenant's ingestion burst (6 MB by default).
   */
  maxBatchBytes?: number;
  maxBatchEntries?: number;
  /** Loki's default max_line_size is 256 KiB: longer lines are truncated with a marker, not dropped. */
  maxLineBytes?: number;
  maxAttempts?: number;
  deadlineMs?: number;
  sleep?: (ms: number) => Promise<void>;
  fetchImpl?: typeof fetch;
}

export class LokiPushError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'LokiPushError';
  }
}

const TRUNCATED = ' …[truncated by ezybus]';

export function truncateLine(line: string, maxBytes: number): string {
  if (Buffer.byteLength(line) <= maxBytes) return line;
  const keep = Buffer.from(line).subarray(0, maxBytes - Buffer.byteLength(TRUNCATED)).toString('utf8').replace(/\uFFFD$/, '');
  return keep + TRUNCATED;
}

/** Splits entries into push bodies within the limits (each a Loki `streams` array). */
export function batches(entries: Entry[], maxBytes: number, maxEntries: number, maxLineBytes: number): Array<{ streams: Array<{ stream: Record<string, string>; values: unknown[][] }> }> {
  const sorted = [...entries].sort((a, b) => (BigInt(a.ts) < BigInt(b.ts) ? -1 : BigInt(a.ts) > BigInt(b.ts) ? 1 : 0));
  const out: Array<{ streams: Array<{ stream: Record<string, string>; values: unknown[][] }> }> = [];
  let current = new Map<string, { stream: Record<string, string>; values: unknown[][] }>();
  let bytes = 14; // {"streams":[…]}
  let count = 0;
  const flush = (): void => {
    if (count) out.push({ streams: [...current.values()] });
    current = new Map();
    bytes = 14;
    count = 0;
  };
  for (const e of sorted) {
    const line = truncateLine(e.line, maxLineBytes);
    const value: unknown[] = Object.keys(e.metadata).length ? [e.ts, line, e.metadata] : [e.ts, line];
    // Bytes, as Loki and its rate limiter count them (JSON escapes included): not UTF-16 units.
    const size = Buffer.byteLength(JSON.stringify(value)) + 1;
    const key = JSON.stringify(Object.entries(e.labels).sort());
    const streamBytes = Buffer.byteLength(JSON.stringify(e.labels)) + 24; // {"stream":…,"values":[]},
    if (count && (bytes + size + (current.has(key) ? 0 : streamBytes) > maxBytes || count >= maxEntries)) flush();
    let s = current.get(key);
    if (!s) {
      s = { stream: e.labels, values: [] };
      current.set(key, s);
      bytes += streamBytes;
    }
    s.values.push(value);
    bytes += size;
    count++;
  }
  flush();
  return out;
}

export function createLokiPusher(opts: PusherOptions): { push(entries: Entry[]): Promise<number> } {
  const maxAttempts = opts.maxAttempts ?? 5;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const doFetch = opts.fetchImpl ?? fetch;
  const endpoint = `${opts.url.replace(/\/+$/, '')}/loki/api/v1/push`;

  async function pushOne(body: Buffer): Promise<void> {
    const deadline = Date.now() + (opts.deadlineMs ?? 45_000);
    const auth = await opts.auth?.();
    const headers: Record<string, string> = { 'content-type': 'application/json', 'content-encoding': 'gzip' };
    if (opts.tenant) headers['x-scope-orgid'] = opts.tenant;
    if (auth?.token) headers.authorization = `Bearer ${auth.token}`;
    else if (auth?.username !== undefined) headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}`;
    for (let attempt = 1; ; attempt++) {
      let err: LokiPushError;
      try {
        const res = await doFetch(endpoint, { method: 'POST', headers, body: new Uint8Array(body), signal: AbortSignal.timeout(10_000) });
        if (res.ok) {
          await res.arrayBuffer();
          return;
        }
        // The body can echo the request; keep only the status and a short, credential-free reason.
        const reason = (await res.text()).slice(0, 200).replace(/(authorization|password|token)\S*/gi, '[redacted]');
        const retryable = res.status === 429 || res.status >= 500;
        err = new LokiPushError(`Loki push ${res.status === 400 ? 'rejected' : 'failed'} with ${res.status}: ${reason}`, res.status, retryable);
        const ra = Number(res.headers.get('retry-after'));
        if (retryable && attempt < maxAttempts && Number.isFinite(ra) && ra > 0) {
          if (Date.now() + ra * 1000 > deadline) throw err;
          await sleep(ra * 1000);
          continue;
        }
      } catch (e) {
        if (e instanceof LokiPushError) throw e;
        err = new LokiPushError(`Loki push failed: ${(e as Error).name}`, 0, true);
      }
      if (!err.retryable || attempt >= maxAttempts) throw err;
      const backoff = Math.min(8000, 200 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      if (Date.now() + backoff > deadline) throw err;
      await sleep(backoff);
    }
  }

  return {
    async push(entries) {
      const bodies = batches(entries, opts.maxBatchBytes ?? 1024 * 1024, opts.maxBatchEntries ?? 5000, opts.maxLineBytes ?? 256 * 1024);
      for (const b of bodies) await pushOne(gzipSync(JSON.stringify(b)));
      return bodies.length;
    },
  };
}
