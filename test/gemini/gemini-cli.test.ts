/**
 * Gemini CLI (@google/gemini-cli, installed from npm) as a real client of a local EzyBus in
 * gateway mode (GOOGLE_GEMINI_BASE_URL), offline: `-p` with a plain prompt and with a shell
 * tool call that the CLI really runs, on each demo model. Telemetry, usage statistics, update
 * checks and the IDE integration are off; HOME is a fresh directory.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, addDemoRoutes } from '../helpers/demo.js';
import { startStack, type Stack } from '../helpers/stack.js';

const gemini = new URL('../../node_modules/.bin/gemini', import.meta.url).pathname;
let s: Stack;
let home: string;

beforeAll(async () => {
  s = await startStack();
  await addDemoRoutes();
  home = mkdtempSync(join(tmpdir(), 'ezybus-gemini-cli-'));
  mkdirSync(join(home, '.gemini'));
  writeFileSync(
    join(home, '.gemini', 'settings.json'),
    JSON.stringify({
      general: { disableAutoUpdate: true, disableUpdateNag: true, enableAutoUpdate: false, enableAutoUpdateNotification: false },
      privacy: { usageStatisticsEnabled: false },
      telemetry: { enabled: false },
      security: { auth: { selectedType: 'gemini-api-key' } },
      ide: { enabled: false },
    }),
  );
});
afterAll(async () => s?.close());

async function run(model: string, prompt: string, extra: string[] = []): Promise<{ stdout: string; cwd: string }> {
  const cwd = mkdtempSync(join(home, 'work-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    GEMINI_CLI_TRUST_WORKSPACE: 'true',
    GOOGLE_GEMINI_BASE_URL: s.url,
    GEMINI_API_KEY: s.key,
    NO_COLOR: '1',
  };
  const { stdout } = await promisify(execFile)(gemini, ['-m', model, ...extra, '-p', prompt], { cwd, env, timeout: 150_000 });
  return { stdout, cwd };
}

describe.skipIf(!existsSync(gemini))('Gemini CLI -p through EzyBus', () => {
  it.each([DEMO.openai, DEMO.anthropic, DEMO.gemini])('%s: a plain prompt', { timeout: 180_000 }, async (model) => {
    const before = s.sim.received.length;
    const { stdout } = await run(model, 'Say hello [[sim:text=Hello from the simulator.]]');
    expect(stdout).toContain('Hello from the simulator.');
    const sent = s.sim.received.slice(before);
    expect(sent.length).toBeGreaterThanOrEqual(1);
    const upstream = Object.entries(DEMO).find(([, m]) => m === model)?.[0];
    expect(sent.every((r) => r.protocol === upstream)).toBe(true);
  });

  it.each([DEMO.openai, DEMO.anthropic, DEMO.gemini])('%s: a shell tool call the CLI runs, then the answer', { timeout: 180_000 }, async (model) => {
    const before = s.sim.received.length;
    const args = encodeURIComponent(JSON.stringify({ command: 'echo ezybus-tool-ok > marker.txt && cat marker.txt' }));
    const { stdout, cwd } = await run(model, `Run it [[sim:tool_name=run_shell_command&tool_args=${args}&tool_once=1&text=The command ran.]]`, ['--yolo']);
    expect(readFileSync(join(cwd, 'marker.txt'), 'utf8').trim()).toBe('ezybus-tool-ok');
    expect(stdout).toContain('The command ran.');
    const sent = s.sim.received.slice(before);
    expect(sent.length).toBe(2);
    // The second request carries the tool's output back, in the upstream's own protocol.
    expect(sent[1]!.body).toContain('ezybus-tool-ok');
  });
});
