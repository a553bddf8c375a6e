/**
 * `oha` (github.com/hatoo/oha), a load generator nobody here wrote, for the headline rows beside
 * the in-house one: fixed-rate runs with its latency correction (latency from each request's
 * scheduled start, as loadgen.ts measures it) and closed-loop maximum throughput. Installed into
 * .bench/oha with `cargo install` when absent; the report says when it could not be.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Target } from './loadgen.js';

export interface OhaResult {
  requests: number;
  ok: number;
  /** Completed requests per second over the run. */
  rps: number;
  /** Milliseconds. */
  p50: number;
  p90: number;
  p99: number;
}

/** The oha binary, built into `<root>/.bench/oha` on first use; a reason string when that fails. */
export function ensureOha(root: string, log: (s: string) => void): string | { missing: string } {
  const bin = join(root, '.bench/oha/bin/oha');
  if (existsSync(bin)) return bin;
  if (spawnSync('cargo', ['--version'], { stdio: 'ignore' }).status !== 0) return { missing: 'oha: cargo not found (install Rust to build it)' };
  log('building oha with cargo into .bench/oha (several minutes, once)');
  mkdirSync(join(root, '.bench'), { recursive: true });
  const r = spawnSync('cargo', ['install', 'oha', '--locked', '--root', join(root, '.bench/oha')], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 1_800_000 });
  return existsSync(bin) ? bin : { missing: `oha: cargo install failed (exit ${r.status ?? 'timeout'})` };
}

/**
 * One oha run against `t` for `seconds`: at a fixed `rate` (latency-corrected) or, without one,
 * as fast as `connections` closed-loop connections go.
 */
export function runOha(bin: string, t: Target, body: string, opts: { seconds: number; rate?: number; connections: number }): OhaResult {
  const help = execFileSync(bin, ['--help']).toString();
  const json = help.includes('--output-format') ? ['--output-format', 'json'] : ['--json'];
  const args = [
    '--no-tui',
    ...json,
    // Let requests in flight at the deadline finish: an aborted request would leave the
    // gateway serving a client that is gone, and the next phase would start on a busy server.
    '-w',
    '-z',
    `${opts.seconds}s`,
    '-c',
    String(opts.connections),
    ...(opts.rate ? ['-q', String(opts.rate), '--latency-correction'] : []),
    '-m',
    'POST',
    '-H',
    'content-type: application/json',
    ...Object.entries(t.headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
    '-d',
    body,
    `${t.url}${t.path}`,
  ];
  const out = JSON.parse(execFileSync(bin, args, { maxBuffer: 64 * 1024 * 1024 }).toString()) as {
    summary: { requestsPerSec: number; total?: number };
    latencyPercentiles: Record<string, number | null>;
    statusCodeDistribution: Record<string, number>;
  };
  const codes = out.statusCodeDistribution ?? {};
  const requests = Object.values(codes).reduce((a, b) => a + b, 0);
  const ms = (k: string): number => (out.latencyPercentiles[k] ?? NaN) * 1000;
  return { requests, ok: codes['200'] ?? 0, rps: out.summary.requestsPerSec, p50: ms('p50'), p90: ms('p90'), p99: ms('p99') };
}
