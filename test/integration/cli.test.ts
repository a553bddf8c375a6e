/**
 * The `ezybus` CLI as an operator runs it (a child process on a local store directory, through
 * the entry npm installs, bin/ezybus.mjs): every command, and bad input answered with a clear
 * message and exit code 2. Also installed as npm installs it, on each Node on the PATH.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const data = mkdtempSync(join(tmpdir(), 'ezybus-cli-'));

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'bin/ezybus.mjs'), ...args, '--data', data],
      { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

// Each case is a CLI process opening the store: many of them in one test take a while on a busy machine.
describe('ezybus CLI (local store)', { timeout: 180_000 }, () => {
  let keyId = '';

  it('prints help for every command', async () => {
    for (const c of [[], ['--help'], ['help', 'keys'], ['serve', '--help'], ['keys', '--help'], ['keys', 'create', '-h'], ['upstreams', '--help'], ['routes', '--help'], ['prices', '--help'], ['usage', '--help'], ['ledger', '--help']]) {
      const r = await cli(c);
      expect(r.code, c.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage/);
    }
    expect((await cli(['keys', '--help'])).stdout).toMatch(/ezybus keys create/);
  });

  it('refuses a misspelled or unknown flag, naming it, and changes nothing', async () => {
    const r = await cli(['keys', 'create', '--name', 'typo', '--rmp', '10']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option --rmp for 'keys create' \(did you mean --rpm\?\)/);
    expect((await cli(['keys', 'list', '--json'])).stdout).not.toContain('typo');
    for (const [args, msg] of [
      [['routes', 'list', '--jsno'], /unknown option --jsno .*did you mean --json/],
      [['keys', 'create', '--name'], /--name needs a value/],
      [['keys', 'list', '--json=yes'], /--json takes no value/],
      [['keys', 'list', 'extra'], /unexpected argument 'extra'/],
      [['keys'], /keys needs a subcommand/],
      [['upstreams', 'add', '--id', 'x', '--protocol', 'openai', '--base-url', 'https://x', '--key', 'k'], /unknown option --key for 'upstreams add'/],
    ] as const) {
      const bad = await cli([...args]);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr).toMatch(msg);
    }
  });

  it('creates a key, shows it once, lists it without the secret', async () => {
    const r = await cli(['keys', 'create', '--name', 'alice', '--models', 'gpt-*', '--rpm', '60', '--json']);
    expect(r.code).toBe(0);
    const created = JSON.parse(r.stdout) as { id: string; key: string; prefix: string };
    expect(created.key).toMatch(/^sk-eb-[0-9A-Za-z]{32}$/);
    keyId = created.id;
    const list = await cli(['keys', 'list', '--json']);
    expect(list.stdout).toContain(created.prefix);
    expect(list.stdout).not.toContain(created.key);
    expect(list.stdout).not.toContain('hash');
  });

  it('updates and revokes a key', async () => {
    expect((await cli(['keys', 'update', '--id', keyId, '--tpm', '1000'])).code).toBe(0);
    expect((await cli(['keys', 'revoke', '--id', keyId])).code).toBe(0);
    const list = JSON.parse((await cli(['keys', 'list', '--json'])).stdout) as { id: string; disabled?: boolean; tpm?: number }[];
    expect(list.find((k) => k.id === keyId)).toMatchObject({ disabled: true, tpm: 1000 });
  });

  it('adds upstreams with keys from the environment, never echoing them', async () => {
    const r = await cli(['upstreams', 'add', '--id', 'oa', '--protocol', 'openai', '--base-url', 'https://api.openai.com', '--key-env', 'CANARY'], {
      CANARY: 'sk-proj-CANARYCANARY9876',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('…9876');
    expect(r.stdout).not.toContain('CANARYCANARY');
    const list = await cli(['upstreams', 'list', '--json']);
    expect(list.stdout).not.toContain('CANARYCANARY');
    const rows = JSON.parse(list.stdout) as { id: string; keys: { id: string }[] }[];
    expect(rows[0]?.keys).toHaveLength(1);
    const rot = await cli(['upstreams', 'rotate', '--id', 'oa', '--key-env', 'NEWKEY', '--retire', rows[0]!.keys[0]!.id], { NEWKEY: 'sk-proj-NEWNEWNEW1111' });
    expect(rot.code).toBe(0);
    expect((await cli(['upstreams', 'reencrypt'])).stdout).toMatch(/Re-encrypted 2/);
  });

  it('sets and lists routes', async () => {
    expect((await cli(['routes', 'set', '--model', 'gpt-4.1', '--target', 'oa:gpt-4.1:2:0'])).code).toBe(0);
    const list = JSON.parse((await cli(['routes', 'list', '--json'])).stdout) as { model: string; targets: { weight: number }[] }[];
    expect(list[0]).toMatchObject({ model: 'gpt-4.1', targets: [{ weight: 2 }] });
  });

  it('refuses bad input with a clear message and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['nope'], /unknown command 'nope'/],
      [['keys', 'create'], /--name is required/],
      [['keys', 'create', '--name', 'x', '--rpm', 'many'], /--rpm must be a non-negative integer/],
      [['keys', 'create', '--name', 'x', '--expires', 'tomorrow'], /--expires must be an ISO date/],
      [['keys', 'revoke', '--id', 'gk_missing'], /no gateway key/],
      [['upstreams', 'add', '--id', 'x', '--protocol', 'cohere', '--base-url', 'https://x'], /--protocol must be one of chat-completions, messages, generate-content\b.*, got 'cohere'/],
      [['routes', 'set', '--model', 'm', '--target', 'ghost:m'], /unknown upstream 'ghost'/],
      [['routes', 'set', '--model', 'm', '--target', 'broken'], /--target must be UPSTREAM:MODEL/],
      [['usage', '--from', '24-11-2026'], /--from must be YYYY-MM-DD/],
      [['ledger', 'replay'], /needs a FILE/],
    ];
    for (const [args, msg] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
  });

  it('replays usage records from log lines idempotently, and reports usage as CSV', async () => {
    const record = {
      requestId: 'req-replay-1',
      lambdaRequestId: 'x',
      time: '2026-11-24T10:00:00.000Z',
      stage: 'local',
      fn: 'chat-completions',
      keyId,
      model: 'gpt-4.1',
      clientProtocol: 'openai',
      provider: 'openai',
      upstreamId: 'oa',
      upstreamModel: 'gpt-4.1',
      upstreamKeyId: 'uk_1',
      stream: false,
      status: 200,
      errorType: null,
      attempts: [],
      usage: { inputTokens: 10, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 5, reasoningTokens: 0, reasoningEstimated: false, estimated: false },
      costMicros: 123,
      ttfbMs: 1,
      durationMs: 2,
      upstreamMs: 1,
      overheadMs: 1,
      cutShort: null,
      notes: [],
    };
    const file = join(data, 'lines.log');
    writeFileSync(file, `not json\n${JSON.stringify({ level: 'info', msg: 'request', record })}\n`);
    const first = await cli(['ledger', 'replay', file]);
    expect(first.stdout).toMatch(/1 usage records: 1 written, 0 already/);
    const second = await cli(['ledger', 'replay', file]);
    expect(second.stdout).toMatch(/1 usage records: 0 written, 1 already/);
    const csv = (await cli(['usage', '--csv'])).stdout.trim().split('\n');
    expect(csv[0]).toBe(
      'day,key_id,key_name,model,requests,errors,inputTokens,cacheReadTokens,cacheWrite5mTokens,cacheWrite1hTokens,outputTokens,reasoningTokens,costMicros,cost_usd',
    );
    // Replayed twice, counted once.
    expect(csv.slice(1)).toEqual([`2026-11-24,${keyId},alice,gpt-4.1,1,0,10,0,0,0,5,0,123,0.000123`]);
  });

  it('sets, lists and unsets price overrides; refuses bad amounts', async () => {
    const set = await cli(['prices', 'set', '--model', 'claude-sonnet-4-5', '--input', '2.70', '--output', '13.5', '--cache-read', '0.27', '--note', 'EA']);
    expect(set.code).toBe(0);
    const list = JSON.parse((await cli(['prices', 'list', '--json'])).stdout) as { overrides: { model: string; price: Record<string, number>; note?: string }[]; catalog: { model: string }[] };
    // Stored as integer micro-dollars per million tokens; cache writes default to the input price.
    expect(list.overrides).toEqual([
      expect.objectContaining({ model: 'claude-sonnet-4-5', note: 'EA', price: { input: 2_700_000, output: 13_500_000, cacheRead: 270_000, cacheWrite5m: 2_700_000, cacheWrite1h: 2_700_000 } }),
    ]);
    expect(list.catalog.map((c) => c.model)).toContain('gpt-4.1-nano');
    expect((await cli(['prices', 'list'])).stdout).toMatch(/claude-sonnet-4-5 .*\$2\.70/);
    for (const bad of [
      ['prices', 'set', '--model', 'x', '--input', 'abc', '--output', '1'],
      ['prices', 'set', '--model', 'x', '--input', '-1', '--output', '1'],
      ['prices', 'set', '--model', 'x', '--input', '1'],
      ['prices', 'set', '--input', '1', '--output', '1'],
      ['prices', 'frobnicate'],
    ]) {
      const r = await cli(bad);
      expect(r.code, bad.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^ezybus: /);
    }
    expect((await cli(['prices', 'unset', '--model', 'claude-sonnet-4-5'])).code).toBe(0);
    expect((JSON.parse((await cli(['prices', 'list', '--json'])).stdout) as { overrides: unknown[] }).overrides).toEqual([]);
  });

  it('refuses a malformed --stage before touching AWS', async () => {
    const r = await cli(['keys', 'list', '--stage', 'Prod!']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--stage must be/);
  });

  it('routes take auto-cache and thinking budgets, and refuse bad values', async () => {
    expect((await cli(['routes', 'set', '--model', 'claude-x', '--target', 'oa:gpt-4.1', '--auto-cache', '1h', '--thinking-budgets', '1024,4096,16000'])).code).toBe(0);
    const list = JSON.parse((await cli(['routes', 'list', '--json'])).stdout) as { model: string; autoCache?: string; thinkingBudgets?: unknown }[];
    expect(list.find((r) => r.model === 'claude-x')).toMatchObject({ autoCache: '1h', thinkingBudgets: { low: 1024, medium: 4096, high: 16000 } });
    for (const bad of [
      ['--auto-cache', '10m'],
      ['--thinking-budgets', '1,2,3'],
      ['--thinking-budgets', '2048,4096'],
    ]) {
      const r = await cli(['routes', 'set', '--model', 'claude-x', '--target', 'oa:gpt-4.1', ...bad]);
      expect(r.code, bad.join(' ')).toBe(2);
    }
  });
});

describe('ezybus as npm installs it', { timeout: 180_000 }, () => {
  // Every Node on the PATH (the machine's own, often 20, and the project's 24): the entry is
  // plain JavaScript so the operator's Node runs it.
  const nodes = [...new Set([process.execPath, ...execFileSync('sh', ['-c', 'which -a node || true']).toString().split('\n').filter(Boolean)].map((n) => realpathSync(n)))];

  it('npm install -g <clone> puts a working `ezybus` on the PATH', () => {
    const prefix = mkdtempSync(join(tmpdir(), 'ezybus-global-'));
    execFileSync('npm', ['install', '-g', root, '--prefix', prefix, '--no-audit', '--no-fund'], { stdio: 'ignore' });
    for (const n of nodes) {
      const path = `${join(n, '..')}:${join(prefix, 'bin')}:/usr/bin:/bin`;
      const version = execFileSync(n, ['--version']).toString().trim();
      const help = execFileSync(join(prefix, 'bin/ezybus'), ['--help'], { cwd: tmpdir(), env: { ...process.env, PATH: path } }).toString();
      expect(help, version).toMatch(/^Usage: ezybus <command>/);
      const bad = (() => {
        try {
          execFileSync(join(prefix, 'bin/ezybus'), ['keys', 'create', '--rmp', '10', '--data', data], { cwd: tmpdir(), env: { ...process.env, PATH: path }, stdio: 'pipe' });
          return { status: 0, stderr: '' };
        } catch (err) {
          const e = err as { status: number; stderr: Buffer };
          return { status: e.status, stderr: e.stderr.toString() };
        }
      })();
      expect(bad.status, version).toBe(2);
      expect(bad.stderr).toMatch(/unknown option --rmp/);
    }
  });

  it('npx ezybus runs in the clone', () => {
    const out = execFileSync('npx', ['--no-install', 'ezybus', '--help'], { cwd: root }).toString();
    expect(out).toMatch(/^Usage: ezybus <command>/);
  });
});

