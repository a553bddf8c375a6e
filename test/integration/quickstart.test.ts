/**
 * The README quickstart as a newcomer runs it: `ezybus serve` on a fresh store directory (the
 * installed entry, a child process), the printed gateway key, a request to a demo model — which
 * shows a real, non-zero cost, priced as a labelled stand-in of a real model — and
 * `ezybus usage` showing that cost while the server runs.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/stack.js';

const root = new URL('../..', import.meta.url).pathname;
const data = mkdtempSync(join(tmpdir(), 'ezybus-quickstart-'));
const entry = join(root, 'bin/ezybus.mjs');
// No provider key in the environment: first run sets up the demo models.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OPENAI|ANTHROPIC|GEMINI)_/.test(k)));
let server: ChildProcess;
let out = '';
let url = '';
let key = '';

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [entry, ...args, '--data', data], { env, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  server = spawn(process.execPath, [entry, 'serve', '--port', '0', '--sim-port', '0', '--data', data], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  server.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  await until(() => /\nTry:/.test(out), 'ezybus serve to print its banner', 60_000);
  url = /listening on (http:\/\/\S+)\/v1/.exec(out)?.[1] ?? '';
  key = /\n\s+(sk-eb-[0-9A-Za-z]{32})\n/.exec(out)?.[1] ?? '';
});

afterAll(async () => {
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  await exited;
});

describe('quickstart', () => {
  it('prints a gateway key and the demo models', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(key).toMatch(/^sk-eb-/);
    expect(out).toMatch(/Models: .*demo-gpt/);
  });

  it('a demo request shows a non-zero cost, and ezybus usage shows it too', async () => {
    const res = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'demo-claude', max_tokens: 256, messages: [{ role: 'user', content: 'Hello' }] }),
    });
    expect(res.status).toBe(200);
    await res.text();
    const micros = Number(res.headers.get('x-ezybus-cost-micros'));
    expect(micros).toBeGreaterThan(0);
    expect(Number(res.headers.get('x-ezybus-cost-usd'))).toBeCloseTo(micros / 1e6, 6);
    // The ledger write finishes after the response; the CLI reads the running server's store.
    let csv = '';
    for (let i = 0; i < 50 && csv.trim().split('\n').length < 2; i++) csv = (await cli(['usage', '--csv'])).stdout;
    const [head, row] = csv.trim().split('\n');
    const cols = (head ?? '').split(',');
    const cells = (row ?? '').split(',');
    expect(cells[cols.indexOf('model')]).toBe('demo-claude');
    expect(Number(cells[cols.indexOf('costMicros')])).toBe(micros);
  });

  it('labels the demo prices as stand-ins of real list prices', async () => {
    const list = (await cli(['prices', 'list'])).stdout;
    expect(list).toMatch(/sim-anthropic-model .*# demo stand-in: the list price of claude-haiku-4-5/);
    expect(list).toMatch(/sim-openai-model .*# demo stand-in: the list price of gpt-4.1-mini/);
  });
});
