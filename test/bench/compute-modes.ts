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

export interface ModeFigures {
  mode: 'function-urls' | 'web-functions';
  cpuMsPerRequest: number;
  cpuMicrosPerChunk: number;
  idleRssMiB: number;
  kibPerOpenStream: number;
}

/**
 * AWS rates, us-east-1, arm64, read 2026-12-01. Function URL mode: aws.amazon.com/lambda/pricing
 * (requests $0.20 per million, duration $0.0000133334 per GB-second on Arm). Web Functions bill
 * requests, active CPU time, memory over each environment's life and data transfer (AWS Lambda
 * docs, "AWS Lambda Web Functions"); their per-unit rates were not in any source reachable from
 * this machine, so the CPU and memory rates below are Lambda's MicroVM Arm rates from the AWS
 * Price List API (Lambda-MicroVM-vCPU-Second-ARM, Lambda-MicroVM-Memory-GB-Second-ARM, as
 * published 2026-08-07) standing in, and requests at Lambda's $0.20 per million. Replace them
 * with the Web Functions rates when they can be read; the model is linear in each.
 */
export const RATES = {
  requestPerMillion: 0.2,
  lambdaGbSecond: 0.0000133334,
  webVcpuSecond: 0.0000276944,
  webGbSecond: 0.0000036667,
  source: 'aws.amazon.com/lambda/pricing (Function URL mode); Web Functions: MicroVM Arm rates as stand-ins (see compute-modes.ts)',
  read: '2026-12-01',
} as const;

export interface CostInputs {
  streamSeconds: number;
  /** Chunks in one stream (tokens at the stream's pace). */
  chunksPerStream: number;
  /** How long a short non-stream request waits on its upstream. */
  shortSeconds: number;
  memoryMb: number;
  /** Concurrent requests an environment holds in Web Functions mode. */
  concurrency: number;
}

export interface CostRow {
  mode: ModeFigures['mode'];
  workload: 'stream' | 'short';
  requests: number;
  compute: number;
  memory: number;
  total: number;
}

/**
 * Per million requests. Function URL mode bills each request's whole duration at the
 * function's memory. Web Functions mode bills the CPU actually used, and the environment's
 * memory for the time the request occupies one of its `concurrency` slots.
 */
export function costModels(f: Record<ModeFigures['mode'], ModeFigures>, c: CostInputs): CostRow[] {
  const gb = c.memoryMb / 1024;
  const rows: CostRow[] = [];
  for (const workload of ['stream', 'short'] as const) {
    const wall = workload === 'stream' ? c.streamSeconds : c.shortSeconds;
    const chunks = workload === 'stream' ? c.chunksPerStream : 0;
    const furl = f['function-urls'];
    const furlSeconds = wall + (furl.cpuMsPerRequest + (chunks * furl.cpuMicrosPerChunk) / 1000) / 1000;
    const furlCompute = 1e6 * furlSeconds * gb * RATES.lambdaGbSecond;
    rows.push({ mode: 'function-urls', workload, requests: RATES.requestPerMillion, compute: furlCompute, memory: 0, total: RATES.requestPerMillion + furlCompute });
    const web = f['web-functions'];
    const cpuSeconds = (web.cpuMsPerRequest + (chunks * web.cpuMicrosPerChunk) / 1000) / 1000;
    const webCompute = 1e6 * cpuSeconds * RATES.webVcpuSecond;
    const webMemory = 1e6 * (wall / c.concurrency) * gb * RATES.webGbSecond;
    rows.push({ mode: 'web-functions', workload, requests: RATES.requestPerMillion, compute: webCompute, memory: webMemory, total: RATES.requestPerMillion + webCompute + webMemory });
  }
  return rows;
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
  const total = (mode: CostRow['mode'], w: CostRow['workload']): number => rows.find((r) => r.mode === mode && r.workload === w)?.total ?? NaN;
  const report = [
    '',
    `## Compute modes (Function URLs vs Web Functions), per million requests, ${inputs.memoryMb} MB`,
    '',
    '| measured (same bundles, same core) | Function URLs | Web Functions |',
    '|---|---|---|',
    `| server CPU per short non-stream request | ${figures['function-urls'].cpuMsPerRequest.toFixed(2)} ms | ${figures['web-functions'].cpuMsPerRequest.toFixed(2)} ms |`,
    `| CPU per streamed chunk | ${figures['function-urls'].cpuMicrosPerChunk.toFixed(1)} µs | ${figures['web-functions'].cpuMicrosPerChunk.toFixed(1)} µs |`,
    `| process RSS idle (an environment's floor) | ${figures['function-urls'].idleRssMiB.toFixed(1)} MiB | ${figures['web-functions'].idleRssMiB.toFixed(1)} MiB |`,
    `| RSS per open stream | ${figures['function-urls'].kibPerOpenStream.toFixed(1)} KiB | ${figures['web-functions'].kibPerOpenStream.toFixed(1)} KiB |`,
    '',
    `Workloads: ${inputs.streamSeconds}-second streams of ${inputs.chunksPerStream} chunks; short non-stream requests waiting ${inputs.shortSeconds} s on the upstream. Web Functions: ${inputs.concurrency} concurrent requests per environment. Rates (${RATES.read}): ${RATES.source}.`,
    '',
    '| mode | workload | requests | compute | memory | total |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.mode} | ${r.workload === 'stream' ? `${inputs.streamSeconds} s stream` : 'short request'} | ${$(r.requests)} | ${$(r.compute)} | ${$(r.memory)} | **${$(r.total)}** |`),
    '',
    `Per 8-second stream, Web Functions cost ${(total('function-urls', 'stream') / total('web-functions', 'stream')).toFixed(0)}× less than Function URLs at the same memory; per short request ${(total('function-urls', 'short') / total('web-functions', 'short')).toFixed(1)}× less. DynamoDB, CloudWatch Logs and CloudFront are the same in both modes (see the cost model above).`,
  ];
  return { json: { figures, inputs, rates: RATES, rows }, report };
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
