/**
 * A focused measurement of the gateway's own cost (not the benchmark: `npm run bench` is that):
 * the store, the simulator and EzyBus (its esbuild bundles, as Lambda runs them) each in their
 * own process; a closed-loop client in this one. Reports, from the gateway process's own CPU
 * counters (/proc): CPU per non-stream request, CPU per streamed chunk with 10 ms between
 * chunks, and resident memory before, at the peak of, and after an overload phase.
 *
 *   npm run build && node --import tsx scripts/hot-path.ts [--requests 3000] [--ledger off]
 *     [--bundles DIR] [--baseline DIR] [--proxy] [--rounds 3] [--requests-only] [--mode web] [--warmup 300]
 *     [--oha RATE [--oha-seconds 10]] [--runtime-floor] [--promises] [--lambda-memory MB] [--gc]
 *
 * `--ledger off` leaves out the in-process ledger writer (in AWS it runs in its own Lambda).
 * `--bundles DIR`: the bundles to run (default dist/functions). `--baseline DIR`: a second
 * gateway on the same core running the bundles in DIR (e.g. a copy of dist/functions made before
 * a change); the non-stream phase then alternates between the two, `--rounds` times each, so
 * the machine's load drifts alike for both. `--proxy` adds the bare Node proxy hop to that
 * alternation (CPU per request of the floor, same client, same simulator); `--runtime-floor` that
 * same hop as a handler inside the local Function URL runtime (what the Lambda stand-in costs by
 * itself: scripts/hot-path-floor.ts). `--requests-only`
 * skips the stream and overload phases. `--mode web`: the gateways run behind the Web Functions
 * edge (one Node server for every endpoint, functions/shared/runtime/web-server.ts) instead of the
 * local Function URL runtime. `--warmup N`: requests each server gets before the first round (the
 * JIT keeps getting faster for a few thousand). `--oha RATE`: after the CPU rounds, each server
 * (and the simulator straight, for the added latency) takes `--rounds` oha runs at RATE req/s,
 * interleaved, latency-corrected (.bench/oha, as the full bench drives it: test/bench/oha.ts). Beside each CPU figure, the kernel's part of it (system time:
 * socket reads and writes, mostly), since that part the bare hop pays alike. `--gc`: each
 * gateway runs a V8 GC profiler, and the report adds, per request of the CPU rounds, the
 * garbage collector's time and what scavenges promoted to the old generation (runtime/gc-tuning.ts).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addUpstream, addUpstreamKey, createGatewayKey, setRoute } from '../functions/shared/admin/ops.js';
import { installConfig } from '../local/gateway.js';
import { ensureTables } from '../functions/shared/store/tables.js';
import { loadavg } from 'node:os';
import { cpuSeconds, HAS_TASKSET, rssMiB, startProc, type Proc } from '../test/bench/procs.js';
import { runOha } from '../test/bench/oha.js';
import { lambdaHeapFlags } from '../test/bench/lambda-flags.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : (process.argv[i + 1] ?? fallback);
};
const REQUESTS = Number(arg('requests', '3000'));
const LEDGER = arg('ledger', 'on');
const BASELINE = arg('baseline', '');
const ROUNDS = Number(arg('rounds', BASELINE ? '3' : '1'));
const REQUESTS_ONLY = process.argv.includes('--requests-only');
const MODE = arg('mode', 'furl');
const WARMUP = Number(arg('warmup', '300'));
/** `--promises`: promises created per non-stream request in each gateway (a promise hook; no CPU rounds then). */
const PROMISES = process.argv.includes('--promises');
const GC = process.argv.includes('--gc');
/** The kernel's part of a process's CPU seconds (stime, /proc/<pid>/stat field 15). */
const systemSeconds = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[12]) / 100;
};
const root = new URL('..', import.meta.url).pathname;
const node = process.execPath;
const tsx = ['--import', 'tsx'];
const work = mkdtempSync(join(tmpdir(), 'ezybus-hot-'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const store = await startProc('store', node, [...tsx, join(root, 'test/bench/store-proc.ts')], { cpu: 0, nice: 10 });
const keyring = join(work, 'master.key');
installConfig({ AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', EZYBUS_STAGE: 'local', EZYBUS_DYNAMODB_ENDPOINT: store.url, EZYBUS_LOCAL_KEYRING: keyring });
await ensureTables();
const sim = await startProc('simulator', node, [...tsx, join(root, 'test/bench/sim-proc.ts')], { cpu: 0 });
await addUpstream('hot-openai', 'openai', sim.url);
await addUpstreamKey('hot-openai', 'sim-hot-key', 'k1');
await setRoute('hot-gpt', [{ upstream: 'hot-openai', model: 'gpt-4.1-nano' }]);
const { key } = await createGatewayKey({ name: 'hot' });
const env: Record<string, string> = { EZYBUS_LOG_LEVEL: 'info', ...(LEDGER === 'off' ? { EZYBUS_LOCAL_LEDGER: 'off' } : {}) };
const memPort = 20000 + (process.pid % 20000);
// --lambda-memory MB: the gateway (not the baseline) runs with the heap flags Lambda's Node.js
// bootstrap derives from the function's memory size (test/bench/lambda-flags.ts).
const LAMBDA_MEMORY = process.argv.includes('--lambda-memory') ? Number(arg('lambda-memory', '128')) : undefined;
const startGateway = (bundles: string | undefined, name: string, memory: number, flags: string[] = []): Promise<Proc> =>
  startProc(name, node, ['--expose-gc', ...flags, ...tsx, join(root, 'scripts/hot-path-gateway.ts')], {
    cpu: 1,
    env: {
      ...(bundles ? { BENCH_BUNDLES: bundles } : {}),
      BENCH_DYNAMO: store.url,
      BENCH_KEYRING: keyring,
      BENCH_ENV: JSON.stringify(env),
      HOT_MEMORY_PORT: String(memory),
      ...(PROMISES ? { HOT_COUNT_PROMISES: '1' } : {}),
      ...(GC ? { HOT_GC: '1' } : {}),
      ...(MODE === 'web' ? { BENCH_MODE: 'web' } : {}),
      // HOT_PROFILE=<dir>: a V8 CPU profile of the gateway process, written when it exits.
      ...(process.env.HOT_PROFILE ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.HOT_PROFILE}` } : {}),
    },
  });
// --source: the TypeScript sources instead of the bundles (readable profiles).
const gw = await startGateway(process.argv.includes('--source') ? undefined : arg('bundles', join(root, 'dist/functions')), 'ezybus', memPort, LAMBDA_MEMORY ? lambdaHeapFlags(LAMBDA_MEMORY) : []);
const base = BASELINE ? await startGateway(BASELINE, 'ezybus baseline', memPort + 1) : undefined;
// --proxy: the bare Node proxy hop (test/bench/proxy-proc.ts) measured alike, for the ratio.
const proxy = process.argv.includes('--proxy') ? await startProc('bare proxy', node, [join(root, 'test/bench/proxy-proc.ts')], { cpu: 1, env: { BENCH_TARGET: sim.url } }) : undefined;
// --runtime-floor: that same bare hop as a handler in the local Function URL runtime (scripts/hot-path-floor.ts):
// what the Lambda stand-in costs on its own, so EzyBus minus it is the gateway's own work.
const floor = process.argv.includes('--runtime-floor') ? await startProc('runtime floor', node, [...tsx, join(root, 'scripts/hot-path-floor.ts')], { cpu: 1, env: { BENCH_TARGET: sim.url } }) : undefined;
const agent = new Agent({ keepAlive: true, maxSockets: 512 });
function post(body: string, to: Proc = gw): Promise<number> {
  // The bare proxy hops go straight to the simulator: the upstream's key and model name.
  const direct = to === proxy || to === floor;
  return new Promise((resolve, reject) => {
    const req = request(new URL('/v1/chat/completions', to.url), { method: 'POST', agent, headers: { authorization: `Bearer ${direct ? 'sim-hot-key' : key}`, 'content-type': 'application/json' } }, (res) => {
      let chunks = 0;
      res.on('data', () => chunks++);
      res.on('end', () => resolve(chunks));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(direct ? body.replace('"hot-gpt"', '"gpt-4.1-nano"') : body);
  });
}
const body = (content: string, stream = false): string => JSON.stringify({ model: 'hot-gpt', stream, messages: [{ role: 'user', content }] });

async function closedLoop(n: number, concurrency: number, make: () => string, to: Proc = gw): Promise<void> {
  let left = n;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await post(make(), to);
    }),
  );
}
async function quiesce(to: Proc = gw): Promise<void> {
  for (;;) {
    if (!to.stats) break; // the bare proxy hops have no invocations to wait for
    const { inflight } = (await (await fetch(to.stats as string)).json()) as { inflight: number };
    if (inflight === 0) break;
    await sleep(20);
  }
  await sleep(1500); // the in-process ledger writer's batches (flush every 200 ms) finish
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const load0 = loadavg()[0] ?? NaN;
const gateways = [gw, ...(base ? [base] : [])];
const measured = [...gateways, ...(proxy ? [proxy] : []), ...(floor ? [floor] : [])];
for (const g of measured) {
  await closedLoop(WARMUP, 8, () => body('warm up'), g);
  await quiesce(g);
}
if (PROMISES) {
  const count = async (port: number): Promise<number> => ((await (await fetch(`http://127.0.0.1:${port}/memory`)).json()) as { promises: number }).promises;
  const out: Record<string, number> = {};
  for (const [g, port] of [[gw, memPort], ...(base ? [[base, memPort + 1]] : [])] as [Proc, number][]) {
    const before = await count(port);
    await closedLoop(REQUESTS, 1, () => body('Hello there'), g); // one at a time: nothing else in flight
    await quiesce(g);
    out[g === gw ? 'ezybus' : 'baseline'] = Number((((await count(port)) - before) / REQUESTS).toFixed(2));
  }
  process.stdout.write(JSON.stringify({ promisesPerRequest: out, requests: REQUESTS }, null, 1) + '\n');
  for (const p of [...measured, sim, store]) await p.stop();
  agent.destroy();
  process.exit(0);
}
const memPortOf = new Map<Proc, number>([[gw, memPort], ...(base ? [[base, memPort + 1] as [Proc, number]] : [])]);
const gcSince = async (g: Proc): Promise<Record<string, number> | undefined> => {
  const port = memPortOf.get(g);
  return GC && port ? ((await (await fetch(`http://127.0.0.1:${port}/memory?gc`)).json()) as Record<string, number>) : undefined;
};
const gcTotals = new Map<Proc, Record<string, number>>();
const perRequest = new Map<Proc, number[]>(measured.map((g) => [g, []]));
const kernel = new Map<Proc, number[]>(measured.map((g) => [g, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const g of measured) {
    await gcSince(g); // what the warm-up and the other rounds left is not this round's
    const c = cpuSeconds(g.pid);
    const k = systemSeconds(g.pid);
    await closedLoop(REQUESTS, 8, () => body('Hello there'), g);
    await quiesce(g);
    perRequest.get(g)?.push(((cpuSeconds(g.pid) - c) * 1000) / REQUESTS);
    kernel.get(g)?.push(((systemSeconds(g.pid) - k) * 1000) / REQUESTS);
    const gc = await gcSince(g);
    if (gc) {
      const t = gcTotals.get(g) ?? {};
      for (const [name, v] of Object.entries(gc)) t[name] = (t[name] ?? 0) + v;
      gcTotals.set(g, t);
    }
  }
}
const kernelMs = (g: Proc): number => Number(median(kernel.get(g) ?? []).toFixed(3));
/** The GC profiler's sums over the CPU rounds, per request. */
const gcPerRequest = (g: Proc): Record<string, number> | undefined => {
  const t = gcTotals.get(g);
  if (!t) return undefined;
  const n = REQUESTS * ROUNDS;
  return {
    scavengeUs: Number((((t.scavengeMs ?? 0) * 1000) / n).toFixed(1)),
    fullGcUs: Number((((t.fullGcMs ?? 0) * 1000) / n).toFixed(1)),
    promotedBytes: Math.round((t.promotedBytes ?? 0) / n),
    scavenges: t.scavenges ?? 0,
    fullGcs: t.fullGcs ?? 0,
  };
};
const perRequestMs = median(perRequest.get(gw) ?? []);
const requestsReport = {
  mode: MODE,
  requests: REQUESTS,
  rounds: ROUNDS,
  warmup: WARMUP,
  loadavg: [load0, loadavg()[0] ?? NaN].map((x) => Number(x.toFixed(1))),
  cpuPerRequestMs: Number(perRequestMs.toFixed(3)),
  cpuPerRequestMsRounds: (perRequest.get(gw) ?? []).map((x) => Number(x.toFixed(3))),
  kernelMs: kernelMs(gw),
  ...(GC ? { gcPerRequest: gcPerRequest(gw), ...(base ? { baselineGcPerRequest: gcPerRequest(base) } : {}) } : {}),
  ...(proxy ? { bareProxyCpuPerRequestMs: Number(median(perRequest.get(proxy) ?? []).toFixed(3)), bareProxyRounds: (perRequest.get(proxy) ?? []).map((x) => Number(x.toFixed(3))), bareProxyKernelMs: kernelMs(proxy) } : {}),
  ...(floor ? { runtimeFloorCpuPerRequestMs: Number(median(perRequest.get(floor) ?? []).toFixed(3)), runtimeFloorRounds: (perRequest.get(floor) ?? []).map((x) => Number(x.toFixed(3))), runtimeFloorKernelMs: kernelMs(floor) } : {}),
  ...(base ? { baselineCpuPerRequestMs: Number(median(perRequest.get(base) ?? []).toFixed(3)), baselineRounds: (perRequest.get(base) ?? []).map((x) => Number(x.toFixed(3))), baselineKernelMs: kernelMs(base) } : {}),
};
const OHA_RATE = Number(arg('oha', '0'));
let ohaReport: Record<string, unknown> = {};
if (OHA_RATE > 0) {
  // oha on the load generator's core, as the full bench lays it out; its own binary when taskset is absent.
  const ohaBin = join(root, '.bench/oha/bin/oha');
  const bin = HAS_TASKSET ? join(work, 'oha-cpu0') : ohaBin;
  if (HAS_TASKSET) writeFileSync(bin, `#!/bin/sh\nexec taskset -c 0 ${ohaBin} "$@"\n`, { mode: 0o755 });
  const seconds = Number(arg('oha-seconds', '10'));
  const direct = { name: 'direct', url: sim.url } as Proc;
  const targets: Proc[] = [...measured, direct];
  const p50 = new Map<Proc, number[]>(targets.map((g) => [g, []]));
  const p99 = new Map<Proc, number[]>(targets.map((g) => [g, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const g of targets) {
      const straight = g === proxy || g === floor || g === direct;
      const res = runOha(bin, { url: g.url, path: '/v1/chat/completions', headers: { authorization: `Bearer ${straight ? 'sim-hot-key' : key}` } }, straight ? body('Hello there').replace('"hot-gpt"', '"gpt-4.1-nano"') : body('Hello there'), { seconds, rate: OHA_RATE, connections: 10 });
      p50.get(g)?.push(res.p50);
      p99.get(g)?.push(res.p99);
      if (g !== direct) await quiesce(g);
    }
  }
  const d50 = median(p50.get(direct) ?? []);
  const row = (g: Proc): Record<string, number | number[]> => ({ p50: Number(median(p50.get(g) ?? []).toFixed(2)), addedP50: Number((median(p50.get(g) ?? []) - d50).toFixed(2)), p99: Number(median(p99.get(g) ?? []).toFixed(2)), p50Rounds: (p50.get(g) ?? []).map((x) => Number(x.toFixed(2))) });
  ohaReport = { oha: { rate: OHA_RATE, seconds, direct: row(direct), ezybus: row(gw), ...(base ? { baseline: row(base) } : {}), ...(proxy ? { bareProxy: row(proxy) } : {}), ...(floor ? { runtimeFloor: row(floor) } : {}), loadavgAfter: Number((loadavg()[0] ?? NaN).toFixed(1)) } };
}
if (REQUESTS_ONLY) {
  process.stdout.write(JSON.stringify({ ledger: LEDGER, ...requestsReport, ...ohaReport }, null, 1) + '\n');
  for (const p of [...measured, sim, store]) await p.stop();
  agent.destroy();
  process.exit(0);
}
const STREAMS = 200;
const CHUNKS = 40;
const c0 = cpuSeconds(gw.pid);
await closedLoop(STREAMS, 20, () => body(`Stream [[sim:tokens=${CHUNKS}&gap_ms=10]]`, true));
await quiesce();
const streamCpu = cpuSeconds(gw.pid) - c0;
const perChunkUs = ((streamCpu - (STREAMS * perRequestMs) / 1000) * 1e6) / (STREAMS * CHUNKS);

const MiB = 1024 * 1024;
const heap = async (): Promise<{ heapUsed: number; heapTotal: number; rss: number }> =>
  (await (await fetch(`http://127.0.0.1:${memPort}/memory`)).json()) as { heapUsed: number; heapTotal: number; rss: number };
const heapBefore = await heap();
const rssBefore = rssMiB(gw.pid);
let peak = rssBefore;
const watch = setInterval(() => (peak = Math.max(peak, rssMiB(gw.pid))), 100);
const until = Date.now() + 5000;
await Promise.all(
  Array.from({ length: 400 }, async () => {
    while (Date.now() < until) await post(body('Overload [[sim:tokens=20&gap_ms=5]]', true));
  }),
);
await quiesce();
await sleep(10_000);
clearInterval(watch);
const rssAfter = rssMiB(gw.pid);
const heapAfter = await heap();

process.stdout.write(
  JSON.stringify(
    {
      ledger: LEDGER,
      ...requestsReport,
      cpuPerChunkUs: Number(perChunkUs.toFixed(1)),
      rssMiB: { before: Math.round(rssBefore), peak: Math.round(peak), after10s: Math.round(rssAfter) },
      heapUsedAfterGcMiB: { before: Math.round(heapBefore.heapUsed / MiB), after: Math.round(heapAfter.heapUsed / MiB) },
      heapTotalMiB: { before: Math.round(heapBefore.heapTotal / MiB), after: Math.round(heapAfter.heapTotal / MiB) },
    },
    null,
    1,
  ) + '\n',
);
for (const p of [...measured, sim, store]) await p.stop();
agent.destroy();
