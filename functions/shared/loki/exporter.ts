/**
 * The local server's log lines pushed straight to Loki (when EZYBUS_LOKI_URL is set for
 * `npm start`), through the same entry and push code the Lambda shipper uses.
 */
import { toEntry, type Entry } from './entries.js';
import { createLokiPusher, type PusherOptions } from './push.js';

export interface LokiExporter {
  push(line: string): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function createLokiExporter(opts: PusherOptions & { stage: string; intervalMs?: number; onError?: (err: Error) => void }): LokiExporter {
  const pusher = createLokiPusher(opts);
  let buffer: Entry[] = [];
  let inflight: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    if (!buffer.length) return inflight;
    const batch = buffer;
    buffer = [];
    inflight = inflight
      .then(() => pusher.push(batch))
      .then(
        () => undefined,
        (err: unknown) => opts.onError?.(err as Error),
      );
    return inflight;
  };
  const timer = setInterval(() => void flush(), opts.intervalMs ?? 1000);
  timer.unref();
  return {
    push(line) {
      buffer.push(toEntry(line, Date.now(), { stage: opts.stage, fn: 'local' }));
      if (buffer.length >= 1000) void flush();
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
