/**
 * How EzyBus runs as the server under test. One entry per compute mode of a stage; each starts
 * the gateway in its own process on the given core, on the benchmark's store and keyring, and
 * reports its URL (and, where it can, its running invocations for quiescing). Adding a mode is
 * one entry here; `npm run bench -- --mode NAME` picks it, and compute-modes.ts runs both.
 */
import { join } from 'node:path';
import { startProc, type Proc } from './procs.js';

export interface ModeContext {
  root: string;
  node: string;
  /** The esbuild bundles (what Lambda runs). */
  dist: string;
  storeUrl: string;
  keyring: string;
  cpu: number;
}

export const GATEWAY_MODES: Record<string, { describe: string; start(ctx: ModeContext): Promise<Proc> }> = {
  'function-url': {
    describe: 'one Lambda function per endpoint behind a Function URL (response streaming): the esbuild bundles in the local Function URL runtime',
    start: (ctx) =>
      startProc('ezybus', ctx.node, ['--import', 'tsx', join(ctx.root, 'test/bench/gateway-proc.ts')], {
        cpu: ctx.cpu,
        env: { BENCH_BUNDLES: ctx.dist, BENCH_DYNAMO: ctx.storeUrl, BENCH_KEYRING: ctx.keyring, BENCH_ENV: JSON.stringify({ EZYBUS_LOG_LEVEL: 'info' }) },
      }),
  },
  'web-functions': {
    describe: 'one Lambda Web Function serving every endpoint, many requests per environment: the same esbuild bundles behind the Web Functions edge (functions/shared/runtime/web-server.ts)',
    start: (ctx) =>
      startProc('ezybus', ctx.node, ['--import', 'tsx', join(ctx.root, 'test/bench/gateway-proc.ts')], {
        cpu: ctx.cpu,
        env: { BENCH_MODE: 'web', BENCH_BUNDLES: ctx.dist, BENCH_DYNAMO: ctx.storeUrl, BENCH_KEYRING: ctx.keyring, BENCH_ENV: JSON.stringify({ EZYBUS_LOG_LEVEL: 'info' }) },
      }),
  },
};
