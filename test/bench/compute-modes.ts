/**
 * The two compute modes side by side: the same esbuild bundles served by the local Function URL
 * runtime (one request per execution environment in Lambda) and by the Web Functions edge (one
 * Node server, many requests per environment), each alone on the measuring core. Measured per
 * mode: server CPU per short non-stream request, CPU per streamed chunk, resident memory idle
 * (the environment's floor) and per open stream. From those and AWS's rates, the cost of one
 * million 8-second streams and one million short non-stream requests in each mode.
 *
 * Run on its own (`npm run bench -- --compute-modes`, about two minutes) or as part of the full
 * benchmark, which appends its section to the report.
 */
import { join } from 'node:path';
import { holdStream, send, stream, type Target } from './loadgen.js';
import { GATEWAY_MODES } from './modes.js';
import { quiescer, sleep, storeStats } from './quiesce.js';
import { cpuSeconds, rssMiB, startProc, type Proc } from './procs.js';
import { costModels, environmentGb, ratio, RATES, type CostInputs, type CostRow, type ModeFigures } from './cost-model.js';

export interface ComputeModesContext {
  root: string;
  node: string;
  /** dist/functions with the bundles built. */
  dist: string;
  storeUrl: string;
  keyring: string;
  key: string;
  /** A route to the simulator (OpenAI protocol). */
  model: string;
  smoke: boolean;
  log(s: string): void;
  /** Waits until a server has finished a phase's trailing work (quiesce.ts). */
  quiesce(p: Proc): Promise<void>;
}

async function measure(ctx: ComputeModesContext, mode: ModeFigures['mode']): Promise<ModeFigures> {
  const p = await GATEWAY_MODES[mode === 'web-functions' ? 'web-functions' : 'function-url']!.start({ root: ctx.root, node: ctx.node, dist: ctx.dist, storeUrl: ctx.storeUrl, keyring: ctx.keyring, cpu: 1 });
  try {
    const t: Target = { url: p.url, path: '/v1/chat/completions', headers: { authorization: `Bearer ${ctx.key}` } };
    const body = (scenario: string, streamed: boolean): string =>
      JSON.stringify({ model: ctx.model, messages: [{ role: 'user', content: `Say hello [[sim:${scenario}]]` }], ...(streamed ? { stream: true } : {}) });
    const N = ctx.smoke ? 50 : 400;
    const batch = async (n: number, one: () => Promise<unknown>): Promise<number> => {
      await ctx.quiesce(p);
      const c0 = cpuSeconds(p.pid);
      for (let i = 0; i < n; i += 10) await Promise.all(Array.from({ length: Math.min(10, n - i) }, one));
      await ctx.quiesce(p);
      return cpuSeconds(p.pid) - c0;
    };
    await batch(20, () => send(t, body('tokens=4', false))); // warm caches and connections
    const cpuMsPerRequest = ((await batch(N, () => send(t, body('tokens=4', false)))) / N) * 1000;
    const K = ctx.smoke ? 10 : 60;
    const LONG = ctx.smoke ? 200 : 1000;
    const short = await batch(K, () => stream(t, body('tokens=1', true)));
    const long = await batch(K, () => stream(t, body(`tokens=${LONG}`, true)));
    const cpuMicrosPerChunk = ((long - short) / (K * (LONG - 1))) * 1e6;
    await ctx.quiesce(p);
    const idleRssMiB = rssMiB(p.pid);
    const open = ctx.smoke ? 50 : 500;
    const holdMs = 8000;
    const held = Array.from({ length: open }, () => holdStream(t, body(`tokens=4&hold_after=1&hold_ms=${holdMs}`, true)));
    await Promise.race([Promise.all(held.map((h) => h.opened)), sleep(holdMs - 1000)]);
    const kibPerOpenStream = ((rssMiB(p.pid) - idleRssMiB) * 1024) / open;
    for (const h of held) h.close();
    await sleep(holdMs + 500);
    const f = { mode, cpuMsPerRequest, cpuMicrosPerChunk, idleRssMiB, kibPerOpenStream };
    ctx.log(`${mode}: cpu/request ${cpuMsPerRequest.toFixed(2)} ms, cpu/chunk ${cpuMicrosPerChunk.toFixed(1)} µs, idle RSS ${idleRssMiB.toFixed(1)} MiB, ${kibPerOpenStream.toFixed(1)} KiB per open stream`);
    return f;
  } finally {
    await p.stop();
  }
}

