/**
 * The local server's log lines pushed straight to Loki (when EZYBUS_LOKI_URL is set for
 * `npm start`), through the same entry and push code the Lambda shipper uses.
 *
 * While Loki is down the lines wait in a bounded buffer (default 20,000 lines or 16 MiB) and
 * each flush tries again, backing off up to 30 s between tries; when the buffer is full the
 * oldest lines are dropped and counted. A push Loki refuses as invalid (400) is not retried: its
 * lines are counted as rejected. `stats()` says what was sent, dropped, rejected and is waiting;
 * close() reports the losses through onError.
 */
import { toEntry, type Entry, type MetadataBounds } from './entries.js';
import { createLokiPusher, LokiPushError, type PusherOptions } from './push.js';

export interface ExporterStats {
  sent: number;
  /** Dropped from a full buffer while Loki was unreachable. */
  dropped: number;
  /** Refused by Loki as invalid (400): retrying would not help. */
  rejected: number;
  buffered: number;
  failedPushes: number;
}

export interface LokiExporter {
  push(line: string): void;
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): ExporterStats;
}

export interface ExporterOptions extends PusherOptions {
  stage: string;
  intervalMs?: number;
  maxBufferedLines?: number;
  maxBufferedBytes?: number;
  metadata?: MetadataBounds;
  now?: () => number;
  onError?: (err: Error) => void;
}

export function createLokiExporter(opts: ExporterOptions): LokiExporter {
  // One try per flush: the exporter's own loop is the retry, so a down Loki never blocks a flush.
  const pusher = createLokiPusher({ ...opts, maxAttempts: 1 });
  const maxLines = opts.maxBufferedLines ?? 20_000;
  const maxBytes = opts.maxBufferedBytes ?? 16 * 1024 * 1024;
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs ?? 1000;
  let buffer: Entry[] = [];
  let bufferedBytes = 0;
  let inflight: Promise<void> = Promise.resolve();
  let nextTry = 0;
  let backoff = interval;
  const stats: ExporterStats = { sent: 0, dropped: 0, rejected: 0, buffered: 0, failedPushes: 0 };
  const sizeOf = (e: Entry): number => Buffer.byteLength(e.line) + 64;

  const attempt = async (force: boolean): Promise<void> => {
    if (!buffer.length || (!force && now() < nextTry)) return;
    const batch = buffer;
    buffer = [];
    bufferedBytes = 0;
    try {
      await pusher.push(batch);
      stats.sent += batch.length;
      backoff = interval;
      nextTry = 0;
    } catch (err) {
      stats.failedPushes++;
      if (err instanceof LokiPushError && !err.retryable) {
        stats.rejected += batch.length;
      } else {
        // Back in front of what arrived meanwhile, within the bound (oldest dropped first).
        buffer = [...batch, ...buffer];
        bufferedBytes = buffer.reduce((n, e) => n + sizeOf(e), 0);
        trim();
        nextTry = now() + backoff;
        backoff = Math.min(30_000, backoff * 2);
      }
      opts.onError?.(err as Error);
    } finally {
      stats.buffered = buffer.length;
    }
  };

  function trim(): void {
    while (buffer.length > maxLines || (bufferedBytes > maxBytes && buffer.length > 1)) {
      const e = buffer.shift() as Entry;
      bufferedBytes -= sizeOf(e);
      stats.dropped++;
    }
  }

  const flush = (force = false): Promise<void> => {
    inflight = inflight.then(() => attempt(force));
    return inflight;
  };
  const timer = setInterval(() => void flush(), interval);
  timer.unref();
  return {
    push(line) {
      const e = toEntry(line, now(), { stage: opts.stage, fn: 'local' }, opts.metadata);
      buffer.push(e);
      bufferedBytes += sizeOf(e);
      trim();
      stats.buffered = buffer.length;
      if (buffer.length >= 1000 && now() >= nextTry) void flush();
    },
    flush: () => flush(true),
    stats: () => ({ ...stats }),
    async close() {
      clearInterval(timer);
      await flush(true);
      const lost = stats.dropped + stats.rejected + buffer.length;
      if (lost) opts.onError?.(new Error(`Loki exporter: ${stats.sent} lines sent, ${stats.dropped} dropped while Loki was unreachable, ${stats.rejected} rejected, ${buffer.length} still unsent at exit`));
    },
  };
}
