/**
 * The local ledger writer: what the CloudWatch subscription, the ledger queue and the ledger
 * writer Lambda do in AWS, in one process. Every log line the gateway writes reaches `push`; the
 * request records among them are buffered and written with the same `writeBatch` the Lambda
 * runs, every `intervalMs` (or sooner when `maxBatch` records wait). A failed or held batch goes
 * back into the buffer and is retried at the next flush, so `npm start` keeps the same
 * exactly-once ledger without an AWS account.
 */
import { log } from '../functions/shared/logging/log.js';
import { writeBatch } from '../functions/shared/usage/ledger.js';
import { recordFromLogLine } from '../functions/shared/usage/log-records.js';
import type { UsageRecord } from '../functions/shared/usage/record.js';

export interface LedgerFeed {
  push(line: string): void;
  /** Resolves once every record pushed so far has been written (tests, shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function startLedgerFeed(opts: { intervalMs?: number; maxBatch?: number } = {}): LedgerFeed {
  const intervalMs = opts.intervalMs ?? 200;
  const maxBatch = opts.maxBatch ?? 500;
  let buffer: UsageRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;
  let failures = 0;

  const schedule = (ms: number): void => {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      void run();
    }, ms);
    timer.unref();
  };

  const writeOnce = async (): Promise<void> => {
    const batch = buffer.splice(0, maxBatch);
    if (!batch.length) return;
    try {
      const r = await writeBatch(batch);
      failures = 0;
      for (const x of r.rejected) log('error', 'usage record refused by the ledger; skipped', { requestId: x.requestId.slice(0, 100), reason: x.reason });
      if (r.held.length) {
        const held = new Set(r.held);
        buffer.push(...batch.filter((b) => held.has(b.requestId)));
      }
    } catch (err) {
      failures++;
      buffer = [...batch, ...buffer];
      log('warn', 'local ledger batch failed; retrying', { records: batch.length, error: err instanceof Error ? err.name : 'unknown' });
      throw err;
    }
  };

  const run = (): Promise<void> => {
    running ??= writeOnce()
      .catch(() => undefined)
      .finally(() => {
        running = undefined;
        if (buffer.length) schedule(failures ? Math.min(30_000, intervalMs * 2 ** failures) : buffer.length >= maxBatch ? 0 : intervalMs);
      });
    return running;
  };

  return {
    push(line) {
      const rec = recordFromLogLine(line);
      if (!rec) return;
      buffer.push(rec);
      schedule(buffer.length >= maxBatch ? 0 : intervalMs);
    },
    async flush() {
      // Held records wait for another batch; give up after a bounded number of rounds.
      for (let round = 0; round < 50 && (buffer.length || running); round++) {
        if (timer) {
          clearTimeout(timer);
          timer = undefined;
        }
        await (running ?? run());
      }
    },
    async close() {
      await this.flush();
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}
