/**
 * Open-loop load: requests start on a fixed schedule whatever the responses do, and each
 * latency is measured from the request's *scheduled* start, so a slow server cannot hide its
 * queueing behind a waiting client (no coordinated omission).
 */
import { Agent, request } from 'node:http';

export interface Target {
  url: string;
  path: string;
  headers: Record<string, string>;
}

export interface LoadResult {
  sent: number;
  ok: number;
  errors: number;
  /** Milliseconds from scheduled start to the last byte, sorted. */
  latencies: number[];
  /** Requests not sent because `maxInFlight` were already waiting (counted in `sent`, not in `errors`). */
  shed: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: Infinity, keepAliveMsecs: 30_000 });

/** One request; resolves with the status and the whole body. */
export function send(t: Target, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(t.url);
    const req = request(
      { host: u.hostname, port: u.port, path: t.path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...t.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * `maxInFlight`: past saturation the backlog grows by (rate − saturation) per second, one socket
 * each here and two in the gateway; this bound keeps it under the machine's open-file limit
 * (20,000 here), and what would have gone over it is shed, counted, and not sent.
 *
 * The generator's own pauses land in every latency it measures (from the scheduled start), so it
 * keeps nothing per request but one number in a preallocated array: with a promise kept per
 * request (and, in that probe, a timeline entry too) its heap grew by tens of MiB in a 2,000/s
 * phase and its scavenges took 5–13 ms each (`--trace-gc`), stalls that read as the server's p99. Between sends more than
 * 2 ms apart it sleeps on a timer instead of spinning: the simulator and the store share its core.
 * The benchmark runs it in a process of its own (load-client.ts), away from the harness's heap.
 */
export async function openLoop(t: Target, body: string, rate: number, durationMs: number, maxInFlight = Infinity): Promise<LoadResult> {
  const total = Math.max(1, Math.round((rate * durationMs) / 1000));
  const interval = 1000 / rate;
  const done = new Float64Array(total);
  let ok = 0;
  let errors = 0;
  let sent = 0;
  let shed = 0;
  let inFlight = 0;
  let finish: () => void = () => undefined;
  const allDone = new Promise<void>((r) => (finish = r));
  let scheduling = true;
  const settle = (scheduled: number, status: number): void => {
    inFlight--;
    if (status === 200) ok++;
    else errors++;
    done[ok + errors - 1] = performance.now() - scheduled;
    if (!scheduling && inFlight === 0) finish();
  };
  const t0 = performance.now() + 5;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      while (sent < total && t0 + sent * interval <= now) {
        const scheduled = t0 + sent * interval;
        sent++;
        if (inFlight >= maxInFlight) {
          shed++;
          continue;
        }
        inFlight++;
        send(t, body).then(
          (r) => settle(scheduled, r.status),
          () => settle(scheduled, 0),
        );
      }
      if (sent >= total) return resolve();
      const wait = t0 + sent * interval - performance.now();
      if (wait > 2) setTimeout(tick, wait - 1.5);
      else setImmediate(tick);
    };
    tick();
  });
  scheduling = false;
  if (inFlight > 0) await allDone;
  const latencies = Array.from(done.subarray(0, ok + errors)).sort((a, b) => a - b);
  return { sent, ok, errors, latencies, shed };
}

/**
 * Closed loop: `connections` clients each send the next request when the last one finished,
 * for `durationMs`. Its completed requests per second is the server's maximum throughput at
 * that concurrency — the saturation rate the fixed-rate rows are compared with.
 */
export async function closedLoop(t: Target, body: string, connections: number, durationMs: number): Promise<{ rps: number; sent: number; errors: number }> {
  const end = performance.now() + durationMs;
  const t0 = performance.now();
  let sent = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        sent++;
        const r = await send(t, body).catch(() => ({ status: 0 }));
        if (r.status !== 200) errors++;
      }
    }),
  );
  return { rps: (sent - errors) / ((performance.now() - t0) / 1000), sent, errors };
}

export function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** A text delta in an OpenAI chunk (`"content":"x`), an Anthropic event (`"text":"x`) or a Responses event (`"delta":"x`). */
const TEXT = /"(content|text|delta)":"[^"]/;

export interface StreamTiming {
  /** ms from request start to the first text delta. */
  ttfb: number;
  /** ms between consecutive reads that carried text. */
  gaps: number[];
  chunks: number;
}

/** One streaming request, timing content arrival (heartbeat comments are not content). */
export function stream(t: Target, body: string): Promise<StreamTiming> {
  return new Promise((resolve, reject) => {
    const u = new URL(t.url);
    const start = performance.now();
    let first = NaN;
    let last = NaN;
    const gaps: number[] = [];
    let chunks = 0;
    const req = request(
      { host: u.hostname, port: u.port, path: t.path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...t.headers } },
      (res) => {
        res.on('data', (c: Buffer) => {
          const s = c.toString();
          chunks += s.split('data:').length - 1;
          // Time only reads that carry text: control events (finish, usage, [DONE]) follow the
          // upstream's own pacing and are not what a reader waits for.
          if (!TEXT.test(s)) return;
          const now = performance.now();
          if (Number.isNaN(first)) first = now - start;
          else gaps.push(now - last);
          last = now;
        });
        res.on('end', () => resolve({ ttfb: first, gaps, chunks }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Holds a stream open until `release` resolves; resolves `opened` at its first content. */
export function holdStream(t: Target, body: string): { opened: Promise<void>; close(): void } {
  const u = new URL(t.url);
  let onOpen: () => void = () => undefined;
  const opened = new Promise<void>((r) => (onOpen = r));
  const req = request(
    { host: u.hostname, port: u.port, path: t.path, method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...t.headers } },
    (res) => {
      res.on('data', (c: Buffer) => {
        if (c.includes('data:')) onOpen();
      });
      res.on('error', () => onOpen());
    },
  );
  req.on('error', () => onOpen());
  req.end(body);
  return { opened, close: () => req.destroy() };
}
