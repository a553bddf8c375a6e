/**
 * Admin keys from the CLI, and the CLI and the admin API as two doors to one implementation:
 * a key made by `ezybus admin-keys create` signs in to the API, a change made by the CLI shows
 * in the audit trail the API serves (actor kind `cli`), and a revoked admin key stops working.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalGateway } from '../../local/gateway.js';

const root = new URL('../..', import.meta.url).pathname;
const data = mkdtempSync(join(tmpdir(), 'ezybus-admin-cli-'));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(root, 'bin/ezybus.ts'), ...args, '--data', data], { cwd: root, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('ezybus admin-keys', () => {
  it('creates read and write admin keys, lists them without secrets, refuses a bad scope', { timeout: 120_000 }, async () => {
    const bad = await cli(['admin-keys', 'create', '--name', 'x', '--scope', 'admin']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--scope must be read or write/);
    const w = await cli(['admin-keys', 'create', '--name', 'ops', '--scope', 'write', '--json']);
    expect(w.code, w.stderr).toBe(0);
    const writer = JSON.parse(w.stdout) as { id: string; key: string };
    expect(writer.key).toMatch(/^ak-eb-[0-9A-Za-z]{32}$/);
    const r = JSON.parse((await cli(['admin-keys', 'create', '--name', 'viewer', '--json'])).stdout) as { id: string; key: string; scope: string };
    expect(r.scope).toBe('read');
    const list = await cli(['admin-keys', 'list', '--json']);
    expect(list.stdout).not.toContain(writer.key);
    expect(list.stdout).not.toContain('hash');
    expect((JSON.parse(list.stdout) as { name: string; scope: string }[]).map((k) => `${k.name}:${k.scope}`)).toEqual(['ops:write', 'viewer:read']);
    // A change from the CLI, audited with the CLI as the actor.
    expect((await cli(['keys', 'create', '--name', 'from-cli'])).code).toBe(0);
    expect((await cli(['admin-keys', 'revoke', '--id', r.id])).code).toBe(0);
    expect((await cli(['admin-keys', 'revoke', '--id', 'ak_nope'])).stderr).toMatch(/no admin key with id 'ak_nope'/);

    const gw = await startLocalGateway({ dataDir: data });
    try {
      const get = (key: string, path: string): Promise<Response> => fetch(`${gw.url}/admin${path}`, { headers: { authorization: `Bearer ${key}` } });
      expect((await get(r.key, '/whoami')).status).toBe(401); // revoked
      const who = (await (await get(writer.key, '/whoami')).json()) as { name: string; scope: string };
      expect(who).toEqual({ id: writer.id, name: 'ops', scope: 'write' });
      const { entries } = (await (await get(writer.key, '/audit')).json()) as { entries: { actor: { kind: string }; action: string; target: string }[] };
      expect(entries.map((e) => `${e.actor.kind} ${e.action}`)).toEqual(['cli admin-keys.revoke', 'cli keys.create', 'cli admin-keys.create', 'cli admin-keys.create']);
      const keys = (await (await get(writer.key, '/keys')).json()) as { keys: { name: string }[] };
      expect(keys.keys.map((k) => k.name)).toContain('from-cli');
    } finally {
      await gw.close();
    }
  });
});
