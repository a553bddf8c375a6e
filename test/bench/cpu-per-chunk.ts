/**
 * `node --import tsx test/bench/cpu-per-chunk.ts [--rounds N] [--gaps 0,10,50] [--only NAMES]
 * [--anthropic-client] [--profile DIR]` — only the "CPU per chunk" rows of `npm run bench`,
 * measured the same way (the server's CPU for K long streams minus K one-token streams, per
 * extra chunk, median of the rounds), for a machine too busy for the full run. Same bundles,
 * same simulator, same pinning, same stream shapes per gap as run.ts.
 * `--gaps`: milliseconds between upstream chunks (default 0,10; 0 is the burst row).
 * `--only`: a comma list of rows — proxy, floor (with `--runtime-floor`: the bare hop as a handler in the local Function URL runtime), ezybus, translated, responses (default all);
 * or a row's full name, e.g. `--only 'ezybus responses → chat completions'` (one row in a profile).
 * `--anthropic-client` adds the Claude Code direction (Messages client → Chat Completions upstream).
 * `--responses` measures only the Responses endpoint's rows (systems.ts: passed through,
 * translated to Anthropic, translated to Chat Completions) beside the Chat Completions rows they
 * compare with (`ezybus`, `ezybus translated`), in the same run.
 * `--baseline DIR`: a second gateway running the bundles in DIR (e.g. a copy of dist/functions
 * built before a change), measured interleaved with this tree's, round by round.
 * `--profile DIR`: the gateway runs with `--cpu-prof` and writes its V8 profile into DIR on exit;
 * with `--readable` the bundles are built unminified (into dist/functions-readable) so the profile names functions;
 * `--profile-interval US` samples more often than every 10 ms (a finer profile of a short run).
 * `--paired`: each round measures every row at the same time (their streams run together on the
 * servers' core) instead of one after another, so a moment's noise falls on all of them alike.
 * Two gateways on the same bundles read a steady difference that way (≈ 2–5 µs, the one started
 * first lower), so a before/after comparison runs twice with the roles swapped: `--dist A
 * --baseline B`, then `--dist B --baseline A` (`--dist DIR`: this tree's gateway runs the bundles
 * in DIR instead of building them).
 * `--mode web`: the gateways run behind the Web Functions edge (one Node server, as
 * `hot-path.ts --mode web`) instead of the local Function URL runtime.
 * `--server-nice N`: run the measured servers (bare proxy, gateways) at nice N (e.g. -5 on a busy
 * machine: a server woken late finds several chunks in one read, which lowers its CPU per chunk
 * at random and hides differences between rows).
 */
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { stealRecorder } from './steal.js';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createGatewayKey } from '../../functions/shared/admin/ops.js';
import { installConfig } from '../../local/gateway.js';
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
const optStr = (f: string): string | undefined => {
  const i = argv.indexOf(f);
  return i !== -1 ? argv[i + 1] : undefined;
};
const GAPS = (optStr('--gaps') ?? '0,10').split(',').map(Number);
const ONLY = optStr('--only')?.split(',');
const PROFILE = optStr('--profile');
const BASELINE = optStr('--baseline');
const PAIRED = argv.includes('--paired');
const SERVER_NICE = optStr('--server-nice') === undefined ? {} : { nice: Number(optStr('--server-nice')) };
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

