/**
 * The real Claude Code CLI in an interactive session (in tmux, a real terminal), on each demo
 * model: a turn, then `/context`. What its traffic shows (Claude Code 2.1.332, seen through the
 * recording proxy below and the simulator's request log): it calls
 * `POST /v1/messages/count_tokens?beta=true` only to fill the context meter that `/context`
 * draws — one request for the system prompt's sections, one per tool, one `foo` message with
 * `tools: []` as the baseline it subtracts — about 25 in a row; a plain turn sends none, and
 * neither does startup. (`claude -p /context` sends the same requests.) Every one must get a 200
 * in Anthropic's shape, `{"input_tokens": n}`, whatever the route's upstream.
 *
 * Claude Code talks to the gateway through a small recording proxy, so the test asserts on the
 * exact bytes Claude Code received. `EZYBUS_CAPTURE_CLIENTS=1` writes what it sent on the
 * pass-through model to test/fixtures/clients/count-tokens/ (replayed by
 * test/integration/count-tokens-replay.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, addDemoRoutes } from '../helpers/demo.js';
import { claudeCommand, claudeEnv, claudeVersion, writeInteractiveConfig } from '../helpers/claude-code.js';
import { startStack, type Stack } from '../helpers/stack.js';

const root = new URL('../../', import.meta.url).pathname;

interface Exchange {
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
  status: number;
  answer: string;
}

/** Forwards everything to the gateway unchanged, streaming, and keeps each count_tokens exchange whole. */
function recordingProxy(target: string, seen: Exchange[]): Promise<{ url: string; server: Server }> {
  const to = new URL(target);
  const server = createServer((req, res) => {
    const [path = '', query = ''] = (req.url ?? '').split('?');
    const body: Buffer[] = [];
    const up = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      const got: Buffer[] = [];
      answer.on('data', (d: Buffer) => {
        got.push(d);
        res.write(d);
      });
      answer.on('end', () => {
        res.end();
        if (path.endsWith('/count_tokens')) {
          const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
          seen.push({ path, query, headers, body: Buffer.concat(body).toString(), status: answer.statusCode ?? 0, answer: Buffer.concat(got).toString() });
        }
      });
    });
    up.on('error', () => res.destroy());
    req.on('data', (d: Buffer) => {
      body.push(d);
      up.write(d);
    });
    req.on('end', () => up.end());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server })));
}

/** One tmux server per session, on its own socket, so nothing else on the machine is touched. */
class Terminal {
  private readonly socket: string;
  constructor(dir: string) {
    this.socket = join(dir, 'tmux.sock');
  }
  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8' });
  }
  start(cwd: string, env: Record<string, string>, cmd: string[]): void {
    // `env -i` so the session sees exactly this environment, not the tmux server's.
    this.tmux('new-session', '-d', '-s', 'cc', '-x', '200', '-y', '60', '-c', cwd, 'env', '-i', `TERM=xterm-256color`, ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...cmd);
  }
  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', 'cc', '-S', '-200');
  }
  /**
   * Types a line and submits it. Claude Code takes fast input as a paste, and an Enter inside a
   * paste is a newline: so Enter goes only once the text is on the screen, as a person would.
   */
  async type(text: string): Promise<void> {
    this.tmux('send-keys', '-t', 'cc', '-l', text);
    await this.waitFor((screen) => screen.split('\n').some((l) => l.startsWith('❯') && l.includes(text)), `the typed ${text}`);
    this.tmux('send-keys', '-t', 'cc', 'Enter');
  }
  /** Waits for the screen to show what is asked (what the user would wait for), checking a few times a second. */
  async waitFor(shows: RegExp | ((screen: string) => boolean), what: string, timeoutMs = 90_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const text = this.screen();
      if (typeof shows === 'function' ? shows(text) : shows.test(text)) return text;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; the screen shows:\n${text}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone with its only session
    }
  }
}

let s: Stack;
let claude: string[];
let proxy: { url: string; server: Server };
const seen: Exchange[] = [];
beforeAll(async () => {
  claude = claudeCommand();
  s = await startStack();
  await addDemoRoutes();
  proxy = await recordingProxy(s.url, seen);
});
afterAll(async () => {
  await new Promise((r) => proxy?.server.close(r));
  await s?.close();
});

