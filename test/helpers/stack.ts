/**
 * A whole local EzyBus for integration tests: the provider simulator, dynalite, the local
 * keyring and the Lambda handlers behind the local Function URL runtime — all on 127.0.0.1,
 * configured through the same operator operations the CLI uses.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addUpstream, addUpstreamKey, createGatewayKey, setRoute } from '../../functions/shared/admin/ops.js';
import { startLocalGateway, type ComputeMode, type LocalGateway, type LocalGatewayOptions } from '../../local/gateway.js';
import { setLogSink } from '../../functions/shared/logging/log.js';
import { startSimulator, type Simulator } from '../../local/sim/server.js';

export interface Stack {
  /** The structured log lines the gateway wrote (kept off the test output). */
  logs: string[];
  url: string;
  key: string;
  keyringPath: string;
  /** The EZYBUS_* settings the gateway was started with (a second instance gets them too). */
  env: Record<string, string>;
  sim: Simulator;
  gw: LocalGateway;
  close(): Promise<void>;
}

export const MODELS = { openai: 'gpt-test', anthropic: 'claude-test', gemini: 'gemini-test' } as const;
export const UPSTREAM_MODELS = { openai: 'gpt-4o-sim', anthropic: 'claude-sonnet-sim', gemini: 'gemini-2.5-flash-sim' } as const;

/**
 * The compute mode the integration tests run in: EZYBUS_TEST_MODE=web serves the same handlers
 * through the Web Functions edge (vitest.config.ts runs the integration suites in both).
 */
export const TEST_MODE: ComputeMode = process.env.EZYBUS_TEST_MODE === 'web' ? 'web' : 'furl';

/** `opts.loadHandlers`: handlers other than the sources' (test/integration/bundles.test.ts runs the esbuild bundles). */
export async function startStack(env: Record<string, string> = {}, mode: ComputeMode = TEST_MODE, opts: Pick<LocalGatewayOptions, 'loadHandlers'> = {}): Promise<Stack> {
  const logs: string[] = [];
  setLogSink((l) => logs.push(l));
  const sim = await startSimulator({ seed: 7 });
  const keyringPath = join(mkdtempSync(join(tmpdir(), 'ezybus-test-')), 'master.key');
  const gw = await startLocalGateway({ env, keyringPath, mode, ...opts });
  for (const protocol of ['openai', 'anthropic', 'gemini'] as const) {
    const id = `sim-${protocol}`;
    await addUpstream(id, protocol, sim.url);
    await addUpstreamKey(id, `sim-key-${protocol}`, `${protocol}-k1`);
    await setRoute(MODELS[protocol], [{ upstream: id, model: UPSTREAM_MODELS[protocol] }], { ownedBy: protocol });
  }
  const { key } = await createGatewayKey({ name: 'integration' });
  return {
    logs,
    url: gw.url,
    key,
    keyringPath,
    env,
    sim,
    gw,
    async close() {
      await gw.close();
      await sim.close();
    },
  };
}

/** Reads an SSE response body, returning the raw text and the arrival time of each read. */
export async function readAll(res: Response): Promise<{ text: string; reads: { at: number; text: string }[] }> {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  const reads: { at: number; text: string }[] = [];
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const t = dec.decode(value, { stream: true });
    reads.push({ at: performance.now(), text: t });
    text += t;
  }
  return { text, reads };
}

/** The `data:` payloads of an SSE text, in order (comments and event lines dropped). */
export function dataLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .filter((l) => l.startsWith('data:'))
    .map((l) => l.slice(5).trimStart());
}

/** Waits until `cond` holds (an event seen from outside, e.g. the simulator noticing an abort), polling. */
export async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface SecondInstance {
  url: string;
  /** Every stdout line the instance wrote: its structured logs, as CloudWatch would hold them. */
  lines: string[];
  close(): Promise<void>;
  /** SIGKILL: an execution environment that dies with no chance to clean up. */
  kill(): Promise<void>;
}

/**
 * A second gateway instance in another process, sharing the first one's store and keyring and
 * started with its settings (plus `extra`) — what a second Lambda execution environment is.
 */
export async function startSecondInstance(s: Stack, extra: Record<string, string> = {}): Promise<SecondInstance> {
  const env = { ...s.env, ...extra };
  const { spawn } = await import('node:child_process');
  const script = new URL('./second-instance.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, SECOND_DYNAMO: s.gw.dynamoEndpoint, SECOND_KEYRING: s.keyringPath, SECOND_ENV: JSON.stringify(env) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines.push(line);
        const m = /^\{"url":"([^"]+)"\}$/.exec(line);
        if (m?.[1]) resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`second instance exited with ${code}`)));
  });
  return {
    url,
    lines,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
