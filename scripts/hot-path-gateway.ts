/**
 * scripts/hot-path.ts's gateway process: test/bench/gateway-proc.ts plus a `/memory` answer —
 * resident memory and the V8 heap after a full collection (run with --expose-gc), to tell memory
 * the process still uses from memory the allocator has merely not handed back. With
 * HOT_COUNT_PROMISES=1 it also counts the promises the process creates (a promise hook: slower,
 * so only for `--promises`, never in a CPU round), reported as `promises`.
 */
import { createHook } from 'node:async_hooks';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const g = globalThis as { gc?: () => void };
let promises = 0;
if (process.env.HOT_COUNT_PROMISES === '1') {
  createHook({
    init(_id, type) {
      if (type === 'PROMISE') promises++;
    },
  }).enable();
}
await import('../test/bench/gateway-proc.js');
const mem = createServer((_req, res) => {
  g.gc?.();
  const m = process.memoryUsage();
  res.end(JSON.stringify({ promises, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers }));
});
await new Promise<void>((r) => mem.listen(Number(process.env.HOT_MEMORY_PORT ?? 0), '127.0.0.1', r));
process.stderr.write(`memory ${(mem.address() as AddressInfo).port}\n`);
