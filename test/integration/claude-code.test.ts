/**
 * The real Claude Code CLI (npm `@anthropic-ai/claude-code`, a devDependency) against the local
 * gateway, on each demo model: `-p` plain, and with a tool (`--allowedTools Bash`) that it must
 * really run — the simulator asks for `Bash` once and then quotes the tool's output back, so the
 * answer proves the call, its arguments and the tool result all crossed the translation.
 * Offline (test/helpers/claude-code.ts): telemetry, error reporting, auto-update and non-essential
 * traffic are switched off, HOME and the config dir are a fresh temporary directory.
 *
 * `EZYBUS_CAPTURE_CLIENTS=1` also rewrites test/fixtures/clients/ from what Claude Code sent on
 * the pass-through model (the bodies test/protocol/client-fixtures.test.ts replays).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setRoute } from '../../functions/shared/admin/ops.js';
import { DEMO_MODELS } from '../../local/first-run.js';
import type { UsageRecord } from '../../functions/shared/usage/record.js';
import { claudeCommand, claudeEnv, claudeVersion } from '../helpers/claude-code.js';
import { startStack, type Stack } from '../helpers/stack.js';

const root = new URL('../../', import.meta.url).pathname;

let s: Stack;
let claude: string[];
beforeAll(async () => {
  claude = claudeCommand();
  s = await startStack();
  for (const [up, model] of Object.entries(DEMO_MODELS)) await setRoute(model, [{ upstream: `sim-${up}`, model: `sim-${up}-model` }], { ownedBy: 'simulator' });
});
afterAll(async () => s?.close());

interface Run {
  code: number | null;
  result: { result?: string; is_error?: boolean; num_turns?: number; usage?: { input_tokens?: number } };
  stderr: string;
  requestIds: string[];
}

async function runClaude(model: string, prompt: string, extra: string[]): Promise<Run> {
  const home = mkdtempSync(join(tmpdir(), 'ezybus-claude-code-'));
  const from = s.logs.length;
  const [cmd, ...pre] = claude as [string, ...string[]];
  const child = spawn(cmd, [...pre, '-p', prompt, '--output-format', 'json', ...extra], {
    cwd: home,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: claudeEnv(home, s.url, s.key, model),
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  let result: Run['result'] = {};
  try {
    result = JSON.parse(out) as Run['result'];
  } catch {
    result = { result: out };
  }
  const requestIds = s.logs
    .slice(from)
    .map((l) => JSON.parse(l) as { msg?: string; requestId?: string })
    .filter((l) => l.msg === 'request' && l.requestId)
    .map((l) => l.requestId as string);
  return { code, result, stderr: err, requestIds };
}

function recordOf(requestId: string): UsageRecord {
  for (const l of s.logs) {
    const o = JSON.parse(l) as { msg?: string; requestId?: string; record?: UsageRecord };
    if (o.msg === 'request' && o.requestId === requestId && o.record) return o.record;
  }
  throw new Error(`no usage record for ${requestId}`);
}

const models = Object.values(DEMO_MODELS);

describe.each(models)('Claude Code on %s', (model) => {
  it('claude -p: the model’s answer', async () => {
    const r = await runClaude(model, 'Say hello [[sim:text=Hello+from+the+simulator.]]', []);
    expect(r.stderr).not.toMatch(/API Error|Error:/);
    expect(r.code).toBe(0);
    expect(r.result).toMatchObject({ result: 'Hello from the simulator.', is_error: false, num_turns: 1 });
    // Claude Code reads input tokens from message_start: translated or not, they are there.
    expect(r.result.usage?.input_tokens).toBeGreaterThan(0);
    expect(r.requestIds.length).toBeGreaterThan(0);
    for (const id of r.requestIds) expect(recordOf(id).status).toBe(200);
  }, 120_000);

  it('claude -p --allowedTools Bash: the tool really runs and its output comes back', async () => {
    const from = s.sim.received.length;
    const r = await runClaude(model, 'Run a command in the shell [[sim:bash=echo+ezybus-ok]]', ['--allowedTools', 'Bash']);
    expect(r.code).toBe(0);
    expect(r.result).toMatchObject({ result: 'The command printed: ezybus-ok', is_error: false, num_turns: 2 });
    const sent = s.sim.received.slice(from).map((x) => x.body);
    // The second request carried the tool's real output, in the upstream's own form.
    expect(sent.some((b) => b.includes('ezybus-ok') && /tool_result|"role":"tool"|functionResponse/.test(b))).toBe(true);
    if (process.env.EZYBUS_CAPTURE_CLIENTS === '1' && model === DEMO_MODELS.anthropic) capture(from);
  }, 120_000);
});

/** What Claude Code sent on the pass-through model, as fixtures (model name put back). */
function capture(from: number): void {
  const names = ['tool-call', 'tool-result'];
  const version = claudeVersion(claude);
  s.sim.received.slice(from, from + 2).forEach((x, i) => {
    const body = JSON.parse(x.body) as Record<string, unknown>;
    body.model = DEMO_MODELS.anthropic;
    const headers = Object.fromEntries(Object.entries(x.headers).filter(([k]) => k.startsWith('anthropic') || k === 'content-type'));
    const doc = { client: `Claude Code ${version} (npm @anthropic-ai/claude-code), claude -p --allowedTools Bash`, method: 'POST', path: x.path, query: x.query, headers, body };
    writeFileSync(join(root, `test/fixtures/clients/claude-code-${version}.${names[i]}.json`), `${JSON.stringify(doc, null, 1)}\n`);
  });
}
