/**
 * Cold start: each bundle's size and its module init in fresh Node processes — the same Node
 * major as Lambda's nodejs24.x — reported as the median and p90 of `runs` processes. Lambda's
 * runtime has its ESM loader running before it imports a handler, so each process warms the
 * loader with an empty module first. The Node built-ins a bundle imports are timed apart from
 * the bundle's own load and init (their cost is Node's, and differs by how they are imported).
 * Beside the wall time, each process reports the CPU time (user + system, all its threads) the
 * import took: on a shared machine it moves far less with the load than wall time does.
 *
 * Two process shapes are measured. "Fresh": a bare Node process with only its ESM loader warm.
 * "Lambda": the same, plus the built-ins that Lambda's runtime interface client has loaded by the
 * time it imports a handler — read from the RIC's own bundle (aws-lambda-ric on npm, the package
 * the managed Node.js runtimes run; packed into .bench/aws-lambda-ric on first use), whose
 * top-level `cjsRequire("node:…")` calls run before `UserFunctionLoader.load` imports the
 * handler (it builds its runtime-API client, an `http.Agent`, first). The bundle's share of a
 * Lambda init is the second figure; what the RIC loads is paid by every function alike.
 *
 * Run alone: `node --import tsx test/bench/cold-start.ts [--runs 20] [--names a,b] [--baseline DIR]`
 * (builds the bundles into dist/functions first; `--baseline DIR`: the same measurement of the
 * bundles in DIR — e.g. a copy of dist/functions made before a change — interleaved run by run).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface InitFigures {
  bytes: number;
  gzipBytes: number;
  /** Milliseconds; median and p90 over the runs. */
  total: { median: number; p90: number };
  builtins: { median: number; p90: number };
  own: { median: number; p90: number };
  /** CPU milliseconds of the whole import (built-ins and bundle). */
  cpu: { median: number; p90: number };
  /** The same import in a process that has loaded what Lambda's runtime loads first (`lambdaPreloads`). */
  lambda: { total: { median: number; p90: number }; cpu: { median: number; p90: number } };
}

export function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

export function summarise(xs: number[]): { median: number; p90: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), p90: quantile(s, 0.9) };
}

/** The RIC release whose loading order was read (aws-lambda-ric 4.0.2, index.mjs). */
export const RIC_PACKAGE = 'aws-lambda-ric@4.0.2';
/** Its top-level built-ins, in case the package cannot be fetched (read from 4.0.2's index.mjs). */
const RIC_FALLBACK = ['node:module', 'node:path', 'node:fs', 'node:net', 'node:http', 'node:os', 'node:util', 'node:worker_threads'];

/**
 * The built-ins Lambda's Node.js runtime interface client has loaded before it imports a handler,
 * and where that list came from. `root`/.bench/aws-lambda-ric holds the packed RIC; it is fetched
 * from npm when absent (no install scripts run: only its bundled JavaScript is read).
 */
export function lambdaPreloads(root: string): { modules: string[]; source: string } {
  const dir = join(root, '.bench/aws-lambda-ric');
  const file = join(dir, 'package/index.mjs');
  try {
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true });
      const tgz = execFileSync('npm', ['pack', RIC_PACKAGE, '--silent'], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 }).toString().trim().split('\n').pop() ?? '';
      execFileSync('tar', ['xzf', tgz], { cwd: dir, stdio: 'ignore' });
    }
    const text = readFileSync(file, 'utf8');
    // Its imports and cjsRequire calls at the start of a line are the module's top level.
    const found = [...text.matchAll(/^(?:import [^\n]* from "([a-z_:/]+)"|var [^\n]*= cjsRequire\("(node:[a-z_/]+)"\))/gm)].map((m) => (m[1] ?? m[2] ?? '').replace(/^(?!node:)/, 'node:'));
    const modules = [...new Set(found)].filter((m) => m !== 'node:');
    if (modules.includes('node:http')) return { modules, source: `${RIC_PACKAGE} (index.mjs, top level)` };
  } catch {
    // offline: the list read from the same release by hand
  }
  return { modules: RIC_FALLBACK, source: `${RIC_PACKAGE} (list kept in cold-start.ts; the package could not be read)` };
}