interface CountLog {
  fn?: string;
  model?: string;
  status?: number;
  inputTokens?: number;
  record?: unknown;
}

describe.each(Object.entries(DEMO))('Claude Code, interactive, on %s', (upstream, model) => {
  it('a turn, then /context: every count_tokens call is answered 200 {input_tokens}', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ezybus-claude-tty-'));
    const cwd = join(home, 'work');
    mkdirSync(cwd);
    writeInteractiveConfig(home, cwd, s.key);
    const term = new Terminal(home);
    const from = seen.length;
    const logsFrom = s.logs.length;
    try {
      term.start(cwd, claudeEnv(home, proxy.url, s.key, model), claude);
      await term.waitFor(/❯/, 'the prompt');
      await term.type('Say hello [[sim:text=Hello+from+the+simulator.]]');
      await term.waitFor(/● Hello from the simulator\./, 'the answer');
      // A plain turn counts nothing: the meter is filled only when it is shown.
      expect(seen.length).toBe(from);
      await term.type('/context');
      const screen = await term.waitFor(/Context usage[\s\S]*Free space/, 'the context meter');
      const calls = seen.slice(from);
      expect(calls.length).toBeGreaterThanOrEqual(10);
      for (const c of calls) {
        expect(c.path).toBe('/v1/messages/count_tokens');
        expect(c.status).toBe(200);
        const answer = JSON.parse(c.answer) as Record<string, unknown>;
        expect(Object.keys(answer)).toEqual(['input_tokens']);
        expect(Number.isInteger(answer.input_tokens) && (answer.input_tokens as number) > 0).toBe(true);
      }
      // Claude Code counts each tool on its own, with a one-word message, against that message
      // alone (`foo`, `tools: []`): every tool must cost more than the baseline.
      const counted = calls.map((c) => ({ ...(JSON.parse(c.body) as { messages: unknown[]; tools?: unknown[] }), n: (JSON.parse(c.answer) as { input_tokens: number }).input_tokens }));
      const probe = (c: (typeof counted)[number]): boolean => JSON.stringify(c.messages) === '[{"role":"user","content":"foo"}]';
      const baseline = counted.find((c) => probe(c) && c.tools?.length === 0);
      expect(baseline).toBeDefined();
      const perTool = counted.filter((c) => probe(c) && c.tools?.length);
      expect(perTool.length).toBeGreaterThanOrEqual(5);
      for (const c of perTool) expect(c.n).toBeGreaterThan(baseline!.n);
      // The meter shows a total built from those answers.
      expect(screen).toMatch(/System tools: [\d.]+k/);
      // The gateway logged them as counts (no usage record: counting is not billed).
      const logs = s.logs.slice(logsFrom).map((l) => JSON.parse(l) as CountLog).filter((l) => l.fn === 'count-tokens');
      expect(logs.length).toBe(calls.length);
      for (const l of logs) expect(l).toMatchObject({ model, status: 200 });
      expect(logs.every((l) => l.record === undefined)).toBe(true);
      if (process.env.EZYBUS_CAPTURE_CLIENTS === '1' && upstream === 'anthropic') capture(calls);
    } finally {
      term.close();
    }
  }, 240_000);
});

/** What Claude Code sent for /context, as a fixture (headers that matter, model name kept public). */
function capture(calls: Exchange[]): void {
  const version = claudeVersion(claude);
  const requests = calls.map((c) => ({
    path: c.path,
    query: c.query,
    headers: Object.fromEntries(Object.entries(c.headers).filter(([k]) => k.startsWith('anthropic') || k === 'content-type')),
    body: JSON.parse(c.body) as unknown,
  }));
  const doc = { client: `Claude Code ${version} (npm @anthropic-ai/claude-code), interactive session in tmux, /context after one turn`, requests };
  writeFileSync(join(root, `test/fixtures/clients/count-tokens/claude-code-${version}.context.json`), `${JSON.stringify(doc, null, 1)}\n`);
}
