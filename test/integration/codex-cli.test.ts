/**
 * Codex CLI (the real `@openai/codex` binary, a dev dependency) against a local EzyBus, on each
 * demo model: `codex exec` with a plain prompt, and with a shell tool call that Codex really
 * runs. Codex speaks only the Responses API, so every run goes through POST /v1/responses and its
 * translation to Chat Completions, Anthropic and Gemini upstreams. Codex is configured as a new
 * user would: a custom model provider whose base_url is the gateway, wire_api "responses", with
 * update checks, analytics and feedback off, so nothing leaves 127.0.0.1.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startDemoStack } from '../helpers/demo.js';
import type { Stack } from '../helpers/stack.js';

const CODEX = new URL('../../node_modules/.bin/codex', import.meta.url).pathname;

let s: Stack;
let home: string;
let work: string;

beforeAll(async () => {
  s = await startDemoStack();
  const dir = mkdtempSync(join(tmpdir(), 'ezybus-codex-'));
  home = join(dir, 'home');
  work = join(dir, 'work');
  for (const d of [home, work]) await import('node:fs/promises').then((fs) => fs.mkdir(d, { recursive: true }));
  writeFileSync(
    join(home, 'config.toml'),
    [
      'model_provider = "ezybus"',
      'check_for_update_on_startup = false',
      'approval_policy = "never"',
      'sandbox_mode = "danger-full-access"',
      '',
      '[analytics]',
      'enabled = false',
      '',
      '[feedback]',
      'enabled = false',
      '',
      '[model_providers.ezybus]',
      'name = "EzyBus"',
      `base_url = "${s.url}/v1"`,
      'env_key = "EZYBUS_KEY"',
      'wire_api = "responses"',
      'request_max_retries = 0',
      'stream_max_retries = 0',
      '',
    ].join('\n'),
  );
});
afterAll(async () => s?.close());

function codexExec(model: string, prompt: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      CODEX,
      ['exec', '--skip-git-repo-check', '-m', model, prompt],
      { cwd: work, env: { PATH: process.env.PATH ?? '', HOME: home, CODEX_HOME: home, EZYBUS_KEY: s.key, NO_COLOR: '1' }, timeout: 90_000 },
      (err, stdout, stderr) => (err ? reject(Object.assign(err, { stdout, stderr })) : resolve({ stdout, stderr })),
    );
    // `codex exec` appends a piped stdin to the prompt and waits for its end.
    child.stdin?.end();
  });
}

const responsesRequests = (): { body: string }[] => s.sim.received.filter((r) => r.protocol !== 'other');

describe.skipIf(!existsSync(CODEX))('Codex CLI through EzyBus', () => {
  for (const p of ['openai', 'anthropic', 'gemini'] as const) {
    it(`codex exec, plain prompt, on ${DEMO[p]}`, { timeout: 120_000 }, async () => {
      s.sim.clearReceived();
      const { stdout } = await codexExec(DEMO[p], 'Say hello. [[sim:text=Hello from the simulator behind EzyBus]]');
      expect(stdout).toContain('Hello from the simulator behind EzyBus');
      const sent = responsesRequests();
      expect(sent).toHaveLength(1);
      // Codex's developer instructions reached the upstream as its system prompt.
      expect(sent[0]!.body).toContain('You are a coding agent running in the Codex CLI');
      const log = s.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.model === DEMO[p]).at(-1);
      expect(log).toMatchObject({ status: 200 });
    });

    it(`codex exec runs a shell tool call on ${DEMO[p]}`, { timeout: 120_000 }, async () => {
      s.sim.clearReceived();
      const args = encodeURIComponent(JSON.stringify({ cmd: 'echo ezybus-shell-$((6*7))' }));
      const { stdout, stderr } = await codexExec(DEMO[p], `Run the command. [[sim:tools=1&tool_once=1&tool_args=${args}&text=The command printed its line]]`);
      // Codex ran the command (the shell computed 42) and sent its output back as the tool result.
      expect(stderr + stdout).toContain('ezybus-shell-42');
      const sent = responsesRequests();
      expect(sent).toHaveLength(2);
      expect(sent[1]!.body).toContain('ezybus-shell-42');
      expect(stdout).toContain('The command printed its line');
    });
  }
});