/** The node: built-ins a bundle loads at its top level: ESM imports and `process.getBuiltinModule` calls. */
export function builtinsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const esm = [...text.matchAll(/from\s*"(node:[a-z_/]+)"/g)].map((m) => m[1] as string);
  const cjs = [...text.matchAll(/getBuiltinModule\(\s*"(node:[a-z_/]+)"\s*\)/g)].map((m) => `cjs:${m[1] as string}`);
  return [...new Set([...esm, ...cjs])];
}

/**
 * The environment of a timed process: this one's, without NODE_EXTRA_CA_CERTS. This machine sets
 * it (to the system bundle, about 150 certificates), and Node then parses those certificates too
 * in the thread node:tls starts, on the core the import runs on; Lambda's Node.js 20 and later
 * runtimes leave it unset (AWS loads its own CA file only when a function sets
 * NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem). With it set, chat-completions' Lambda-shape
 * init read 34.3 ms here; without it, 21.4 ms (15 runs each, one core).
 */
export function lambdaLikeEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/**
 * One fresh process of `node`: ms to load `builtins` (an ESM import each, or `cjs:`-prefixed: through
 * process.getBuiltinModule, as the bundle loads them), then ms to import `file`, and the CPU ms of
 * both. `preload`: built-ins loaded, untimed, before either (what a host runtime already loaded).
 */
export function timeImport(node: string, file: string, builtins: string[] = [], preload: string[] = []): { builtins: number; own: number; cpu: number } {
  const out = execFileSync(
    node,
    [
      '--input-type=module',
      '-e',
      `globalThis.awslambda={streamifyResponse:(f)=>f,HttpResponseStream:{from:(s)=>s}};await import('data:text/javascript,export default 1');for(const b of ${JSON.stringify(preload)})process.getBuiltinModule(b);const c0=process.cpuUsage();const t0=performance.now();for(const b of ${JSON.stringify(builtins)}){if(b.startsWith('cjs:'))process.getBuiltinModule(b.slice(4));else await import(b);}const t1=performance.now();await import(${JSON.stringify(file)});const t2=performance.now();const c=process.cpuUsage(c0);process.stdout.write(JSON.stringify([t1-t0,t2-t1,(c.user+c.system)/1000]));`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: lambdaLikeEnv() },
  ).toString();
  const [b, o, cpu] = JSON.parse(out) as [number, number, number];
  return { builtins: b, own: o, cpu };
}

/**
 * What Node itself costs before any EzyBus code runs: one fresh process per run loads `preload`
 * untimed (what the host runtime already loaded), then the built-ins `builtins` (as the bundle
 * loads them) and waits, sleeping, until every thread they started has exited. Loading node:tls
 * starts one: Node parses its bundled root certificates off the main thread
 * (`node::crypto::StartLoadingCertificatesOffThread`, called at the top of lib/tls.js) so the
 * first TLS handshake finds them ready. On two cores it runs beside the import; on one core —
 * what a Lambda function below 1,769 MB has — its CPU lands in the init (or the first request)
 * whatever the bundle does. Wall ms until that thread is gone, its own CPU ms (its last
 * /proc/self/task/<tid>/schedstat reading), and the process's CPU ms; median and p90 of `runs`.
 */
