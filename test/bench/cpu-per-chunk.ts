/**
 * `node --import tsx test/bench/cpu-per-chunk.ts [--rounds N] [--anthropic-client]` — only the
 * "CPU per chunk" rows of `npm run bench`, measured the same way (the server's CPU for K long
 * streams minus K one-token streams, per extra chunk, median of the rounds), for a machine too
 * busy for the full ~25-minute run. Same bundles, same simulator, same pinning.
 * `--anthropic-client` adds the Claude Code direction (Messages client → Chat Completions upstream).
 * `--responses` measures only the Responses endpoint's rows (systems.ts: passed through,
 * translated to Anthropic, translated to Chat Completions) beside the Chat Completions rows they
 * compare with (`ezybus`, `ezybus translated`), in the same run.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createGatewayKey } from '../../functions/shared/admin/ops.js';
import { configureProcess } from '../../local/gateway.js';
import { ensureTables } from '../../functions/shared/store/tables.js';
import { bundle } from '../../scripts/build.js';
import { stream, type Target } from './loadgen.js';
import { benchRoutes } from './setup.js';
import { responsesSystems } from './systems.js';
import { cpuSeconds, HAS_TASKSET, startProc, type Proc } from './procs.js';
import { quiescer, storeStats } from './quiesce.js';

const root = new URL('../../', import.meta.url).pathname;
const argv = process.argv.slice(2);
const roundsArg = argv.indexOf('--rounds');
const ROUNDS = roundsArg !== -1 ? Number(argv[roundsArg + 1]) : 3;
const node = process.execPath;
const tsx = ['--import', 'tsx'];
const log = (s: string): void => void process.stderr.write(`[cpu-per-chunk] ${s}\n`);
if (HAS_TASKSET) spawnSync('taskset', ['-cp', '0', String(process.pid)], { stdio: 'ignore' });

interface Row {
  name: string;
  proc: Proc;
  target: Target;
  body(scenario: string): string;
}

const openaiBody = (model: string) => (scenario: string): string => JSON.stringify({ model, messages: [{ role: 'user', content: `Say hello [[sim:${scenario}]]` }], stream: true });
const anthropicBody = (model: string) => (scenario: string): string =>
  JSON.stringify({ model, max_tokens: 4096, messages: [{ role: 'user', content: `Say hello [[sim:${scenario}]]` }], stream: true });

const dist = join(root, 'dist/functions');
await bundle(dist);
const work = mkdtempSync(join(tmpdir(), 'ezybus-cpu-'));
const store = await startProc('store', node, [...tsx, join(root, 'test/bench/store-proc.ts')], { cpu: 0, nice: 10 });
const quiesce = quiescer(storeStats(store.stats as string), log);
const keyring = join(work, 'master.key');
configureProcess({ AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', EZYBUS_STAGE: 'local', EZYBUS_DYNAMODB_ENDPOINT: store.url, EZYBUS_LOCAL_KEYRING: keyring });
await ensureTables();
const sim = await startProc('simulator', node, [...tsx, join(root, 'test/bench/sim-proc.ts')], { cpu: 0 });
await benchRoutes(sim.url);
const { key } = await createGatewayKey({ name: 'bench' });
const proxy = await startProc('bare proxy', node, [join(root, 'test/bench/proxy-proc.ts')], { cpu: 1, env: { BENCH_TARGET: sim.url } });
const gw = await startProc('ezybus', node, [...tsx, join(root, 'test/bench/gateway-proc.ts')], {
  cpu: 1,
  env: { BENCH_BUNDLES: dist, BENCH_DYNAMO: store.url, BENCH_KEYRING: keyring, BENCH_ENV: JSON.stringify({ EZYBUS_LOG_LEVEL: 'info' }) },
});
const gwTarget: Target = { url: gw.url, path: '/v1/chat/completions', headers: { authorization: `Bearer ${key}` } };
const rows: Row[] = [
  { name: 'bare node proxy', proc: proxy, target: { url: proxy.url, path: '/v1/chat/completions', headers: { authorization: 'Bearer sim-bench-key' } }, body: openaiBody('gpt-4.1-nano') },
  { name: 'ezybus', proc: gw, target: gwTarget, body: openaiBody('bench-gpt') },
  { name: 'ezybus translated', proc: gw, target: gwTarget, body: openaiBody('bench-claude') },
];
if (argv.includes('--responses')) {
  rows.splice(0, 1); // the bare proxy: not what these rows compare with
  rows.push(...responsesSystems({ name: 'ezybus', proc: gw, target: gwTarget, body: openaiBody('bench-gpt') }).map((r) => ({ ...r, body: (scenario: string) => r.body(scenario, true) })));
}
if (argv.includes('--anthropic-client')) {
  rows.push({ name: 'ezybus translated (messages client → chat-completions upstream)', proc: gw, target: { url: gw.url, path: '/v1/messages', headers: { 'x-api-key': key } }, body: anthropicBody('bench-gpt') });
}
const K = 100;
const LONG = 2000;
const result: Record<string, { median: number; rounds: number[] }> = {};
for (const s of rows) {
  const cost = async (tokens: number): Promise<number> => {
    await quiesce(s.proc);
    const c0 = cpuSeconds(s.proc.pid);
    for (let i = 0; i < K; i += 10) {
      const got = await Promise.all(Array.from({ length: Math.min(10, K - i) }, () => stream(s.target, s.body(`tokens=${tokens}`))));
      if (got.some((g) => g.chunks === 0)) throw new Error(`${s.name}: a stream carried no text`);
    }
    await quiesce(s.proc);
    return cpuSeconds(s.proc.pid) - c0;
  };
  await cost(1);
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const small = await cost(1);
    const big = await cost(LONG);
    rounds.push(((big - small) / (K * (LONG - 1))) * 1e6);
    log(`${s.name}: round ${r + 1}: ${rounds[rounds.length - 1]?.toFixed(2)} µs/chunk`);
  }
  rounds.sort((a, b) => a - b);
  result[s.name] = { median: rounds[Math.floor(rounds.length / 2)] as number, rounds };
}
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
await Promise.all([proxy.stop(), gw.stop(), sim.stop(), store.stop()]);
