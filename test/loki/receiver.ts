/**
 * A stand-in for Loki's push API on a real socket (POST /loki/api/v1/push, JSON, gzip or not)
 * that enforces Grafana Loki 3.7's default limits and answers with Loki's own status codes and
 * messages, as its documentation gives them ("Troubleshoot log ingestion (WRITE)", docs/sources/
 * operations/troubleshooting/troubleshoot-ingest.md, and the limits_config reference):
 *
 * | limit (default)                                   | answer                                          |
 * | ------------------------------------------------- | ----------------------------------------------- |
 * | ingestion_rate_mb 4, ingestion_burst_size_mb 6     | 429, whole push refused (token bucket per tenant) |
 * | max_line_size 256 KB                              | 400 line_too_long, that entry dropped           |
 * | max_structured_metadata_size 64 KB                | 400 structured_metadata_too_large               |
 * | max_structured_metadata_entries_count 128         | 400 structured_metadata_too_many                |
 * | max_label_names_per_series 15                     | 400, that stream dropped                        |
 * | max_label_name_length 1024, max_label_value_length 2048 | 400, that stream dropped                  |
 * | label names [a-zA-Z_][a-zA-Z0-9_]*, ≥ 1 label     | 400 invalid_labels / missing_labels             |
 * | reject_old_samples_max_age 168 h                  | 400 greater_than_max_sample_age                 |
 * | creation_grace_period 10 m                        | 400 too_far_in_future                           |
 * | unordered_writes, max_chunk_age 2 h → 1 h behind  | 400 too_far_behind (against the stream's newest) |
 *
 * Like Loki, validation is per entry: the valid entries of a push are kept even when the push is
 * answered 400, and an entry identical to one already stored (same stream, timestamp and line) is
 * accepted without being stored twice. The clock is injected, so no test waits on wall time.
 * Loki itself is AGPL-licensed and is neither built nor vendored: this is a test double.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface LokiLimits {
  ingestionRateBytes: number;
  ingestionBurstBytes: number;
  maxLineBytes: number;
  maxStructuredMetadataBytes: number;
  maxStructuredMetadataEntries: number;
  maxLabelNames: number;
  maxLabelNameLength: number;
  maxLabelValueLength: number;
  rejectOldSamplesMaxAgeMs: number;
  creationGracePeriodMs: number;
  /** max_chunk_age / 2 */
  tooFarBehindMs: number;
}

const MB = 1024 * 1024;
const HOUR = 3_600_000;
export const LOKI_3_7_DEFAULTS: LokiLimits = {
  ingestionRateBytes: 4 * MB,
  ingestionBurstBytes: 6 * MB,
  maxLineBytes: 256 * 1024,
  maxStructuredMetadataBytes: 64 * 1024,
  maxStructuredMetadataEntries: 128,
  maxLabelNames: 15,
  maxLabelNameLength: 1024,
  maxLabelValueLength: 2048,
  rejectOldSamplesMaxAgeMs: 168 * HOUR,
  creationGracePeriodMs: 10 * 60_000,
  tooFarBehindMs: HOUR,
};

type Value = [string, string] | [string, string, Record<string, string>];

export interface Stored {
  tenant: string;
  labels: Record<string, string>;
  ts: bigint;
  line: string;
  metadata: Record<string, string>;
}

export interface Received {
  headers: IncomingHttpHeaders;
  gzip: boolean;
  /** Uncompressed body bytes. */
  bytes: number;
  status: number;
  streams: Array<{ stream: Record<string, string>; values: Value[] }>;
}

export interface Receiver {
  url: string;
  /** Every push that reached validation, with the status it got. */
  pushes: Received[];
  /** Entries Loki would hold (what a query would find). */
  stored: Stored[];
  attempts: number;
  /** The next responses, in order (status, optional Retry-After seconds), before any validation. */
  failNext(...r: Array<{ status: number; retryAfter?: number }>): void;
  /** Refuse connections-level service (as a Loki that is down): every push gets `status` until `up()`. */
  down(status?: number): void;
  up(): void;
  setNow(ms: number): void;
  advance(ms: number): void;
  close(): Promise<void>;
}