export async function measureComputeModes(ctx: ComputeModesContext, inputs: CostInputs): Promise<{ json: unknown; report: string[] }> {
  const figures = {
    'function-urls': await measure(ctx, 'function-urls'),
    'web-functions': await measure(ctx, 'web-functions'),
  };
  const rows = costModels(figures, inputs);
  const $ = (n: number): string => `$${n < 1 ? n.toFixed(3) : n.toFixed(2)}`;
  const envMiB = environmentGb(figures['web-functions'], inputs.concurrency) * 1024;
  const label = (r: CostRow): string => (r.mode === 'function-urls' ? `Function URLs (${inputs.memoryMb} MB)` : r.basis === 'configured' ? `Web Functions, memory billed at ${inputs.memoryMb} MB` : `Web Functions, memory billed as measured (${envMiB.toFixed(0)} MiB)`);
  const report = [
    '',
    `## Compute modes (Function URLs vs Web Functions), per million requests`,
    '',
    '| measured (same bundles, same core) | Function URLs | Web Functions |',
    '|---|---|---|',
    `| server CPU per short non-stream request | ${figures['function-urls'].cpuMsPerRequest.toFixed(2)} ms | ${figures['web-functions'].cpuMsPerRequest.toFixed(2)} ms |`,
    `| CPU per streamed chunk | ${figures['function-urls'].cpuMicrosPerChunk.toFixed(1)} µs | ${figures['web-functions'].cpuMicrosPerChunk.toFixed(1)} µs |`,
    `| process RSS idle (an environment's floor) | ${figures['function-urls'].idleRssMiB.toFixed(1)} MiB | ${figures['web-functions'].idleRssMiB.toFixed(1)} MiB |`,
    `| RSS per open stream | ${figures['function-urls'].kibPerOpenStream.toFixed(1)} KiB | ${figures['web-functions'].kibPerOpenStream.toFixed(1)} KiB |`,
    `| environment memory with ${inputs.concurrency} streams open | — (one request each, ${inputs.memoryMb} MB configured) | ${envMiB.toFixed(1)} MiB |`,
    '',
    `Workloads: ${inputs.streamSeconds}-second streams of ${inputs.chunksPerStream} chunks; short non-stream requests waiting ${inputs.shortSeconds} s on the upstream. Web Functions: ${inputs.concurrency} concurrent requests per environment, environments full. Rates (read ${RATES.read}): ${RATES.source} ${RATES.standIns}`,
    '',
    '| mode | workload | requests | compute (duration / active CPU) | environment memory | total |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${label(r)} | ${r.workload === 'stream' ? `${inputs.streamSeconds} s stream` : 'short request'} | ${$(r.requests)} | ${$(r.compute)} | ${$(r.memory)} | **${$(r.total)}** |`),
    '',
    `Per ${inputs.streamSeconds}-second stream, Web Functions cost ${ratio(rows, 'stream', 'configured').toFixed(0)}× less than Function URLs at the same memory size (${ratio(rows, 'stream', 'measured').toFixed(0)}× with memory billed as measured); per short request ${ratio(rows, 'short', 'configured').toFixed(1)}× (${ratio(rows, 'short', 'measured').toFixed(1)}×). DynamoDB, CloudWatch Logs and CloudFront are the same in both modes (the cost model above).`,
  ];
  return { json: { figures, inputs, environmentMiB: envMiB, rates: RATES, rows }, report };
}

/** `npm run bench:modes`: this section alone, on its own store and simulator. */
async function standalone(): Promise<void> {
  const { mkdtempSync, writeFileSync, mkdirSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { execFileSync } = await import('node:child_process');
  const { addUpstream, addUpstreamKey, createGatewayKey, setRoute } = await import('../../functions/shared/admin/ops.js');
  const { installConfig } = await import('../../local/gateway.js');
  const { ensureTables } = await import('../../functions/shared/store/tables.js');
  const { bundle } = await import('../../scripts/build.js');
  const root = new URL('../../', import.meta.url).pathname;
  const argv = process.argv.slice(2);
  const smoke = argv.includes('--smoke');
  const log = (s: string): void => void process.stderr.write(`[bench:modes] ${s}\n`);
  const dist = join(root, 'dist/functions');
  await bundle(dist);
  const store = await startProc('store', process.execPath, ['--import', 'tsx', join(root, 'test/bench/store-proc.ts')], { cpu: 0, nice: 10 });
  const sim = await startProc('simulator', process.execPath, ['--import', 'tsx', join(root, 'test/bench/sim-proc.ts')], { cpu: 0 });
  const keyring = join(mkdtempSync(join(tmpdir(), 'ezybus-bench-modes-')), 'master.key');
  installConfig({ AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', EZYBUS_STAGE: 'local', EZYBUS_DYNAMODB_ENDPOINT: store.url, EZYBUS_LOCAL_KEYRING: keyring });
  await ensureTables();
  await addUpstream('bench-openai', 'openai', sim.url);
  await addUpstreamKey('bench-openai', 'sim-bench-key', 'k1');
  await setRoute('bench-gpt', [{ upstream: 'bench-openai', model: 'gpt-4.1-nano' }]);
  const { key } = await createGatewayKey({ name: 'bench' });
  try {
    const quiesce = quiescer(storeStats(store.stats as string), log);
    const r = await measureComputeModes({ root, node: process.execPath, dist, storeUrl: store.url, keyring, key, model: 'bench-gpt', smoke, log, quiesce }, DEFAULT_INPUTS);
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
    const dir = join(root, 'bench-results', `compute-modes-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}-${commit}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'report.md'), [`# EzyBus compute modes, commit ${commit}${smoke ? ' (smoke: no figures to quote)' : ''}`, ...r.report, ''].join('\n'));
    writeFileSync(join(dir, 'results.json'), JSON.stringify(r.json, null, 2));
    process.stdout.write(`${r.report.join('\n')}\n\n(written to ${dir})\n`);
  } finally {
    await sim.stop();
    await store.stop();
  }
}

/** 8-second streams at 50 tokens/s (one chunk per token), 1-second short requests, 1 GB, 64 per environment. */
export const DEFAULT_INPUTS: CostInputs = { streamSeconds: 8, chunksPerStream: 400, shortSeconds: 1, memoryMb: 1024, concurrency: 64 };

if (import.meta.url === `file://${process.argv[1]}`) await standalone();
