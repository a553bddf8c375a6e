/**
 * `npm run bench` — where EzyBus stands: warm added latency (open loop), streaming TTFB and
 * inter-chunk gaps, CPU per chunk (pass-through and translated), cold start (bundle size and
 * module init), memory with open streams, ledger write cost, and a cost model — side by side
 * with the floor (a bare Node proxy hop) and peers (Portkey's gateway, LiteLLM's proxy) pointed
 * at the same simulator. Writes a Markdown report, JSON and PNG charts to bench-results/.
 *
 *   npm run bench                     full run (installs peers into .bench/peers when absent)
 *   npm run bench -- --smoke          seconds-long run that proves the benchmark still works (CI)
 *   npm run bench -- --no-peers       skip Portkey and LiteLLM
 *   npm run bench -- --stream-seconds 8 --memory-mb 128 --chunk-bytes 250   cost-model inputs (defaults 8, 1024, 250)
 *   npm run bench -- --mode function-url   how EzyBus runs (modes.ts; default function-url)
 *   npm run bench -- --no-oha         skip the oha rows (a full run builds oha with cargo when absent)
 *
 * Layout on 2 cores: this process, the in-house load generator (its own process: load-client.ts),
 * the store and the simulator on CPU 0; each
 * server under test alone on CPU 1, one at a time (taskset; said in the report when absent).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { coreSpeed, stealRecorder } from './steal.js';
import { join } from 'node:path';
import { addUpstreamKey, createGatewayKey, setRoute } from '../../functions/shared/admin/ops.js';
import { installConfig } from '../../local/gateway.js';
import { ensureTables } from '../../functions/shared/store/tables.js';
import { writeUsage } from '../../functions/shared/usage/ledger.js';
import type { UsageRecord } from '../../functions/shared/usage/record.js';
import { bundle } from '../../scripts/build.js';
import { compareAwsClients, type ClientFigures } from './aws-clients.js';
import { builtinsOf, coldStart, lambdaPreloads, nodeFloor } from './cold-start.js';
import { DEFAULT_INPUTS, measureComputeModes } from './compute-modes.js';
import { holdStream, pct, send, stream } from './loadgen.js';
import { startLoadClient } from './load-client.js';
import { GATEWAY_MODES } from './modes.js';
import { ensureOha, runOha, type OhaResult } from './oha.js';
import { startLiteLLM, startPortkey } from './peers.js';
import { barChart } from './png.js';
import { benchRoutes } from './setup.js';
import { cpuSeconds, HAS_TASKSET, rssMiB, startProc, type Proc } from './procs.js';
import { getJson, quiescer, sleep, storeStats, type StoreState } from './quiesce.js';
import { openaiBody, responsesBody, responsesSystems, type System } from './systems.js';

const root = new URL('../../', import.meta.url).pathname;
const argv = process.argv.slice(2);
const has = (f: string): boolean => argv.includes(f);
const optStr = (f: string): string | undefined => {
  const i = argv.indexOf(f);
  return i !== -1 ? argv[i + 1] : undefined;
};
const opt = (f: string, d: number): number => Number(optStr(f) ?? d);
const SMOKE = has('--smoke');
const PEERS = !SMOKE && !has('--no-peers');
const STREAM_SECONDS = opt('--stream-seconds', 8);
const MEMORY_MB = opt('--memory-mb', 1024);
/** Bytes of one relayed chunk: OpenAI's recorded Chat Completions stream events average ≈ 257 B (test/fixtures/real/openai). */
const STREAM_CHUNK_BYTES = opt('--chunk-bytes', 250);
const RATES = SMOKE ? [50] : [100, 500, 2000];
const PROFILES = SMOKE ? [0] : [0, 60];
const DURATION_MS = SMOKE ? 600 : 5000;
/**
 * A fixed-rate row lasts long enough for 2,000 requests (at least DURATION_MS): at 100/s a 5 s
 * row had 500, so its p99 was the 5th slowest request and one pause anywhere on the machine set it.
 */
const MIN_ROW_REQUESTS = SMOKE ? 0 : 2000;
const rowMs = (rate: number): number => Math.max(DURATION_MS, Math.ceil((MIN_ROW_REQUESTS / rate) * 1000));
const HEDGE_AFTER_MS = 60;
const MODE = optStr('--mode') ?? 'function-url';
const INIT_RUNS = SMOKE ? 3 : 20;
/** Closed-loop connections for the saturation (maximum throughput) measurement. */
const CONNECTIONS = 10;
const log = (s: string): void => void process.stderr.write(`[bench] ${s}\n`);
const r1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : '–');
const node = process.execPath;
const tsx = ['--import', 'tsx'];

// This process: CPU 0. Servers under test: CPU 1.
if (HAS_TASKSET) spawnSync('taskset', ['-cp', '0', String(process.pid)], { stdio: 'ignore' });

let storeState: (since?: number, extra?: string) => Promise<StoreState>;
let quiesce: (proc: Proc, maxMs?: number) => Promise<void>;