const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const fmtLabels = (l: Record<string, string>): string => `{${Object.entries(l).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
const iso = (ns: bigint): string => new Date(Number(ns / 1_000_000n)).toISOString();

/**
 * `now` fixes the clock (tests move it with setNow/advance); `running: true` lets it run on from
 * there with real time, for a rate-limit refill that a shipper's own backoff waits out.
 */
export async function startReceiver(opts: { limits?: Partial<LokiLimits>; now?: number; running?: boolean } = {}): Promise<Receiver> {
  const limits = { ...LOKI_3_7_DEFAULTS, ...opts.limits };
  const pushes: Received[] = [];
  const stored: Stored[] = [];
  const seen = new Set<string>();
  const newest = new Map<string, bigint>();
  const script: Array<{ status: number; retryAfter?: number }> = [];
  let downStatus: number | undefined;
  let attempts = 0;
  let base = opts.now ?? Date.now();
  const t0 = Date.now();
  const clock = (): number => base + (opts.running ? Date.now() - t0 : 0);
  let now = clock();
  // Token bucket per tenant, refilled at the ingestion rate up to the burst.
  const buckets = new Map<string, { tokens: number; at: number }>();

  function admit(tenant: string, bytes: number): boolean {
    const b = buckets.get(tenant) ?? { tokens: limits.ingestionBurstBytes, at: now };
    b.tokens = Math.min(limits.ingestionBurstBytes, b.tokens + ((now - b.at) / 1000) * limits.ingestionRateBytes);
    b.at = now;
    buckets.set(tenant, b);
    if (bytes > b.tokens) return false;
    b.tokens -= bytes;
    return true;
  }

  /** Loki's answer to one push: the status and body, having stored what it accepts. */
  function ingest(tenant: string, body: unknown): { status: number; text: string; streams: Received['streams'] } {
    if (!body || typeof body !== 'object' || !Array.isArray((body as { streams?: unknown }).streams)) return { status: 400, text: 'error parsing push request: missing streams', streams: [] };
    const streams = (body as { streams: Array<{ stream?: unknown; values?: unknown }> }).streams;
    // Shape errors refuse the whole push, as Loki's decoder does.
    for (const s of streams) {
      if (!s.stream || typeof s.stream !== 'object' || Object.values(s.stream).some((v) => typeof v !== 'string')) return { status: 400, text: 'error parsing push request: labels must map to strings', streams: [] };
      if (!Array.isArray(s.values)) return { status: 400, text: 'error parsing push request: values must be an array', streams: [] };
      for (const v of s.values as unknown[]) {
        if (!Array.isArray(v) || (v.length !== 2 && v.length !== 3) || typeof v[0] !== 'string' || !/^\d+$/.test(v[0]) || typeof v[1] !== 'string') {
          return { status: 400, text: 'error parsing push request: each value is [ts, line] or [ts, line, metadata] with ts a string of nanoseconds', streams: [] };
        }
        if (v.length === 3 && (typeof v[2] !== 'object' || v[2] === null || Object.values(v[2] as object).some((x) => typeof x !== 'string'))) {
          return { status: 400, text: 'error parsing push request: structured metadata must map to strings', streams: [] };
        }
      }
    }
    const typed = streams as Received['streams'];
    // The rate limit counts line and structured-metadata bytes of the whole push.
    let bytes = 0;
    let lines = 0;
    for (const s of typed) {
      for (const v of s.values) {
        lines++;
        bytes += Buffer.byteLength(v[1]);
        if (v[2]) for (const [k, x] of Object.entries(v[2])) bytes += Buffer.byteLength(k) + Buffer.byteLength(x);
      }
    }
    if (!admit(tenant, bytes)) {
      return {
        status: 429,
        text: `ingestion rate limit exceeded for user ${tenant} (limit: ${limits.ingestionRateBytes} bytes/sec) while attempting to ingest '${lines}' lines totaling '${bytes}' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased`,
        streams: typed,
      };
    }
    const errors: string[] = [];
    const nowNs = BigInt(now) * 1_000_000n;
    for (const s of typed) {
      const labels = s.stream;
      const names = Object.keys(labels);
      const shown = fmtLabels(labels);
      if (names.length === 0) {
        errors.push('error at least one label pair is required per stream');
        continue;
      }
      const bad = names.find((n) => !LABEL.test(n) || n.startsWith('__'));
      if (bad !== undefined) {
        errors.push(`error parsing labels ${shown} with error: invalid label name ${JSON.stringify(bad)}`);
        continue;
      }
      if (names.length > limits.maxLabelNames) {
        errors.push(`entry for stream '${shown}' has ${names.length} label names; limit ${limits.maxLabelNames}`);
        continue;
      }
      const longName = names.find((n) => Buffer.byteLength(n) > limits.maxLabelNameLength);
      if (longName !== undefined) {
        errors.push(`stream '${shown}' has label name too long: '${longName}'`);
        continue;
      }
      const longValue = Object.values(labels).find((v) => Buffer.byteLength(v) > limits.maxLabelValueLength);
      if (longValue !== undefined) {
        errors.push(`stream '${shown}' has label value too long: '${longValue}'`);
        continue;
      }
      const key = JSON.stringify(Object.entries(labels).sort());
      for (const v of s.values) {
        const ts = BigInt(v[0]);
        const line = v[1];
        const md = v[2] ?? {};
        const lineBytes = Buffer.byteLength(line);
        if (lineBytes > limits.maxLineBytes) {
          errors.push(`max entry size '${limits.maxLineBytes}' bytes exceeded for stream '${shown}' while adding an entry with length '${lineBytes}' bytes`);
          continue;
        }
        const mdEntries = Object.entries(md);
        if (mdEntries.length > limits.maxStructuredMetadataEntries) {
          errors.push(`stream '${shown}' has too many structured metadata labels: '${mdEntries.length}', limit: '${limits.maxStructuredMetadataEntries}'. Please see \`limits_config.max_structured_metadata_entries_count\` or contact your Loki administrator to increase it.`);
          continue;
        }
        const mdBytes = mdEntries.reduce((n, [k, x]) => n + Buffer.byteLength(k) + Buffer.byteLength(x), 0);
        if (mdBytes > limits.maxStructuredMetadataBytes) {
          errors.push(`stream '${shown}' has structured metadata too large: '${mdBytes}' bytes, limit: '${limits.maxStructuredMetadataBytes}' bytes. Please see \`limits_config.max_structured_metadata_size\` or contact your Loki administrator to increase it.`);
          continue;
        }
        const oldest = nowNs - BigInt(limits.rejectOldSamplesMaxAgeMs) * 1_000_000n;
        if (ts < oldest) {
          errors.push(`entry for stream '${shown}' has timestamp too old: ${iso(ts)}, oldest acceptable timestamp is: ${iso(oldest)}`);
          continue;
        }
        if (ts > nowNs + BigInt(limits.creationGracePeriodMs) * 1_000_000n) {
          errors.push(`entry for stream '${shown}' has timestamp too new: ${iso(ts)}`);
          continue;
        }
        const top = newest.get(`${tenant}|${key}`);
        const cutoff = top === undefined ? undefined : top - BigInt(limits.tooFarBehindMs) * 1_000_000n;
        if (cutoff !== undefined && ts < cutoff) {
          errors.push(`entry too far behind, entry timestamp is: ${iso(ts)}, oldest acceptable timestamp is: ${iso(cutoff)}`);
          continue;
        }
        const id = `${tenant}|${key}|${v[0]}|${line}`;
        if (seen.has(id)) continue; // Loki drops an exact duplicate silently
        seen.add(id);
        if (top === undefined || ts > top) newest.set(`${tenant}|${key}`, ts);
        stored.push({ tenant, labels, ts, line, metadata: md });
      }
    }
    return errors.length ? { status: 400, text: errors.join('\n'), streams: typed } : { status: 204, text: '', streams: typed };
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/loki/api/v1/push') return void res.writeHead(404).end('404 page not found\n');
      attempts++;
      now = clock();
      if (downStatus !== undefined) return void res.writeHead(downStatus).end('upstream connect error or disconnect/reset before headers');
      const next = script.shift();
      if (next) {
        res.writeHead(next.status, next.retryAfter ? { 'retry-after': String(next.retryAfter) } : {}).end(next.status === 400 ? 'bad request' : 'try later');
        return;
      }
      const gzip = req.headers['content-encoding'] === 'gzip';
      let body: unknown;
      let bytes = 0;
      try {
        const raw = Buffer.concat(chunks);
        const plain = gzip ? gunzipSync(raw) : raw;
        bytes = plain.length;
        body = JSON.parse(plain.toString('utf8'));
      } catch {
        return void res.writeHead(400).end('error parsing push request');
      }
      const tenant = typeof req.headers['x-scope-orgid'] === 'string' ? req.headers['x-scope-orgid'] : 'fake';
      const r = ingest(tenant, body);
      pushes.push({ headers: req.headers, gzip, bytes, status: r.status, streams: r.streams });
      res.writeHead(r.status, r.status === 204 ? {} : { 'content-type': 'text/plain; charset=utf-8' }).end(r.text ? `${r.text}\n` : undefined);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pushes,
    stored,
    get attempts() {
      return attempts;
    },
    failNext: (...r) => void script.push(...r),
    down: (status = 503) => void (downStatus = status),
    up: () => void (downStatus = undefined),
    setNow: (ms) => void (base = now = ms),
    advance: (ms) => void (base = now = now + ms),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
