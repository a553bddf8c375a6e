/**
 * scripts/hot-path.ts's gateway process: test/bench/gateway-proc.ts plus a `/memory` answer —
 * resident memory and the V8 heap after a full collection (run with --expose-gc), to tell memory
 * the process still uses from memory the allocator has merely not handed back. With
 * HOT_COUNT_PROMISES=1 it also counts the promises the process creates (a promise hook: slower,
 * so only for `--promises`, never in a CPU round), reported as `promises`. With HOT_GC=1 (`--gc`)
 * a `v8.GCProfiler` runs from the start, and `/memory?gc` answers what it saw since the last
 * such call: scavenges and full collections, their time, and what the scavenges promoted into
 * the old generation.
 */
import { createHook } from 'node:async_hooks';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GCProfiler } from 'node:v8';

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
let gcProfiler: GCProfiler | undefined;
if (process.env.HOT_GC === '1') {
  gcProfiler = new GCProfiler();
  gcProfiler.start();
}
interface GcSpace {
  spaceName: string;
  spaceUsedSize: number;
}
/** The GC profiler's record since the last call, summed (and a new profiler started). */
function gcSince(): Record<string, number> {
  const r = gcProfiler?.stop();
  gcProfiler = new GCProfiler();
  gcProfiler.start();
  const out = { scavenges: 0, scavengeMs: 0, promotedBytes: 0, fullGcs: 0, fullGcMs: 0 };
  const used = (spaces: GcSpace[], name: string): number => spaces.find((x) => x.spaceName === name)?.spaceUsedSize ?? 0;
  for (const g of (r?.statistics ?? []) as { gcType: string; cost: number; beforeGC: { heapSpaceStatistics: GcSpace[] }; afterGC: { heapSpaceStatistics: GcSpace[] } }[]) {
    if (g.gcType === 'Scavenge' || g.gcType === 'MinorMarkSweep') {
      out.scavenges++;
      out.scavengeMs += g.cost / 1000;
      out.promotedBytes += Math.max(0, used(g.afterGC.heapSpaceStatistics, 'old_space') - used(g.beforeGC.heapSpaceStatistics, 'old_space'));
    } else if (g.gcType === 'MarkSweepCompact') {
      out.fullGcs++;
      out.fullGcMs += g.cost / 1000;
    }
  }
  return out;
}
const mem = createServer((req, res) => {
  if (req.url?.endsWith('?gc')) {
    res.end(JSON.stringify(gcSince()));
    return;
  }
  g.gc?.();
  const m = process.memoryUsage();
  res.end(JSON.stringify({ promises, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers }));
});
await new Promise<void>((r) => mem.listen(Number(process.env.HOT_MEMORY_PORT ?? 0), '127.0.0.1', r));
process.stderr.write(`memory ${(mem.address() as AddressInfo).port}\n`);