async function main(): Promise<void> {
  const started = new Date();
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  const report: string[] = [];
  const json: Record<string, unknown> = { started: started.toISOString(), commit, smoke: SMOKE };
  const skipped: string[] = [];

  // ---- cold start: bundle sizes and module init (fresh Node 24 processes) ----
  // Each section starts with a fixed loop timed on the server core (steal.ts coreSpeed).
  const steal = stealRecorder(HAS_TASKSET ? () => coreSpeed(node, 1) : undefined);
  steal.mark('cold start');
  log('bundling');
  const dist = join(root, 'dist/functions');
  const sizes = await bundle(dist);
  const ric = lambdaPreloads(root);
  const init = coldStart(node, dist, Object.keys(sizes), INIT_RUNS, ric.modules);
  log(`module init, ${INIT_RUNS} fresh processes each: ${Object.entries(init).map(([k, v]) => `${k} ${r1(v.total.median)}/${r1(v.total.p90)} ms (Lambda shape ${r1(v.lambda.total.median)}/${r1(v.lambda.total.p90)})`).join(', ')}`);
  const awsClients: ClientFigures[] = await compareAwsClients(node, INIT_RUNS);
  // Node's own part of a Lambda init, before any EzyBus code: the built-ins a completion bundle
  // loads and the root-certificate thread node:tls starts (cold-start.ts nodeFloor).
  const floor = nodeFloor(node, builtinsOf(join(dist, 'chat-completions.mjs')), ric.modules, INIT_RUNS);
  log(`Node alone (Lambda shape, until its root-certificate thread exits): ${r1(floor.wall.median)}/${r1(floor.wall.p90)} ms; that thread ${r1(floor.certThread.median)} ms CPU`);
  json.coldStart = init;
  json.nodeFloor = floor;
  json.lambdaPreloads = ric;
  json.awsClients = awsClients;

  // ---- store, keyring, routes ----
  const work = mkdtempSync(join(tmpdir(), 'ezybus-bench-'));
  // The store in its own process, niced on this core: see store-proc.ts.
  const store = await startProc('store', node, [...tsx, join(root, 'test/bench/store-proc.ts')], { cpu: 0, nice: 10 });
  storeState = storeStats(store.stats as string);
  quiesce = quiescer(storeState, log);
  const keyring = join(work, 'master.key');
  installConfig({ AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', EZYBUS_STAGE: 'local', EZYBUS_DYNAMODB_ENDPOINT: store.url, EZYBUS_LOCAL_KEYRING: keyring });
  await ensureTables();

  log('starting the simulator (CPU 0)');
  const sim = await startProc('simulator', node, [...tsx, join(root, 'test/bench/sim-proc.ts')], { cpu: 0 });
  await benchRoutes(sim.url);
  // Hedging needs somewhere else to go: a second key on the same provider.
  await addUpstreamKey('bench-openai', 'sim-bench-key-2', 'k2');
  await setRoute('bench-gpt-hedged', [{ upstream: 'bench-openai', model: 'gpt-4.1-nano' }], { hedgeAfterMs: HEDGE_AFTER_MS });
  const { key } = await createGatewayKey({ name: 'bench' });

  // Open and closed loops run in a load generator process of their own (load-client.ts) on this
  // core: this process's heap holds the whole run, and its pauses would read as server latency.
  const load = await startLoadClient(node, HAS_TASKSET ? 0 : undefined);
  const { openLoop, closedLoop } = load;
  const systems: System[] = [];
  const direct: System = { name: 'direct', proc: sim, target: { url: sim.url, path: '/v1/chat/completions', headers: { authorization: 'Bearer sim-bench-key' } }, body: openaiBody('gpt-4.1-nano') };

  const startProxy = async (): Promise<System> => {
    const p = await startProc('bare proxy', node, [join(root, 'test/bench/proxy-proc.ts')], { cpu: 1, env: { BENCH_TARGET: sim.url } });
    return { name: 'bare node proxy', proc: p, target: { url: p.url, path: '/v1/chat/completions', headers: { authorization: 'Bearer sim-bench-key' } }, body: openaiBody('gpt-4.1-nano') };
  };
  const mode = GATEWAY_MODES[MODE];
  if (!mode) throw new Error(`unknown --mode ${MODE} (modes: ${Object.keys(GATEWAY_MODES).join(', ')})`);
  const startEzyBus = async (): Promise<System> => {
    const p = await mode.start({ root, node, dist, storeUrl: store.url, keyring, cpu: 1 });
    return { name: 'ezybus', proc: p, target: { url: p.url, path: '/v1/chat/completions', headers: { authorization: `Bearer ${key}` } }, body: openaiBody('bench-gpt') };
  };
  const peerCtx = { root, node, log };
  const peers: Array<() => Promise<System | string>> = PEERS ? [startPortkey(peerCtx, sim.url), startLiteLLM(peerCtx, sim.url)] : [];
  if (!PEERS) skipped.push(SMOKE ? 'Portkey, LiteLLM: not run in --smoke mode' : 'Portkey, LiteLLM: --no-peers');
  // oha: built when absent in a full run; a smoke run uses it only if it is already there.
  let oha: string | undefined;
  if (has('--no-oha')) skipped.push('oha: --no-oha');
  else {
    const found = SMOKE && !existsSync(join(root, '.bench/oha/bin/oha')) ? { missing: 'oha: not built yet (a smoke run does not build it; a full run does)' } : ensureOha(root, log);
    if (typeof found === 'string') oha = found;
    else skipped.push(found.missing);
  }

  // ---- warm added latency, open loop, one server under test at a time ----
  steal.mark('saturation and fixed rates');
  type Saturation = 'below' | 'near' | 'past';
  const warm: Array<{ system: string; profileMs: number; rate: number; p50: number; p90: number; p99: number; max: number; errors: number; sent: number; cpuMicrosPerRequest: number; saturation: Saturation }> = [];
  const saturationRows: Array<{ system: string; profileMs: number; maxRps: number; cpuMicrosPerRequest: number }> = [];
  const ohaRows: Array<{ system: string; load: string; result: OhaResult }> = [];
  const satAt = (sys: string, profile: number): number => saturationRows.find((x) => x.system === sys && x.profileMs === profile)?.maxRps ?? NaN;
  const measure = async (s: System): Promise<void> => {
    for (const profile of PROFILES) {
      const body = s.body(`ttft_ms=${profile}&tokens=16`);
      // Warm-up: connections and caches at a gentle rate, then 2 s flat out so the JIT has
      // optimised the hot path before the saturation phase (300 requests alone left a JavaScript
      // server's first closed loop partly unoptimised: EzyBus read 1,353 and 1,705–2,665 req/s
      // in successive closed loops of the same bundles). Every system gets the same warm-up.
      await openLoop(s.target, body, SMOKE ? 50 : 200, SMOKE ? 200 : 1500);
      await closedLoop(s.target, body, CONNECTIONS, SMOKE ? 300 : 2000);
      // The saturation rate: what the server completes flat out with CONNECTIONS clients.
      await quiesce(s.proc);
      const cs0 = cpuSeconds(s.proc.pid);
      const sat = await closedLoop(s.target, body, CONNECTIONS, DURATION_MS);
      await quiesce(s.proc);
      saturationRows.push({ system: s.name, profileMs: profile, maxRps: sat.rps, cpuMicrosPerRequest: s === direct ? NaN : ((cpuSeconds(s.proc.pid) - cs0) / sat.sent) * 1e6 });
      log(`${s.name.padEnd(16)} ${profile} ms  saturates at ${sat.rps.toFixed(0)}/s (${CONNECTIONS} closed-loop connections)`);
      let saturated = false;
      for (const rate of RATES) {
        if (saturated) {
          log(`${s.name}: skipping ${rate}/s (saturated at a lower rate)`);
          continue;
        }
        await quiesce(s.proc);
        const c0 = cpuSeconds(s.proc.pid);
        const r = await openLoop(s.target, body, rate, rowMs(rate));
        await quiesce(s.proc); // the phase's trailing work counts toward its CPU
        const cpuMicrosPerRequest = s === direct ? NaN : ((cpuSeconds(s.proc.pid) - c0) / r.sent) * 1e6;
        const l = r.latencies;
        const saturation: Saturation = rate > sat.rps ? 'past' : rate > 0.8 * sat.rps ? 'near' : 'below';
        warm.push({ system: s.name, profileMs: profile, rate, p50: pct(l, 50), p90: pct(l, 90), p99: pct(l, 99), max: l[l.length - 1] ?? NaN, errors: r.errors, sent: r.sent, cpuMicrosPerRequest, saturation });
        // Past a 5 s median the server is saturated: higher rates would only queue longer.
        if (pct(l, 50) > 5000) saturated = true;
        log(`${s.name.padEnd(16)} ${profile} ms  ${String(rate).padStart(5)}/s  p50 ${r1(pct(l, 50))}  p99 ${r1(pct(l, 99))}  errors ${r.errors}/${r.sent}  cpu/req ${r1(cpuMicrosPerRequest)} µs  ${saturation === 'below' ? '' : `(${saturation} saturation)`}`);
      }
    }
    // The headline rows again through oha (0 ms upstream): flat out, and at fixed rates.
    if (oha && (s.name === 'ezybus' || (!SMOKE && (s === direct || s.name === 'bare node proxy')))) {
      const body = s.body('ttft_ms=0&tokens=16');
      const seconds = Math.max(2, DURATION_MS / 1000);
      await quiesce(s.proc);
      ohaRows.push({ system: s.name, load: `closed loop, ${CONNECTIONS} connections`, result: runOha(oha, s.target, body, { seconds, connections: CONNECTIONS }) });
      for (const rate of RATES.filter((r) => r <= 500)) {
        await quiesce(s.proc);
        ohaRows.push({ system: s.name, load: `${rate}/s`, result: runOha(oha, s.target, body, { seconds: Math.max(seconds, rowMs(rate) / 1000), rate, connections: Math.max(CONNECTIONS, Math.ceil(rate / 20)) }) });
      }
      for (const o of ohaRows.filter((x) => x.system === s.name)) log(`oha ${s.name.padEnd(16)} ${o.load.padEnd(28)} ${o.result.rps.toFixed(0)}/s  p50 ${r1(o.result.p50)}  p99 ${r1(o.result.p99)}  ok ${o.result.ok}/${o.result.requests}`);
    }
  };
  log('warm latency: direct');
  await measure(direct);
  const proxy = await startProxy();
  await measure(proxy);
  const ezybus = await startEzyBus();
  await measure(ezybus);
  systems.push(proxy, ezybus);
  for (const start of peers) {
    const s = await start();
    if (typeof s === 'string') {
      skipped.push(s);
      log(`skipped: ${s}`);
      continue;
    }
    try {
      // Peers answer a first request slowly (model maps, imports): check one answer first.
      const probe = await send(s.target, s.body('tokens=4'));
      if (probe.status !== 200) throw new Error(`status ${probe.status}: ${probe.body.slice(0, 200)}`);
      await measure(s);
      systems.push(s);
    } catch (err) {
      skipped.push(`${s.name}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      await s.proc.stop();
    }
  }
  json.warm = warm;
  json.saturation = saturationRows;
  json.oha = ohaRows;

  // ---- streaming: TTFB and inter-chunk gaps with N concurrent streams ----
  steal.mark('streaming');
  const N = SMOKE ? 3 : 50;
  const streamScenario = 'tokens=40&gap_ms=20';
  const streamRows: Array<{ system: string; ttfbP50: number; ttfbP99: number; gapP50: number; gapP99: number }> = [];
  const xlate: System = { ...ezybus, name: 'ezybus translated', body: openaiBody('bench-claude') };
  const soloRows: typeof streamRows = [];
  // The translated path (OpenAI client → Anthropic upstream) is compared with the Anthropic
  // stream straight from the simulator: the two protocols pace their first text differently.
  const directAnthropic: System = {
    name: 'direct (anthropic)',
    proc: sim,
    target: { url: sim.url, path: '/v1/messages', headers: { 'x-api-key': 'sim-bench-key', 'anthropic-version': '2023-06-01' } },
    body: (scenario, streamed = false) => JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 1024, messages: [{ role: 'user', content: `Say hello [[sim:${scenario}]]` }], ...(streamed ? { stream: true } : {}) }),
  };
  // The Responses endpoint: passed through (against the Responses stream straight from the
  // simulator) and translated to Anthropic (against the Anthropic stream, as the Chat row).
  const directResponses: System = { name: 'direct (responses)', proc: sim, target: { url: sim.url, path: '/v1/responses', headers: { authorization: 'Bearer sim-bench-key' } }, body: responsesBody('gpt-4.1-nano') };
  const responsesRows = responsesSystems(ezybus);
  const [responsesPass, responsesXlate] = responsesRows as [System, System, System];
  for (const s of [direct, proxy, ezybus, directAnthropic, xlate, directResponses, responsesPass, responsesXlate]) {
    await quiesce(s.proc);
    // One stream at a time: what a Lambda execution environment (one request each) sees.
    const solo: Awaited<ReturnType<typeof stream>>[] = [];
    for (let i = 0; i < (SMOKE ? 3 : 30); i++) solo.push(await stream(s.target, s.body(streamScenario, true)));
    const sTtfb = solo.map((x) => x.ttfb).sort((a, b) => a - b);
    const sGaps = solo.flatMap((x) => x.gaps).sort((a, b) => a - b);
    soloRows.push({ system: s.name, ttfbP50: pct(sTtfb, 50), ttfbP99: pct(sTtfb, 99), gapP50: pct(sGaps, 50), gapP99: pct(sGaps, 99) });
    await quiesce(s.proc);
    const all = await Promise.all(Array.from({ length: N }, () => stream(s.target, s.body(streamScenario, true))));
    const ttfb = all.map((x) => x.ttfb).sort((a, b) => a - b);
    const gaps = all.flatMap((x) => x.gaps).sort((a, b) => a - b);
    streamRows.push({ system: s.name, ttfbP50: pct(ttfb, 50), ttfbP99: pct(ttfb, 99), gapP50: pct(gaps, 50), gapP99: pct(gaps, 99) });
  }
  json.streaming = { concurrency: N, scenario: streamScenario, rows: streamRows, oneAtATime: soloRows };

  // ---- hedging under a slow tail: 10 % of first tokens come 500 ms late ----
  const tail = 'ttft_ms=20&tail_rate=0.1&tail_ms=500&tokens=8';
  const hedgeRows: Array<{ route: string; ttfbP50: number; ttfbP90: number; ttfbP99: number; attemptsPerRequest: number }> = [];
  const H = SMOKE ? 10 : 300;
  for (const route of ['bench-gpt', 'bench-gpt-hedged']) {
    await quiesce(ezybus.proc);
    const before = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as { total: number };
    const ttfbs: number[] = [];
    for (let i = 0; i < H; i += 10) {
      const batch = await Promise.all(Array.from({ length: Math.min(10, H - i) }, () => stream(ezybus.target, openaiBody(route)(tail, true))));
      ttfbs.push(...batch.map((b) => b.ttfb));
    }
    const after = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as { total: number };
    ttfbs.sort((a, b) => a - b);
    hedgeRows.push({ route, ttfbP50: pct(ttfbs, 50), ttfbP90: pct(ttfbs, 90), ttfbP99: pct(ttfbs, 99), attemptsPerRequest: (after.total - before.total) / H });
  }
  json.hedging = { scenario: tail, hedgeAfterMs: HEDGE_AFTER_MS, rows: hedgeRows };

  // ---- CPU per chunk: (CPU of long streams − CPU of 1-token streams) / extra chunks ----
  steal.mark('CPU per chunk');
  // From the server process's own CPU counters. Long streams so chunk work dominates the
  // per-request work (auth, ledger) that the difference cancels; the median of three rounds,
  // since that cancellation is noisy. The 0 ms row is labelled as such: with no gap, many chunks
  // share one socket read and one write, so it shows the cost per chunk of a burst, not what a
  // real stream pays; at 10 and 50 ms each chunk arrives, and is relayed, on its own.
  const GAPS = SMOKE ? [10] : [0, 10, 50];
  const cpuPerChunk: Array<{ system: string; gapMs: number; micros: number; chunksPerStream: number; streams: number }> = [];
  for (const gap of GAPS) {
    // 0 ms: 2,000-chunk streams, ten at a time. Gapped: 3-second streams, all at once (they idle).
    const LONG = gap === 0 ? (SMOKE ? 200 : 2000) : SMOKE ? 20 : Math.round(3000 / gap);
    const K = gap === 0 ? (SMOKE ? 10 : 100) : SMOKE ? 10 : 50;
    const batch = gap === 0 ? 10 : K;
    for (const s of [proxy, ezybus, xlate, ...responsesRows]) {
      const cost = async (tokens: number): Promise<number> => {
        await quiesce(s.proc);
        const c0 = cpuSeconds(s.proc.pid);
        for (let i = 0; i < K; i += batch) {
          await Promise.all(Array.from({ length: Math.min(batch, K - i) }, () => stream(s.target, s.body(`tokens=${tokens}&gap_ms=${gap}`, true))));
        }
        await quiesce(s.proc); // trailing ledger writes belong to the round
        return cpuSeconds(s.proc.pid) - c0;
      };
      if (!SMOKE) await cost(1); // warm-up
      const rounds: number[] = [];
      for (let r = 0; r < (SMOKE ? 1 : 3); r++) {
        const small = await cost(1);
        const big = await cost(LONG);
        rounds.push(((big - small) / (K * (LONG - 1))) * 1e6);
      }
      rounds.sort((x, y) => x - y);
      cpuPerChunk.push({ system: s.name, gapMs: gap, micros: rounds[Math.floor(rounds.length / 2)] as number, chunksPerStream: LONG, streams: K });
      log(`cpu/chunk ${s.name.padEnd(18)} gap ${gap} ms: ${r1(cpuPerChunk.at(-1)?.micros ?? NaN)} µs`);
    }
  }
  json.cpuPerChunk = cpuPerChunk;

  // ---- memory with open streams ----
  steal.mark('memory and overload');
  await quiesce(ezybus.proc);
  const memory: Array<{ streams: number; rssMiB: number }> = [{ streams: 0, rssMiB: rssMiB(ezybus.proc.pid) }];
  const holdMs = SMOKE ? 1500 : 6000;
  for (const n of SMOKE ? [1, 10] : [1, 100, 1000]) {
    const held = Array.from({ length: n }, () => holdStream(ezybus.target, ezybus.body(`tokens=4&hold_after=1&hold_ms=${holdMs}`, true)));
    await Promise.race([Promise.all(held.map((h) => h.opened)), sleep(holdMs - 500)]);
    memory.push({ streams: n, rssMiB: rssMiB(ezybus.proc.pid) });
    for (const h of held) h.close();
    await sleep(holdMs + 500); // the gateway learns nothing of a gone client; its upstreams end on their own
    await quiesce(ezybus.proc);
  }
  json.memory = memory;

  // ---- RSS before, during and after an overload phase ----
  // Open loop at 1.5 × the saturation rate: requests queue in the process (sockets, buffers,
  // pending invocations). Does the memory come back once the queue has drained?
  const overloadRate = Math.max(50, Math.ceil(1.5 * (satAt('ezybus', 0) || 100)));
  const overloadMs = SMOKE ? 1000 : 10_000;
  const OVERLOAD_MAX_IN_FLIGHT = 6000;
  await quiesce(ezybus.proc);
  // The V8 heap and the buffers outside it, from the gateway's own process.memoryUsage().
  type Mem = { heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
  const memOf = async (): Promise<Mem | null> => (ezybus.proc.stats ? ((await getJson<{ memory?: Mem }>(ezybus.proc.stats)).memory ?? null) : null);
  const heapBefore = await memOf();
  const rssBefore = rssMiB(ezybus.proc.pid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(ezybus.proc.pid))), 100);
  // At most 6,000 waiting at once: 6,000 sockets here and 12,000 in the gateway stay under the
  // 20,000 open files a process may have on this machine (a 2,900/s saturation at 1.5 × queues
  // ≈ 14,500 in 10 s, and the run died of EMFILE); the rest is shed and reported.
  const over = await openLoop(ezybus.target, ezybus.body('ttft_ms=0&tokens=16'), overloadRate, overloadMs, OVERLOAD_MAX_IN_FLIGHT);
  clearInterval(sampler);
  await quiesce(ezybus.proc);
  const rssDrained = rssMiB(ezybus.proc.pid);
  const heapDrained = await memOf();
  const settleMs = SMOKE ? 1000 : 30_000;
  await sleep(settleMs);
  const rssLater = rssMiB(ezybus.proc.pid);
  const heapLater = await memOf();
  const overload = { rate: overloadRate, seconds: overloadMs / 1000, sent: over.sent, errors: over.errors, shed: over.shed, maxInFlight: OVERLOAD_MAX_IN_FLIGHT, p50: pct(over.latencies, 50), rssBefore, rssPeak, rssDrained, rssLater, settleSeconds: settleMs / 1000, heap: { before: heapBefore, drained: heapDrained, later: heapLater } };
  json.overload = overload;
  log(`overload ${overloadRate}/s (${over.shed} shed): RSS ${rssBefore.toFixed(0)} → peak ${rssPeak.toFixed(0)} → drained ${rssDrained.toFixed(0)} → +${settleMs / 1000} s ${rssLater.toFixed(0)} MiB`);

  // ---- ledger: write latency, and no store call between upstream chunks ----
  steal.mark('ledger, cost model and compute modes');
  const ledgerTimes: number[] = [];
  const sample = sampleRecord();
  for (let i = 0; i < (SMOKE ? 10 : 200); i++) {
    const t = performance.now();
    await writeUsage({ ...sample, requestId: `bench-${started.getTime()}-${i}` });
    ledgerTimes.push(performance.now() - t);
  }
  ledgerTimes.sort((a, b) => a - b);
  await quiesce(ezybus.proc);
  // One stream with the store held: it must arrive whole, its chunks on time, while every
  // store call it makes waits — so none sits between its chunks. (Arrival times at the store
  // cannot show that: a stale cache refreshes beside a request, and is stamped whenever the
  // store gets to it.) Then the store is released and the ledger writes go through.
  // One request first, so the caches a request needs (the gateway key, routes, key health) are
  // fresh: what this row shows is the stream's own path. (With a key's 30 s cache expired, a
  // request does wait for its GetItem — a revoked key must stop within that time — so a store
  // that stalls then holds new requests; that is the key cache's contract, not a chunk's.)
  await stream(ezybus.target, ezybus.body('tokens=2', true));
  await quiesce(ezybus.proc);
  const mark = (await storeState()).n;
  await storeState(undefined, 'hold=1');
  let held: Awaited<ReturnType<typeof stream>>;
  let duringStream: Array<{ op: string }>;
  try {
    held = await stream(ezybus.target, ezybus.body('tokens=20&gap_ms=50', true));
    duringStream = (await storeState(mark)).calls ?? [];
  } finally {
    await storeState(undefined, 'hold=0');
  }
  held.gaps.sort((a, b) => a - b);
  await quiesce(ezybus.proc);
  const afterCalls = (await storeState(mark)).calls ?? [];
  const countOps = (cs: Array<{ op: string }>): string => {
    const m = new Map<string, number>();
    for (const c of cs) m.set(c.op, (m.get(c.op) ?? 0) + 1);
    return [...m].map(([op, n]) => (n > 1 ? `${op} × ${n}` : op)).join(', ') || 'none';
  };
  const isRead = (c: { op: string }): boolean => c.op === 'Query' || c.op === 'GetItem';
  const between = { chunks: held.chunks, gapP99Ms: pct(held.gaps, 99), readsWhileHeld: countOps(duringStream.filter(isRead)), writesWhileHeld: countOps(duringStream.filter((c) => !isRead(c))) };
  const ledgerAfter = afterCalls.length;
  const ledgerOps = countOps(afterCalls.slice(duringStream.length));
  json.ledger = { writeP50Ms: pct(ledgerTimes, 50), writeP99Ms: pct(ledgerTimes, 99), streamWithStoreHeld: between, storeCallsAfterStream: ledgerAfter, storeCallsAfterStreamOps: ledgerOps };

  // ---- cost model ----
  const at = (sys: string, rate: number, profile = 0): (typeof warm)[number] | undefined => warm.find((w) => w.system === sys && w.rate === rate && w.profileMs === profile);
  const midRate = RATES[Math.min(1, RATES.length - 1)] as number;
  const overheadMs = Math.max(0, (at('ezybus', midRate)?.p50 ?? 0) - (at('direct', midRate)?.p50 ?? 0));
  const gb = MEMORY_MB / 1024;
  // The ledger is written off the request path (the ledger writer), so it adds nothing here.
  const lambdaSeconds = STREAM_SECONDS + overheadMs / 1000;
  const chunks = DEFAULT_INPUTS.chunksPerStream;
  const perMillion = {
    lambdaRequests: 0.2,
    lambdaDuration: 1e6 * lambdaSeconds * gb * 0.0000133334,
    // docs/pricing.md, "Write units per request": ≈ 3.1 WRU at volume ($1.95 / M) plus the batching
    // hop (SQS ≈ $0.40 / M, the writer's intake invocations ≈ $0.25 / M).
    ledger: 3.1 * 0.625 + 0.4 + 0.25,
    cloudwatchLogs: 1e6 * 2.5e-6 * 0.5, // ≈ 2.5 KB log line, $0.50 / GB ingested
    // CloudFront pay-as-you-go, North America / Europe: HTTPS requests $0.0100 per 10,000, data
    // transfer out $0.085 / GB (first 10 TB). Lambda → CloudFront is free.
    cloudfrontRequests: 1.0,
    cloudfrontTransfer: (1e6 * chunks * STREAM_CHUNK_BYTES) / 1e9 * 0.085,
  };
  // A CloudFront flat-rate plan at its allowance replaces both CloudFront terms: Business, $200 a
  // month for 125 M requests and 50 TB (no overage charges; the plan needs a WAF web ACL on the
  // distribution, which the stack does not create).
  const flatRatePerMillion = 200 / 125;
  const costTotal = Object.values(perMillion).reduce((a, b) => a + b, 0);
  const flatRateTotal = costTotal - perMillion.cloudfrontRequests - perMillion.cloudfrontTransfer + flatRatePerMillion;
  // EzyBus's work as a share of the billed duration, two ways: the wall time it adds (its added
  // p50), and its CPU per stream (a request plus `chunks` relayed chunks at 10 ms gaps) run at the
  // vCPU share Lambda gives this memory size (1 vCPU per 1,769 MB) — the stricter reading.
  const cpuReq = (at('ezybus', midRate)?.cpuMicrosPerRequest ?? NaN) / 1000;
  const cpuChunk = cpuPerChunk.find((c) => c.system === 'ezybus' && c.gapMs === 10)?.micros ?? NaN;
  const cpuMsPerStream = cpuReq + (chunks * cpuChunk) / 1000;
  const share = { addedWall: overheadMs / (lambdaSeconds * 1000), cpuAtShare: cpuMsPerStream / Math.min(1, MEMORY_MB / 1769) / (lambdaSeconds * 1000) };
  json.cost = { streamSeconds: STREAM_SECONDS, memoryMb: MEMORY_MB, chunks, chunkBytes: STREAM_CHUNK_BYTES, overheadMs, lambdaSeconds, perMillion, total: costTotal, flatRateTotal, cpuMsPerStream, share };

  // ---- the two compute modes side by side (compute-modes.ts) ----
  await ezybus.proc.stop();
  const modes = await measureComputeModes({ root, node, dist, storeUrl: store.url, keyring, key, model: 'bench-gpt', smoke: SMOKE, log, quiesce }, { ...DEFAULT_INPUTS, memoryMb: MEMORY_MB });
  json.computeModes = modes.json;

  // ---- stop everything ----
  const stolen = steal.end();
  json.steal = stolen;
  await proxy.proc.stop();
  await load.close();
  await sim.stop();
  await store.stop();

  // ---- report ----
  const cpu = cpus();
  report.push(`# EzyBus benchmark${SMOKE ? ' (smoke run: not figures to quote)' : ''}`, '');
  report.push(`- Command: \`npm run bench${argv.length ? ' -- ' + argv.join(' ') : ''}\``);
  report.push(`- Commit: ${commit}; started ${started.toISOString()}`);
  report.push(`- Machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version} (${process.arch})`);
  report.push(`- Pinning: ${HAS_TASKSET ? 'the harness, the in-house load generator (a process of its own, keeping one number per request: load-client.ts) and the simulator on CPU 0, the store (dynalite, standing in for DynamoDB) in its own process on CPU 0 at nice 10 so it never delays the measuring; the server under test alone on CPU 1 (taskset)' : 'none (taskset missing)'}`);
  report.push(`- Load: open loop, latency from each request's scheduled start; ${DURATION_MS / 1000} s per rate, or long enough for ${MIN_ROW_REQUESTS} requests if longer (${RATES.map((r) => `${r}/s: ${rowMs(r) / 1000} s`).join(', ')}), after a warm-up; non-stream chat completions, 16 output tokens`);
  report.push(`- EzyBus, mode \`${MODE}\`: ${mode.describe}; logging a line per request (its usage record). The gateway writes no ledger: in AWS the ledger writer is its own function fed by the log subscription; here the bundles' lines go to stdout, so this process's figures are the gateway's own (the Ledger section measures the writer alone).`);
  report.push(`- CPU figures: the server process's own counters (utime + stime from /proc/<pid>/stat, all its threads), read around each phase after it has gone idle, so a phase's trailing work (log lines, cache refreshes, garbage collection) is counted in it.`);
  report.push(`- System load when this run started (1/5/15 min): ${loadavg().map((x) => x.toFixed(2)).join(' / ')} on ${cpu.length} cores${loadavg()[0]! > 1.5 ? ' — the machine was shared: treat small differences as noise' : ''}.`);
  const stealCell = (p: Record<string, number>): string => ['cpu1', 'cpu0'].map((c) => (p[c] === undefined ? '–' : `${p[c].toFixed(1)} %`)).join(' / ');
  const worst = Math.max(0, ...stolen.map((x) => x.percent.cpu1 ?? 0));
  report.push(
    stolen.some((x) => Object.keys(x.percent).length)
      ? `- Hypervisor steal (of the time a CPU of this VM had work, the share it waited while the host ran something else; /proc/stat; steal.ts), server core / load generator's core, by section: ${stolen.map((x) => `${x.name} ${stealCell(x.percent)}`).join('; ')}${worst > 5 ? ' — **the host took CPU from the server core during this run: a slower figure in a section with steal is the host, not the code**' : ''}.`
      : '- Hypervisor steal: not readable here (/proc/stat).',
  );
  const probes = stolen.filter((x) => x.probeMs !== undefined);
  const first = probes[0]?.probeMs;
  if (first) {
    const slowest = Math.max(...probes.map((x) => x.probeMs ?? 0)) / first;
    report.push(`- Server core speed: a fixed loop (100 M iterations, best of five, in a fresh process on CPU 1; steal.ts \`coreSpeed\`) timed at the start of each section, in ms: ${probes.map((x) => `${x.name} ${r1(x.probeMs ?? NaN)}`).join('; ')}${slowest > 1.1 ? ` — **the core ran up to ${((slowest - 1) * 100).toFixed(0)} % slower than at the start of the run: the host slowed it, and the figures of those sections with it**` : ''}.`);
  }
  if (skipped.length) report.push(`- Skipped: ${skipped.join('; ')}`);
  report.push('', `## Saturation (maximum throughput, ${CONNECTIONS} closed-loop connections, ${DURATION_MS / 1000} s, non-stream)`, '');
  report.push('| upstream | system | saturation rate (req/s) | server CPU / request at saturation |', '|---|---|---|---|');
  for (const x of saturationRows) report.push(`| ${x.profileMs} ms | ${x.system} | ${x.maxRps.toFixed(0)} | ${Number.isFinite(x.cpuMicrosPerRequest) ? `${r1(x.cpuMicrosPerRequest)} µs` : '–'} |`);
  report.push('', '## Warm added latency (ms, non-stream, open loop at fixed rates)', '');
  report.push(`In-house open loop (loadgen.ts, in a process of its own): latency from each request's scheduled start; each row has at least ${MIN_ROW_REQUESTS || 'a few'} requests, so its p99 is set by its slowest 1 % (${Math.max(1, Math.round(MIN_ROW_REQUESTS / 100))} requests or more): at 100/s a pause sets it alone only if it holds that many (${Math.round(MIN_ROW_REQUESTS / 100) * 10} ms). oha's rows at a fixed rate last as long.`, '');
  report.push('Each row is marked against that system\'s saturation rate above: **past** (offered more than it completes flat out: latency is queueing, not service), **near** (above 80 % of it), or blank (below).', '');
  report.push('| upstream | rate/s | system | load | p50 | p90 | p99 | max | added p50 | added p99 | errors | server CPU / request |', '|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const w of warm) {
    const d = at('direct', w.rate, w.profileMs);
    const load = w.saturation === 'below' ? '' : `**${w.saturation}** (saturates at ${satAt(w.system, w.profileMs).toFixed(0)}/s)`;
    report.push(`| ${w.profileMs} ms | ${w.rate} | ${w.system} | ${load} | ${r1(w.p50)} | ${r1(w.p90)} | ${r1(w.p99)} | ${r1(w.max)} | ${w.system === 'direct' ? '–' : r1(w.p50 - (d?.p50 ?? NaN))} | ${w.system === 'direct' ? '–' : r1(w.p99 - (d?.p99 ?? NaN))} | ${w.errors}/${w.sent} | ${Number.isFinite(w.cpuMicrosPerRequest) ? `${r1(w.cpuMicrosPerRequest)} µs` : '–'} |`);
  }
  if (ohaRows.length) {
    report.push('', '### The headline rows through oha (a load generator nobody here wrote; latency-corrected at fixed rates; 0 ms upstream)', '');
    report.push('| system | load | completed req/s | p50 | p90 | p99 | added p50 | ok / requests |', '|---|---|---|---|---|---|---|---|');
    for (const o of ohaRows) {
      const d = ohaRows.find((x) => x.system === 'direct' && x.load === o.load);
      report.push(`| ${o.system} | ${o.load} | ${o.result.rps.toFixed(0)} | ${r1(o.result.p50)} | ${r1(o.result.p90)} | ${r1(o.result.p99)} | ${o.system === 'direct' || !d ? '–' : r1(o.result.p50 - d.result.p50)} | ${o.result.ok}/${o.result.requests} |`);
    }
  }
  report.push('', '### Ratios of added latency (EzyBus ÷ other; target ≤ 1.3 vs the floor, ≤ 0.33 vs Portkey, ≤ 0.2 vs LiteLLM)', '');
  report.push('| upstream | rate/s | vs | p50 ratio | p99 ratio |', '|---|---|---|---|---|');
  for (const profile of PROFILES) {
    for (const rate of RATES) {
      const d = at('direct', rate, profile);
      const e = at('ezybus', rate, profile);
      if (!d || !e) continue;
      for (const s of systems.filter((x) => x.name !== 'ezybus')) {
        const o = at(s.name, rate, profile);
        if (!o) continue;
        const ratio = (a: number, b: number): string => (b > 0.05 ? (a / b).toFixed(2) : '–');
        report.push(`| ${profile} ms | ${rate} | ${s.name} | ${ratio(e.p50 - d.p50, o.p50 - d.p50)} | ${ratio(e.p99 - d.p99, o.p99 - d.p99)} |`);
      }
    }
  }
  for (const [title, rows] of [
    ['one stream at a time (as in a Lambda environment)', soloRows],
    [`${N} concurrent streams in one process`, streamRows],
  ] as const) {
    report.push('', `## Streaming, ${title}; 40 chunks 20 ms apart (ms)`, '');
    report.push('| system | TTFB p50 | TTFB p99 | gap p50 | gap p99 | added TTFB p50 | added gap p99 |', '|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const base = rows.find((x) => x.system === (STREAM_BASE[r.system] ?? 'direct'));
      const isBase = r.system.startsWith('direct');
      report.push(`| ${r.system} | ${r1(r.ttfbP50)} | ${r1(r.ttfbP99)} | ${r1(r.gapP50)} | ${r1(r.gapP99)} | ${isBase ? '–' : r1(r.ttfbP50 - (base?.ttfbP50 ?? NaN))} | ${isBase ? '–' : r1(r.gapP99 - (base?.gapP99 ?? NaN))} |`);
    }
  }
  report.push('', `## Hedging (streams; 10 % of upstream first tokens 500 ms late; hedge after ${HEDGE_AFTER_MS} ms on another key)`, '');
  report.push('| route | TTFB p50 | TTFB p90 | TTFB p99 | upstream attempts / request |', '|---|---|---|---|---|');
  for (const h of hedgeRows) report.push(`| ${h.route === 'bench-gpt' ? 'no hedging' : 'hedged'} | ${r1(h.ttfbP50)} | ${r1(h.ttfbP90)} | ${r1(h.ttfbP99)} | ${h.attemptsPerRequest.toFixed(2)} |`);
  report.push('', 'Each extra attempt is a second upstream request that started and was aborted when the other produced content first: upstream tokens for its prompt may be billed by the provider, so the extra-attempt rate is the price of the shorter tail. Both attempts are in the usage record.');
  report.push('', '## CPU per chunk (µs, server process; targets: 20 pass-through, 60 translated)', '');
  report.push('Rows: `ezybus` Chat Completions passed through; `ezybus translated` Chat Completions client → Anthropic upstream; `ezybus responses` the Responses endpoint passed through to a Responses upstream; `ezybus responses translated` Responses client → Anthropic upstream (to compare with `ezybus translated`); `ezybus responses → chat completions` Responses client → Chat Completions upstream.', '');
  report.push('(CPU of long streams − CPU of one-chunk streams) ÷ the extra chunks, median of three rounds. **0 ms gap**: chunks sent back to back, so many share one read and one write — a burst figure, not what a stream pays per chunk; 10 and 50 ms gaps are what model output looks like.', '');
  report.push(`| system | ${GAPS.map((g) => `gap ${g} ms${g === 0 ? ' (burst)' : ''}`).join(' | ')} |`, `|---|${GAPS.map(() => '---').join('|')}|`);
  for (const name of [...new Set(cpuPerChunk.map((c) => c.system))]) {
    report.push(`| ${name} | ${GAPS.map((g) => r1(cpuPerChunk.find((c) => c.system === name && c.gapMs === g)?.micros ?? NaN)).join(' | ')} |`);
  }
  report.push('', `Streams: ${GAPS.map((g) => { const c = cpuPerChunk.find((x) => x.gapMs === g); return `${g} ms gap — ${c?.streams ?? '?'} streams of ${c?.chunksPerStream ?? '?'} chunks`; }).join('; ')}.`);
  report.push('', '## Cold start (target: < 150 KB minified, init ≤ 15 ms median)', '');
  report.push(`Module init in ${INIT_RUNS} fresh Node ${process.version} processes per bundle and shape (interleaved), median / p90, ${HAS_TASKSET ? 'each on one core (they inherit this harness\'s pin to CPU 0; a Lambda function below 1,769 MB gets less than one vCPU, and on a second core part of Node\'s start-up work runs beside the import)' : 'unpinned (taskset missing)'}. **Fresh**: a bare process with its ESM loader already running (as Lambda's is when it imports a handler). **Lambda shape**: the same process after loading, untimed, the built-ins Lambda's runtime interface client has loaded before it imports a handler (${ric.modules.join(', ')}; from ${ric.source}) — what a Lambda init adds for this bundle. The CPU columns (user + system time of the process during the import) move less with the machine's load than the wall-time columns. Each process runs without NODE_EXTRA_CA_CERTS, as Lambda's nodejs24.x does by default (this machine sets it, and Node then parses about 150 more root certificates at startup: cold-start.ts \`lambdaLikeEnv\`).`, '');
  report.push('| function | minified | gzip | fresh: module init | of which Node built-ins it loads | of which the bundle itself | CPU time | Lambda shape: module init | CPU time |', '|---|---|---|---|---|---|---|---|---|');
  const mp = (x: { median: number; p90: number }): string => `${r1(x.median)} / ${r1(x.p90)} ms`;
  for (const [k, v] of Object.entries(init)) report.push(`| ${k} | ${(v.bytes / 1024).toFixed(1)} KiB | ${(v.gzipBytes / 1024).toFixed(1)} KiB | ${mp(v.total)} | ${mp(v.builtins)} | ${mp(v.own)} | ${mp(v.cpu)} | ${mp(v.lambda.total)} | ${mp(v.lambda.cpu)} |`);
  report.push('', `**Node alone**, Lambda shape, ${HAS_TASKSET ? 'on one core' : 'unpinned'}: loading the built-ins chat-completions loads, until the thread node:tls starts to parse Node's bundled root certificates has finished (cold-start.ts \`nodeFloor\`): ${mp(floor.wall)} wall; that thread alone ${mp(floor.certThread)} of CPU; the process ${mp(floor.cpu)} of CPU. On one core this is the part of a Lambda init (or of its first request, where the thread's work spills over) that no bundle can remove while it makes TLS connections.`);
  report.push('', `### The lean SigV4 client against the AWS SDK v3 clients (DynamoDB + KMS; ${INIT_RUNS} fresh processes each, interleaved)`, '');
  report.push('| client | minified | module init median | p90 |', '|---|---|---|---|');
  for (const c of awsClients) report.push(`| ${c.variant} | ${c.bytes === null ? '– (not bundled)' : `${(c.bytes / 1024).toFixed(1)} KiB`} | ${r1(c.initMedianMs)} ms | ${r1(c.initP90Ms)} ms |`);
  report.push('', '## Memory (RSS of the local runtime process)', '');
  report.push('| open streams | RSS MiB | per stream KiB |', '|---|---|---|');
  const base = memory[0]?.rssMiB ?? 0;
  for (const m of memory) report.push(`| ${m.streams} | ${m.rssMiB.toFixed(1)} | ${m.streams ? (((m.rssMiB - base) * 1024) / m.streams).toFixed(1) : '–'} |`);
  report.push('', `## Memory after overload (RSS of the EzyBus process)`, '');
  report.push(`Open loop at ${overload.rate}/s (1.5 × its saturation rate) for ${overload.seconds} s: ${overload.sent} requests, ${overload.errors} errors, ${overload.shed} shed by the client (at most ${overload.maxInFlight} waiting at once), p50 ${r1(overload.p50)} ms (queueing).`, '');
  report.push('| before | peak during | after the queue drained | ' + `${overload.settleSeconds} s later |`, '|---|---|---|---|');
  report.push(`| ${overload.rssBefore.toFixed(1)} MiB | ${overload.rssPeak.toFixed(1)} MiB | ${overload.rssDrained.toFixed(1)} MiB | ${overload.rssLater.toFixed(1)} MiB |`);
  const mib = (b: number | undefined): string => (b === undefined ? '–' : `${(b / 1048576).toFixed(1)} MiB`);
  const h = overload.heap;
  if (h.before && h.drained && h.later) {
    report.push('', 'The same process\'s own `process.memoryUsage()` at those points (no peak: the stats read waits behind the queue):', '');
    report.push('| | before | after the queue drained | ' + `${overload.settleSeconds} s later |`, '|---|---|---|---|');
    for (const k of ['heapUsed', 'heapTotal', 'external', 'arrayBuffers'] as const) report.push(`| V8 ${k} | ${mib(h.before[k])} | ${mib(h.drained[k])} | ${mib(h.later[k])} |`);
    report.push('', 'Live JavaScript objects are `heapUsed`; what RSS keeps beyond `heapTotal` + `external` is memory the allocators hold on to after the peak, not objects the gateway still references.');
  }
  report.push('', '## Ledger', '');
  report.push(`- One usage record through the ledger's exactly-once path alone (claim, intent, totals, done: what the ledger writer does per batch, here for a batch of one; dynalite on this machine): p50 ${r1(pct(ledgerTimes, 50))} ms, p99 ${r1(pct(ledgerTimes, 99))} ms — off the request path: in AWS the ledger-writer Lambda runs it on batches of up to 1,000 records (docs/pricing.md), so it is in neither the client's latency nor the gateway's billed duration.`);
  report.push(`- A stream with the store held (every DynamoDB call queued): ${between.chunks} chunks arrived whole, inter-chunk gap p99 ${r1(between.gapP99Ms)} ms (the simulator sends every 50 ms) — no store call is awaited between chunks. Queued while held: reads ${between.readsWhileHeld} (stale-cache refreshes, which run beside a request) and writes ${between.writesWhileHeld} (the gateway writes no usage record: it is in the request's log line, which the local ledger writer batches). After release: ${ledgerOps} (${ledgerAfter} calls in all).`);
  report.push('', `## Cost model, Function URL mode (per million ${STREAM_SECONDS} s streams of ${chunks} chunks × ${STREAM_CHUNK_BYTES} B, ${MEMORY_MB} MB arm64, us-east-1 list prices; both modes side by side below)`, '');
  report.push('| item | USD |', '|---|---|');
  report.push(`| Lambda requests ($0.20 / M) | ${perMillion.lambdaRequests.toFixed(2)} |`);
  report.push(`| Lambda duration (${lambdaSeconds.toFixed(3)} s × ${gb} GB × $0.0000133334) | ${perMillion.lambdaDuration.toFixed(2)} |`);
  report.push(`| the usage ledger (≈ 3.1 WRU at volume, SQS, the writer's invocations: docs/pricing.md) | ${perMillion.ledger.toFixed(2)} |`);
  report.push(`| CloudWatch Logs ingestion (≈ 2.5 KB) | ${perMillion.cloudwatchLogs.toFixed(2)} |`);
  report.push(`| CloudFront HTTPS requests ($0.0100 per 10,000) | ${perMillion.cloudfrontRequests.toFixed(2)} |`);
  report.push(`| CloudFront data transfer out (${((chunks * STREAM_CHUNK_BYTES) / 1024).toFixed(0)} KiB per stream at $0.085 / GB) | ${perMillion.cloudfrontTransfer.toFixed(2)} |`);
  report.push(`| **total, pay-as-you-go** | **${costTotal.toFixed(2)}** |`);
  report.push(`| total with a CloudFront flat-rate plan at its allowance (Business: $200 / month for 125 M requests and 50 TB, in place of the two CloudFront rows; it needs a WAF web ACL the stack does not create) | ${flatRateTotal.toFixed(2)} |`);
  report.push('', `EzyBus's own work as a share of the billed duration: the wall time it adds (added p50 at ${midRate}/s, ${overheadMs.toFixed(1)} ms) is ${(share.addedWall * 100).toFixed(2)} %; its CPU per stream (${r1(cpuReq)} ms per request + ${chunks} chunks × ${r1(cpuChunk)} µs at 10 ms gaps = ${r1(cpuMsPerStream)} ms) at the ${Math.min(1, MEMORY_MB / 1769).toFixed(3)} vCPU this memory size gets is ${(share.cpuAtShare * 100).toFixed(2)} % (the stricter reading: that time overlaps the wait on the upstream, so it is billed only as far as it delays the end). Each Lambda invocation serves one stream, so the cost per request is the same at 1 or 1,000 concurrent streams; the memory table shows what a single local process holds per open stream. The CloudFront and ledger terms apply to both compute modes alike.`);
  report.push(...modes.report);
  // Every AWS charge per mode: the compute rows above plus the terms both modes share.
  const shared = perMillion.ledger + perMillion.cloudwatchLogs + perMillion.cloudfrontRequests + perMillion.cloudfrontTransfer;
  const modeRows = (modes.json as { rows?: Array<{ mode: string; workload: string; basis: string; total: number }> }).rows ?? [];
  const streamTotal = (mode: string, basis: string): number => (modeRows.find((r) => r.mode === mode && r.workload === 'stream' && r.basis === basis)?.total ?? NaN) + shared;
  report.push('', `Every AWS charge per million ${STREAM_SECONDS}-second streams (the compute rows above + the ledger, CloudWatch Logs and CloudFront pay-as-you-go, $${shared.toFixed(2)}): Function URLs at ${MEMORY_MB} MB $${streamTotal('function-urls', 'configured').toFixed(2)}; Web Functions $${streamTotal('web-functions', 'measured').toFixed(2)} (memory as measured) / $${streamTotal('web-functions', 'configured').toFixed(2)} (at ${MEMORY_MB} MB) — on the stand-in Web Functions rates named above.`);

  const dir = join(root, 'bench-results', SMOKE ? 'tmp' : `${started.toISOString().slice(0, 19).replace(/[:T]/g, '-')}-${commit}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'report.md'), report.join('\n') + '\n');
  writeFileSync(join(dir, 'results.json'), JSON.stringify(json, null, 2));
  const names = ['direct', ...systems.map((s) => s.name)];
  writeFileSync(
    join(dir, 'warm-latency.png'),
    barChart(
      `Warm latency at ${midRate}/s, ${PROFILES.at(-1)} ms upstream (ms)`,
      'ms',
      names.map((n) => ({ label: n, values: [at(n, midRate, PROFILES.at(-1) ?? 0)?.p50 ?? null, at(n, midRate, PROFILES.at(-1) ?? 0)?.p99 ?? null] })),
      ['p50', 'p99'],
    ),
  );
  writeFileSync(join(dir, 'streaming.png'), barChart(`Streaming, ${N} concurrent (ms)`, 'ms', streamRows.map((r) => ({ label: r.system, values: [r.ttfbP50, r.gapP99] })), ['TTFB p50', 'gap p99']));
  if (!SMOKE) writeFileSync(join(root, 'bench-results', 'latest.md'), report.join('\n') + `\n\nFiles: ${dir.slice(root.length)}\n`);
  process.stdout.write(report.join('\n') + '\n');
  log(`written to ${dir}`);
  // Past its saturation rate (offered 3–4 × what one process completes) a request can wait past
  // the client's patience: reported, not a failure. Below it, any error fails the run.
  const failed = warm.filter((w) => w.system === 'ezybus' && w.errors > 0);
  for (const w of failed) log(`EzyBus: ${w.errors}/${w.sent} errors at ${w.rate}/s, ${w.profileMs} ms upstream (${w.saturation} saturation)`);
  if (failed.some((w) => w.saturation !== 'past')) {
    log('EzyBus answered with errors below its saturation rate');
    process.exitCode = 1;
  }
}

/** The stream a row's added TTFB and gaps are measured against (the upstream protocol it reads). */
const STREAM_BASE: Record<string, string> = { 'ezybus translated': 'direct (anthropic)', 'ezybus responses': 'direct (responses)', 'ezybus responses translated': 'direct (anthropic)' };

function sampleRecord(): UsageRecord {
  return {
    requestId: 'x',
    lambdaRequestId: 'x',
    time: new Date().toISOString(),
    stage: 'local',
    fn: 'chat-completions',
    keyId: 'gk_bench_ledger',
    model: 'bench-gpt',
    clientProtocol: 'openai',
    provider: 'openai',
    upstreamId: 'bench-openai',
    upstreamModel: 'gpt-4.1-nano',
    upstreamKeyId: 'k1',
    stream: false,
    status: 200,
    errorType: null,
    attempts: [{ upstream: 'bench-openai', upstreamKeyId: 'k1', model: 'gpt-4.1-nano', outcome: 200, ms: 3 }],
    usage: { inputTokens: 12, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 16, reasoningTokens: 0, reasoningEstimated: false, estimated: false },
    costMicros: 8,
    priceSource: 'builtin',
    priceVersion: 'bench',
    ttfbMs: 3,
    durationMs: 4,
    upstreamMs: 3,
    overheadMs: 1,
    cutShort: null,
    notes: [],
  };
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    const cause = err instanceof Error && err.cause ? ` (cause: ${err.cause instanceof Error ? err.cause.message : String(err.cause)})` : '';
    process.stderr.write(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}${cause}\n`);
    process.exit(1);
  },
);
