/**
 * scripts/hot-path.ts's gateway process: test/bench/gateway-proc.ts plus a `/memory` answer —
 * resident memory and the V8 heap after a full collection (run with --expose-gc), to tell memory
 * the process still uses from memory the allocator has merely not handed back.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const g = globalThis as { gc?: () => void };
await import('../test/bench/gateway-proc.js');
const mem = createServer((_req, res) => {
  g.gc?.();
  const m = process.memoryUsage();
  res.end(JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers }));
});
await new Promise<void>((r) => mem.listen(Number(process.env.HOT_MEMORY_PORT ?? 0), '127.0.0.1', r));
process.stderr.write(`memory ${(mem.address() as AddressInfo).port}\n`);