export function nodeFloor(node: string, builtins: string[], preload: string[], runs: number): { wall: { median: number; p90: number }; certThread: { median: number; p90: number }; cpu: { median: number; p90: number } } {
  const script = `await import('data:text/javascript,export default 1');const {readdirSync,readFileSync}=process.getBuiltinModule('node:fs');for(const b of ${JSON.stringify(preload)})process.getBuiltinModule(b);const tasks=()=>new Set(readdirSync('/proc/self/task'));const before=tasks();const c0=process.cpuUsage();const t0=performance.now();for(const b of ${JSON.stringify(builtins)})process.getBuiltinModule(b.replace(/^cjs:/,''));const comm=(t)=>{try{return readFileSync('/proc/self/task/'+t+'/comm','utf8').trim()}catch{return 'gone'}};const fresh=[...tasks()].filter((t)=>!before.has(t)&&comm(t)!=='V8Worker');const sab=new Int32Array(new SharedArrayBuffer(4));let own=0;const alive=(t)=>{try{own=Math.max(own,Number(readFileSync('/proc/self/task/'+t+'/schedstat','utf8').split(' ')[0])/1e6);return true}catch{return false}};while(fresh.some(alive))Atomics.wait(sab,0,0,0.2);const t1=performance.now();const c=process.cpuUsage(c0);process.stdout.write(JSON.stringify([t1-t0,own,(c.user+c.system)/1000]));`;
  const wall: number[] = [];
  const thread: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const [w, t, c] = JSON.parse(execFileSync(node, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'], env: lambdaLikeEnv() }).toString()) as [number, number, number];
    wall.push(w);
    thread.push(t);
    cpu.push(c);
  }
  return { wall: summarise(wall), certThread: summarise(thread), cpu: summarise(cpu) };
}

/** Init figures for each bundle in `dist` (`<name>.mjs`), the bundles interleaved run by run. */
export function coldStart(node: string, dist: string, names: string[], runs: number, preload: string[] = []): Record<string, InitFigures> {
  return coldStarts(node, [dist], names, runs, preload)[0] ?? {};
}

type Sample = { builtins: number; own: number; cpu: number };

/** coldStart for several bundle directories at once, every directory's bundles interleaved run by run. */
export function coldStarts(node: string, dists: string[], names: string[], runs: number, preload: string[] = []): Array<Record<string, InitFigures>> {
  const files = dists.flatMap((dist) => names.map((name) => join(dist, `${name}.mjs`)));
  const fresh = new Map<string, Sample[]>(files.map((f) => [f, []]));
  const lambda = new Map<string, Sample[]>(files.map((f) => [f, []]));
  for (let i = 0; i < runs; i++) {
    for (const file of files) {
      fresh.get(file)?.push(timeImport(node, file, builtinsOf(file)));
      lambda.get(file)?.push(timeImport(node, file, builtinsOf(file), preload));
    }
  }
  return dists.map((dist) =>
    Object.fromEntries(
      names.map((name) => {
        const file = join(dist, `${name}.mjs`);
        const s = fresh.get(file) ?? [];
        const l = lambda.get(file) ?? [];
        const bytes = readFileSync(file);
        return [
          name,
          {
            bytes: bytes.length,
            gzipBytes: gzipSync(bytes).length,
            total: summarise(s.map((x) => x.builtins + x.own)),
            builtins: summarise(s.map((x) => x.builtins)),
            own: summarise(s.map((x) => x.own)),
            cpu: summarise(s.map((x) => x.cpu)),
            lambda: { total: summarise(l.map((x) => x.builtins + x.own)), cpu: summarise(l.map((x) => x.cpu)) },
          },
        ];
      }),
    ),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const opt = (f: string): string | undefined => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : undefined);
  const { bundle } = await import('../../scripts/build.js');
  const root = new URL('../../', import.meta.url).pathname;
  const dist = join(root, 'dist/functions');
  const sizes = await bundle(dist);
  const names = opt('--names')?.split(',') ?? Object.keys(sizes);
  const runs = Number(opt('--runs') ?? 20);
  const baseline = opt('--baseline');
  const dists = baseline ? [dist, baseline] : [dist];
  const load0 = loadavg()[0] ?? NaN;
  const pre = lambdaPreloads(root);
  const results = coldStarts(process.execPath, dists, names, runs, pre.modules);
  const f = (x: { median: number; p90: number }): string => `${x.median.toFixed(1)} / ${x.p90.toFixed(1)}`;
  console.log(`module init, ${runs} fresh Node ${process.version} processes per bundle and shape, interleaved; load average ${load0.toFixed(1)} → ${(loadavg()[0] ?? NaN).toFixed(1)}`);
  console.log(`"Lambda" shape: ${pre.modules.join(', ')} loaded first, as ${pre.source} loads them before the handler`);
  console.log('bundles | function | KiB | fresh: wall total median / p90 ms | built-ins | bundle | CPU | Lambda shape: wall total | CPU');
  results.forEach((r, i) => {
    for (const [name, v] of Object.entries(r)) console.log(`${dists[i]} | ${name} | ${(v.bytes / 1024).toFixed(1)} | ${f(v.total)} | ${f(v.builtins)} | ${f(v.own)} | ${f(v.cpu)} | ${f(v.lambda.total)} | ${f(v.lambda.cpu)}`);
  });
  const floor = nodeFloor(process.execPath, builtinsOf(join(dist, `${names[0] ?? 'messages'}.mjs`)), pre.modules, runs);
  console.log(`Node alone, Lambda shape (${names[0] ?? 'messages'}'s built-ins, until Node's root-certificate thread exits): wall ${f(floor.wall)} ms, that thread's CPU ${f(floor.certThread)} ms, process CPU ${f(floor.cpu)} ms`);
}
