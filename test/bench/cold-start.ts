/**
 * Cold start: each bundle's size and its module init in fresh Node processes — the same Node
 * major as Lambda's nodejs24.x — reported as the median and p90 of `runs` processes. Lambda's
 * runtime has its ESM loader running before it imports a handler, so each process warms the
 * loader with an empty module first. The Node built-ins a bundle imports are timed apart from
 * the bundle's own load and init (their cost is Node's, and differs by how they are imported).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface InitFigures {
  bytes: number;
  gzipBytes: number;
  /** Milliseconds; median and p90 over the runs. */
  total: { median: number; p90: number };
  builtins: { median: number; p90: number };
  own: { median: number; p90: number };
}

export function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

export function summarise(xs: number[]): { median: number; p90: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), p90: quantile(s, 0.9) };
}

/** One fresh process of `node`: ms to import `builtins`, then ms to import `file`. */
export function timeImport(node: string, file: string, builtins: string[] = []): { builtins: number; own: number } {
  const out = execFileSync(
    node,
    [
      '--input-type=module',
      '-e',
      `globalThis.awslambda={streamifyResponse:(f)=>f,HttpResponseStream:{from:(s)=>s}};await import('data:text/javascript,export default 1');const t0=performance.now();for(const b of ${JSON.stringify(builtins)})await import(b);const t1=performance.now();await import(${JSON.stringify(file)});process.stdout.write(JSON.stringify([t1-t0,performance.now()-t1]));`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  ).toString();
  const [b, o] = JSON.parse(out) as [number, number];
  return { builtins: b, own: o };
}

/** Init figures for each bundle in `dist` (`<name>.mjs`), the bundles interleaved run by run. */
export function coldStart(node: string, dist: string, names: string[], runs: number): Record<string, InitFigures> {
  const builtinsOf = (file: string): string[] => [...new Set([...readFileSync(file, 'utf8').matchAll(/from\s*"(node:[a-z_/]+)"/g)].map((m) => m[1] as string))];
  const samples = new Map<string, Array<{ builtins: number; own: number }>>(names.map((n) => [n, []]));
  for (let i = 0; i < runs; i++) {
    for (const name of names) {
      const file = join(dist, `${name}.mjs`);
      samples.get(name)?.push(timeImport(node, file, builtinsOf(file)));
    }
  }
  return Object.fromEntries(
    names.map((name) => {
      const file = join(dist, `${name}.mjs`);
      const s = samples.get(name) ?? [];
      const bytes = readFileSync(file);
      return [name, { bytes: bytes.length, gzipBytes: gzipSync(bytes).length, total: summarise(s.map((x) => x.builtins + x.own)), builtins: summarise(s.map((x) => x.builtins)), own: summarise(s.map((x) => x.own)) }];
    }),
  );
}