const READABLE = argv.includes('--readable');
const dist = join(root, READABLE ? 'dist/functions-readable' : 'dist/functions');
const DIST = optStr('--dist');
if (!DIST) await bundle(dist, false, READABLE ? { minify: false } : {});
const work = mkdtempSync(join(tmpdir(), 'ezybus-cpu-'));
const store = await startProc('store', node, [...tsx, join(root, 'test/bench/store-proc.ts')], { cpu: 0, nice: 10 });
const quiesce = quiescer(storeStats(store.stats as string), log);
const keyring = join(work, 'master.key');
installConfig({ AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', EZYBUS_STAGE: 'local', EZYBUS_DYNAMODB_ENDPOINT: store.url, EZYBUS_LOCAL_KEYRING: keyring });
await ensureTables();
const sim = await startProc('simulator', node, [...tsx, join(root, 'test/bench/sim-proc.ts')], { cpu: 0 });
await benchRoutes(sim.url);
const { key } = await createGatewayKey({ name: 'bench' });
const proxy = await startProc('bare proxy', node, [join(root, 'test/bench/proxy-proc.ts')], { cpu: 1, ...SERVER_NICE, env: { BENCH_TARGET: sim.url } });
const startGateway = (bundles: string, name: string): Promise<Proc> =>
  startProc(name, node, [...tsx, join(root, 'test/bench/gateway-proc.ts')], {
    cpu: 1,
    ...SERVER_NICE,
    env: {
      BENCH_BUNDLES: bundles,
      BENCH_DYNAMO: store.url,
      BENCH_KEYRING: keyring,
      BENCH_ENV: JSON.stringify({ EZYBUS_LOG_LEVEL: 'info' }),
      ...(optStr('--mode') === 'web' ? { BENCH_MODE: 'web' } : {}),
      // A coarse sampling interval: at V8's default 1 ms the profiler alone keeps the process over
      // the quiescer's idle threshold, and every phase would wait out its 180 s bound.
      ...(PROFILE ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-interval=${optStr('--profile-interval') ?? '10000'} --cpu-prof-dir=${PROFILE}` } : {}),
    },
  });
const gatewayRows = (gw: Proc, suffix: string): Array<Row & { key: string }> => {
  const target: Target = { url: gw.url, path: '/v1/chat/completions', headers: { authorization: `Bearer ${key}` } };
  return [
    { key: 'ezybus', name: `ezybus${suffix}`, proc: gw, target, body: openaiBody('bench-gpt') },
    { key: 'translated', name: `ezybus translated${suffix}`, proc: gw, target, body: openaiBody('bench-claude') },
    ...(argv.includes('--anthropic-client')
      ? [{ key: 'translated', name: `ezybus translated (messages client → chat-completions upstream)${suffix}`, proc: gw, target: { url: gw.url, path: '/v1/messages', headers: { 'x-api-key': key } }, body: anthropicBody('bench-gpt') }]
      : []),
  ];
};
const gw = await startGateway(DIST ?? dist, 'ezybus');
// --baseline DIR: a second gateway on the same core running the bundles in DIR (say, built from
// main before a change), its rows interleaved with this tree's round by round.
const base = BASELINE ? await startGateway(BASELINE, 'ezybus baseline') : undefined;
// --runtime-floor: the bare hop as a streaming handler in the local Function URL runtime
// (scripts/hot-path-floor.ts: the upstream piped into the response stream), so what the Lambda
// stand-in costs per chunk is told apart from what EzyBus's own relay costs.
const floor = argv.includes('--runtime-floor') ? await startProc('runtime floor', node, [...tsx, join(root, 'scripts/hot-path-floor.ts')], { cpu: 1, ...SERVER_NICE, env: { BENCH_TARGET: sim.url } }) : undefined;
const allRows: Array<Row & { key: string }> = [
  { key: 'proxy', name: 'bare node proxy', proc: proxy, target: { url: proxy.url, path: '/v1/chat/completions', headers: { authorization: 'Bearer sim-bench-key' } }, body: openaiBody('gpt-4.1-nano') },
  ...(floor ? [{ key: 'floor', name: 'runtime floor', proc: floor, target: { url: floor.url, path: '/v1/chat/completions', headers: { authorization: 'Bearer sim-bench-key' } }, body: openaiBody('gpt-4.1-nano') }] : []),
  ...gatewayRows(gw, ''),
  ...(base ? gatewayRows(base, ' (baseline)') : []),
];
if (argv.includes('--responses')) {
  allRows.splice(0, 1); // the bare proxy: not what these rows compare with
  const gwTarget: Target = { url: gw.url, path: '/v1/chat/completions', headers: { authorization: `Bearer ${key}` } };
  allRows.push(...responsesSystems({ name: 'ezybus', proc: gw, target: gwTarget, body: openaiBody('bench-gpt') }).map((r) => ({ ...r, key: 'responses', body: (scenario: string) => r.body(scenario, true) })));
}
const rows = allRows.filter((r) => !ONLY || ONLY.includes(r.key) || ONLY.includes(r.name));
// A row's figure is its server's CPU: rows measured at the same time must not share a server.
if (PAIRED && new Set(rows.map((r) => r.proc)).size < rows.length) {
  log('--paired measures every row at once from its server\'s CPU, so each row needs its own server: pass one gateway row in --only (e.g. --only translated)');
  await Promise.all([proxy.stop(), gw.stop(), base?.stop(), floor?.stop(), sim.stop(), store.stop()]);
  process.exit(2);
}
const result: Record<string, { median: number; rounds: number[]; chunksPerStream: number; streams: number }> = {};
for (const gap of GAPS) {
  // As in run.ts: 0 ms — 2,000-chunk streams, ten at a time; gapped — 3-second streams, all 50 at once (they idle).
  const LONG = gap === 0 ? 2000 : Math.round(3000 / gap);
  const K = gap === 0 ? 100 : 50;
  const batch = gap === 0 ? 10 : K;
  const cost = async (s: Row, tokens: number): Promise<number> => {
    await quiesce(s.proc);
    const c0 = cpuSeconds(s.proc.pid);
    for (let i = 0; i < K; i += batch) {
      const got = await Promise.all(Array.from({ length: Math.min(batch, K - i) }, () => stream(s.target, s.body(`tokens=${tokens}&gap_ms=${gap}`))));
      if (got.some((g) => g.chunks === 0)) throw new Error(`${s.name}: a stream carried no text`);
    }
    await quiesce(s.proc);
    return cpuSeconds(s.proc.pid) - c0;
  };
  for (const s of rows) await cost(s, 1); // warm-up
  const rounds = new Map<string, number[]>(rows.map((s) => [s.name, []]));
  // Round by round, every row in turn: the machine's load drifts alike for all of them.
  /** One round's figure for a row: the long streams' CPU minus the one-chunk streams', per extra chunk. */
  // With the host's steal on the servers' core over the measurement (steal.ts): a round that
  // reads high under steal is the host's doing.
  const record = (s: Row, r: number, small: number, big: number, steal: number | undefined): void => {
    const us = ((big - small) / (K * (LONG - 1))) * 1e6;
    rounds.get(s.name)?.push(us);
    log(`${s.name} gap ${gap} ms: round ${r + 1}: ${us.toFixed(2)} µs/chunk (${PAIRED ? 'paired, ' : ''}load ${loadavg()[0]?.toFixed(1)}, steal ${steal === undefined ? '–' : `${steal.toFixed(1)} %`})`);
  };
  const measured = async <T>(f: () => Promise<T>): Promise<[T, number | undefined]> => {
    const st = stealRecorder();
    st.mark('round');
    const v = await f();
    return [v, st.end()[0]?.percent.cpu1];
  };
  for (let r = 0; r < ROUNDS; r++) {
    if (PAIRED) {
      // Every row at once: the machine's noise of that moment falls on all of them alike.
      const [[small, big], steal] = await measured(async () => [await Promise.all(rows.map((s) => cost(s, 1))), await Promise.all(rows.map((s) => cost(s, LONG)))] as const);
      rows.forEach((s, i) => record(s, r, small[i] as number, big[i] as number, steal));
    } else {
      for (const s of rows) {
        const [[small, big], steal] = await measured(async () => [await cost(s, 1), await cost(s, LONG)] as const);
        record(s, r, small, big, steal);
      }
    }
  }
  for (const s of rows) {
    const rs = (rounds.get(s.name) ?? []).sort((x, y) => x - y);
    result[`${s.name}, gap ${gap} ms`] = { median: rs[Math.floor(rs.length / 2)] as number, rounds: rs, chunksPerStream: LONG, streams: K };
  }
}
process.stdout.write(JSON.stringify({ loadavgAtEnd: loadavg(), result }, null, 2) + '\n');
await Promise.all([proxy.stop(), gw.stop(), base?.stop(), floor?.stop(), sim.stop(), store.stop()]);
