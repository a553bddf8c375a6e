/**
 * Client-controlled strings that reach a ledger key or item, a Loki label or a log field are
 * bounded at the edge; a ledger replay skips (and reports) what it cannot write and goes on; and
 * docs/pricing.md's replay recipe runs end to end — the real AWS CLI against moto's CloudWatch
 * Logs, then `ezybus ledger replay` — for requests whose ledger write failed.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setRoute } from '../../functions/shared/admin/ops.js';
import { MAX_MODEL_NAME_BYTES, MAX_NOTE_BYTES, MAX_NOTES } from '../../functions/shared/gateway/bounds.js';
import { getUsageRecord } from '../../functions/shared/store/repo.js';
import { gatewayConfig } from '../../functions/shared/config.js';
import type { UsageRecord } from '../../functions/shared/usage/record.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { startMoto } from '../helpers/moto.js';

const root = new URL('../..', import.meta.url).pathname;
const AWS_BIN = join(root, '.venv', 'bin', 'aws');

let s: Stack;
beforeAll(async () => {
  s = await startStack();
});
afterAll(async () => s?.close());

const post = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${s.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

function recordOf(requestId: string | null): UsageRecord {
  for (const l of s.logs) {
    const o = JSON.parse(l) as { msg?: string; requestId?: string; record?: UsageRecord };
    if (o.msg === 'request' && o.requestId === requestId && o.record) return o.record;
  }
  throw new Error(`no usage record for ${requestId}`);
}

/** The CLI as an operator runs it, against the test stack's store. */
function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const data = mkdtempSync(join(tmpdir(), 'ezybus-bounds-cli-'));
  writeFileSync(join(data, 'endpoint.json'), JSON.stringify({ endpoint: s.gw.dynamoEndpoint }));
  writeFileSync(join(data, 'master.key'), readFileSync(s.keyringPath));
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const k of Object.keys(childEnv)) if (childEnv[k] === undefined) delete childEnv[k];
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(root, 'bin/ezybus.ts'), ...args, '--data', data], { cwd: root, env: childEnv, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('bounded client strings', () => {
  it('refuses a model name over the documented length with a 400 in each protocol, and serves one at the limit', async () => {
    const long = 'm'.repeat(MAX_MODEL_NAME_BYTES + 1);
    const chat = await post('/v1/chat/completions', { model: long, messages: [{ role: 'user', content: 'hi' }] });
    expect(chat.status).toBe(400);
    expect(await chat.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'model' } });
    const msg = await post('/v1/messages', { model: 'é'.repeat(200), max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' });
    expect(msg.status).toBe(400); // 400 bytes of UTF-8: the bound counts bytes, not characters
    expect(await msg.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const get = await fetch(`${s.url}/v1/models/${long}`, { headers: { authorization: `Bearer ${s.key}` } });
    expect(get.status).toBe(400);
    expect(await get.json()).toMatchObject({ error: { param: 'model' } });

    const atLimit = 'x'.repeat(MAX_MODEL_NAME_BYTES);
    await setRoute(atLimit, [{ upstream: 'sim-openai', model: 'gpt-4o-sim' }]);
    const ok = await post('/v1/chat/completions', { model: atLimit, messages: [{ role: 'user', content: 'hi' }] });
    expect(ok.status).toBe(200);
    const id = ok.headers.get('x-request-id');
    await ok.text();
    // The ledger took it: the model is in the record and in the per-day totals key.
    await expect.poll(async () => (await getUsageRecord(id!))?.model).toBe(atLimit);
    await expect(setRoute(`${atLimit}y`, [{ upstream: 'sim-openai', model: 'gpt-4o-sim' }])).rejects.toThrow(/at most 256 bytes/);
  });

  it('keeps the translation notes on the record bounded, so the ledger item stays writable', async () => {
    // 120 tools of a type that does not translate, each with a 4 KB type name: one note each.
    // (Unknown content parts are a 400 now, as OpenAI answers them; tools of other types are
    // dropped with a note.)
    const tools = Array.from({ length: 120 }, (_, i) => ({ type: `t${i}-${'z'.repeat(4000)}` }));
    const res = await post('/v1/chat/completions', { model: 'claude-test', messages: [{ role: 'user', content: 'hi' }], tools });
    expect(res.status).toBe(200);
    const id = res.headers.get('x-request-id');
    await res.text();
    const rec = recordOf(id);
    expect(rec.notes.length).toBeLessThanOrEqual(MAX_NOTES);
    for (const n of rec.notes) expect(Buffer.byteLength(n)).toBeLessThanOrEqual(MAX_NOTE_BYTES);
    await expect.poll(async () => (await getUsageRecord(id!))?.requestId).toBe(id);
  });
});

/** A record as an older EzyBus logged it, before model names were bounded. */
function poisonedLine(keyId: string): string {
  const rec = { ...recordOf(firstRequestId), requestId: 'req-poisoned', keyId, model: 'p'.repeat(2000) };
  return JSON.stringify({ level: 'info', msg: 'request', requestId: rec.requestId, record: rec });
}
let firstRequestId: string | null = null;

describe('ledger replay', () => {
  it('skips and reports a record the ledger refuses, writes the ones after it, and exits 3', async () => {
    const res = await post('/v1/chat/completions', { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
    firstRequestId = res.headers.get('x-request-id');
    await res.text();
    const good = recordOf(firstRequestId);
    const after = { ...good, requestId: 'req-after-poison' };
    const file = join(mkdtempSync(join(tmpdir(), 'ezybus-replay-')), 'lines.log');
    writeFileSync(
      file,
      [
        poisonedLine(good.keyId!),
        JSON.stringify({ level: 'info', msg: 'request', record: { ...good, requestId: 'req-malformed', time: 'not a time' } }),
        JSON.stringify({ level: 'info', msg: 'request', record: after }),
      ].join('\n') + '\n',
    );
    const r = await cli(['ledger', 'replay', file]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/3 usage records: 1 written, 0 already in the ledger, 2 skipped/);
    expect(r.stderr).toMatch(/line 1 \(request req-poisoned\) skipped: the ledger refused it/);
    expect(r.stderr).toMatch(/line 2 \(request req-malformed\) skipped: malformed record: no valid time/);
    expect(await getUsageRecord('req-after-poison')).toMatchObject({ requestId: 'req-after-poison' });
  }, 120_000);
});

describe.skipIf(!existsSync(AWS_BIN) && !process.env.CI)('docs/pricing.md replay recipe, end to end (AWS CLI against moto)', () => {
  it('finds the records of requests whose ledger write failed and replays them once', { timeout: 180_000 }, async () => {
    const usageTable = gatewayConfig().tables.usage;
    // The ledger writer is down (or the records outlived its DLQ): two requests finish, and
    // their records are only in their log lines.
    await s.gw.ledger.close();
    const ids: string[] = [];
    for (const body of [
      { model: 'gpt-test', messages: [{ role: 'user', content: 'one' }] },
      { model: 'claude-test', stream: true, messages: [{ role: 'user', content: 'two' }] },
    ]) {
      const res = await post('/v1/chat/completions', body);
      ids.push(res.headers.get('x-request-id')!);
      await res.text();
    }
    await s.gw.runtime.settled();
    for (const id of ids) expect(await getUsageRecord(id)).toBeNull();

    // What CloudWatch holds: every line the function wrote, plus one poisoned by an older version.
    const moto = await startMoto();
    try {
      const awsEnv = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
      const aws = (args: string[]): Promise<string> =>
        new Promise((resolve, reject) =>
          execFile(AWS_BIN, [...args, '--endpoint-url', moto.endpoint], { env: { ...process.env, ...awsEnv }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
            err ? reject(new Error(`aws ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
          ),
        );
      const group = '/aws/lambda/ezybus-prod-chat-completions';
      await aws(['logs', 'create-log-group', '--log-group-name', group]);
      await aws(['logs', 'create-log-stream', '--log-group-name', group, '--log-stream-name', 's1']);
      const t0 = Date.now() - 60_000;
      const lines = [...s.logs, poisonedLine(recordOf(ids[0]!).keyId!)];
      const dir = mkdtempSync(join(tmpdir(), 'ezybus-recipe-'));
      writeFileSync(join(dir, 'events.json'), JSON.stringify(lines.map((message, i) => ({ timestamp: t0 + i, message }))));
      await aws(['logs', 'put-log-events', '--log-group-name', group, '--log-stream-name', 's1', '--log-events', `file://${join(dir, 'events.json')}`]);

      // The recipe, as docs/pricing.md writes it.
      const failed = await aws(['logs', 'filter-log-events', '--log-group-name', group, '--filter-pattern', '{ $.msg = "request" }', '--output', 'text']);
      writeFileSync(join(dir, 'failed.log'), failed);
      const first = await cli(['ledger', 'replay', join(dir, 'failed.log')], { EZYBUS_USAGE_TABLE: usageTable });
      expect(first.stderr).toMatch(/request req-poisoned\) skipped/);
      expect(first.code).toBe(3);
      for (const id of ids) expect(await getUsageRecord(id)).toMatchObject({ requestId: id });
      const written = Number(/(\d+) written/.exec(first.stdout)?.[1]);
      expect(written).toBeGreaterThanOrEqual(2);

      // The same recipe with --output json; replaying again writes nothing twice.
      const json = await aws(['logs', 'filter-log-events', '--log-group-name', group, '--filter-pattern', '{ $.msg = "request" }', '--output', 'json']);
      writeFileSync(join(dir, 'failed.json'), json);
      const second = await cli(['ledger', 'replay', join(dir, 'failed.json')], { EZYBUS_USAGE_TABLE: usageTable });
      expect(second.stdout).toMatch(/ 0 written, /);
      const present = Number(/(\d+) already in the ledger/.exec(first.stdout)?.[1]);
      expect(second.stdout).toMatch(new RegExp(` ${written + present} already in the ledger`));
    } finally {
      await moto.close();
    }
  }); // 180 s: moto, six AWS CLI and two ezybus processes on a busy machine
});
