/**
 * Cold start: each bundle's size and its module init in fresh Node processes — the same Node
 * major as Lambda's nodejs24.x — reported as the median and p90 of `runs` processes. Lambda's
 * runtime has its ESM loader running before it imports a handler, so each process warms the
 * loader with an empty module first. The Node built-ins a bundle imports are timed apart from
 * the bundle's own load and init (their cost is Node's, and differs by how they are imported).
 * Beside the wall time, each process reports the CPU time (user + system, all its threads) the
 * import took: on a shared machine it moves far less with the load than wall time does.
 *
 * Run alone: `node --import tsx test/bench/cold-start.ts [--runs 20] [--names a,b] [--baseline DIR]`
 * (builds the bundles into dist/functions first; `--baseline DIR`: the same measurement of the
 * bundles in DIR — e.g. a copy of dist/functions made before a change — interleaved run by run).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
}

export function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

export function summarise(xs: number[]): { median: number; p90: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), p90: quantile(s, 0.9) };
}

/** One fresh process of `node`: ms to import `builtins`, then ms to import `file`, and the CPU ms of both. */
export function timeImport(node: string, file: string, builtins: string[] = []): { builtins: number; own: number; cpu: number } {
  const out = execFileSync(
    node,
    [
      '--input-type=module',
      '-e',
      `globalThis.awslambda={streamifyResponse:(f)=>f,HttpResponseStream:{from:(s)=>s}};await import('data:text/javascript,export default 1');const c0=process.cpuUsage();const t0=performance.now();for(const b of ${JSON.stringify(builtins)})await import(b);const t1=performance.now();await import(${JSON.stringify(file)});const t2=performance.now();const c=process.cpuUsage(c0);process.stdout.write(JSON.stringify([t1-t0,t2-t1,(c.user+c.system)/1000]));`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  ).toString();
  const [b, o, cpu] = JSON.parse(out) as [number, number, number];
  return { builtins: b, own: o, cpu };
}

/** Init figures for each bundle in `dist` (`<name>.mjs`), the bundles interleaved run by run. */
export function coldStart(node: string, dist: string, names: string[], runs: number): Record<string, InitFigures> {
  return coldStarts(node, [dist], names, runs)[0] ?? {};
}

/** coldStart for several bundle directories at once, every directory's bundles interleaved run by run. */
export function coldStarts(node: string, dists: string[], names: string[], runs: number): Array<Record<string, InitFigures>> {
  const builtinsOf = (file: string): string[] => [...new Set([...readFileSync(file, 'utf8').matchAll(/from\s*"(node:[a-z_/]+)"/g)].map((m) => m[1] as string))];
  const files = dists.flatMap((dist) => names.map((name) => join(dist, `${name}.mjs`)));
  const samples = new Map<string, Array<{ builtins: number; own: number; cpu: number }>>(files.map((f) => [f, []]));
  for (let i = 0; i < runs; i++) {
    for (const file of files) samples.get(file)?.push(timeImport(node, file, builtinsOf(file)));
  }
  return dists.map((dist) =>
    Object.fromEntries(
      names.map((name) => {
        const file = join(dist, `${name}.mjs`);
        const s = samples.get(file) ?? [];
        const bytes = readFileSync(file);
        return [
          name,
          { bytes: bytes.length, gzipBytes: gzipSync(bytes).length, total: summarise(s.map((x) => x.builtins + x.own)), builtins: summarise(s.map((x) => x.builtins)), own: summarise(s.map((x) => x.own)), cpu: summarise(s.map((x) => x.cpu)) },
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
  const results = coldStarts(process.execPath, dists, names, runs);
  const f = (x: { median: number; p90: number }): string => `${x.median.toFixed(1)} / ${x.p90.toFixed(1)}`;
  console.log(`module init, ${runs} fresh Node ${process.version} processes per bundle, interleaved; load average ${load0.toFixed(1)} → ${(loadavg()[0] ?? NaN).toFixed(1)}`);
  console.log('bundles | function | KiB | wall total median / p90 ms | built-ins | bundle | CPU median / p90 ms');
  results.forEach((r, i) => {
    for (const [name, v] of Object.entries(r)) console.log(`${dists[i]} | ${name} | ${(v.bytes / 1024).toFixed(1)} | ${f(v.total)} | ${f(v.builtins)} | ${f(v.own)} | ${f(v.cpu)}`);
  });
}
