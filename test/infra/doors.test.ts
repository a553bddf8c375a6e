/**
 * The stack's doors: Function URLs refuse direct calls even when the operator supplies no origin
 * secret (one is generated at deploy time, and the generator really runs here, against a local
 * stand-in for CloudFormation's response URL), each function has a reserved-concurrency cap,
 * and tables and log groups are encrypted with the stage's customer-managed key.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseStage } from '../../lib/config.js';
import { EzyBusStack } from '../../lib/ezybus-stack.js';
import { applyNagSuppressions } from '../../lib/nag.js';
import { ORIGIN_SECRET_HANDLER } from '../../lib/origin-secret.js';
import { DEFAULT_STAGES } from '../../lib/stages.js';

let dev: Template;
let prod: Template;
let unreserved: Template;
beforeAll(() => {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'ezybus-doors-')) });
  const d = new EzyBusStack(app, 'EzyBus-dev', { stage: parseStage({ ...DEFAULT_STAGES.dev, name: 'dev', loki: { url: 'https://logs.example.com', limits: { maxLineBytes: 65_536, maxPushBytes: 524_288 } } }) });
  const p = new EzyBusStack(app, 'EzyBus-prod', { stage: parseStage({ ...DEFAULT_STAGES.prod, name: 'prod', originSecret: 'y'.repeat(48) }) });
  const x = new EzyBusStack(app, 'EzyBus-x', {
    stage: parseStage({ ...DEFAULT_STAGES.dev, name: 'x', originSecret: 'z'.repeat(40), reservedConcurrency: { chat: null, messages: 3, models: null, shipper: null, admin: null, ledger: null } }),
  });
  applyNagSuppressions(d);
  dev = Template.fromStack(d);
  prod = Template.fromStack(p);
  unreserved = Template.fromStack(x);
}, 240_000);

const fnByName = (t: Template, name: string): { Properties: Record<string, unknown> } =>
  Object.values(t.findResources('AWS::Lambda::Function', { Properties: { FunctionName: name } }))[0] as { Properties: Record<string, unknown> };

describe('origin secret', () => {
  it('without an operator secret, a generated one guards every Function URL; the functions get only its hash', () => {
    const [id] = Object.keys(dev.findResources('Custom::EzyBusOriginSecret'));
    expect(id).toBeDefined();
    for (const name of ['chat-completions', 'messages', 'models']) {
      const env = (fnByName(dev, `ezybus-dev-${name}`).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env.EZYBUS_ORIGIN_SECRET_SHA256).toEqual({ 'Fn::GetAtt': [id, 'SecretSha256'] });
      expect(JSON.stringify(env)).not.toContain('"Secret"]');
    }
    // The generator holds no secret of its own and logs nothing.
    const gen = fnByName(dev, 'ezybus-dev-origin-secret').Properties;
    expect(gen.Environment).toBeUndefined();
    expect(ORIGIN_SECRET_HANDLER).not.toMatch(/console\./);
    // With an operator secret, none is generated.
    expect(Object.keys(prod.findResources('Custom::EzyBusOriginSecret'))).toHaveLength(0);
  });

  it('the generator makes a 256-bit secret on Create, keeps it on Update, replaces it on rotation, and answers NoEcho', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ezybus-cr-'));
    writeFileSync(join(dir, 'index.cjs'), ORIGIN_SECRET_HANDLER);
    const { handler } = createRequire(import.meta.url)(join(dir, 'index.cjs')) as { handler: (e: Record<string, unknown>) => Promise<void> };
    const answers: Array<Record<string, unknown>> = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        answers.push({ method: req.method, ...(JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>) });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`;
    const base = { StackId: 'stack', RequestId: 'r', LogicalResourceId: 'OriginSecret', ResponseURL: url };
    try {
      await handler({ ...base, RequestType: 'Create', ResourceProperties: { Rotation: '0' } });
      await handler({ ...base, RequestType: 'Update', PhysicalResourceId: 'p1', ResourceProperties: { Rotation: '0', X: 1 }, OldResourceProperties: { Rotation: '0' } });
      await handler({ ...base, RequestType: 'Update', PhysicalResourceId: 'p1', ResourceProperties: { Rotation: '1' }, OldResourceProperties: { Rotation: '0' } });
      await handler({ ...base, RequestType: 'Delete', PhysicalResourceId: 'p1', ResourceProperties: { Rotation: '1' } });
    } finally {
      server.close();
    }
    const [created, kept, rotated, deleted] = answers as Array<{ method: string; Status: string; NoEcho: boolean; Data: { Secret?: string; SecretSha256?: string } }>;
    expect(created).toMatchObject({ method: 'PUT', Status: 'SUCCESS', NoEcho: true });
    expect(created!.Data.Secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const { createHash } = await import('node:crypto');
    expect(created!.Data.SecretSha256).toBe(createHash('sha256').update(created!.Data.Secret!).digest('hex'));
    expect(kept?.Status).toBe('FAILED'); // an update never silently changes (or drops) the secret
    expect(rotated?.Status).toBe('SUCCESS');
    expect(rotated?.Data.Secret).not.toBe(created!.Data.Secret);
    expect(deleted).toMatchObject({ Status: 'SUCCESS', Data: {} });
  });
});

describe('reserved concurrency', () => {
  it('every function has a per-stage cap; the defaults leave the account’s unreserved pool', () => {
    const caps = (t: Template, stage: string): Record<string, unknown> =>
      Object.fromEntries(['chat-completions', 'messages', 'models', 'loki-shipper', 'origin-secret'].map((n) => [n, fnByName(t, `ezybus-${stage}-${n}`)?.Properties.ReservedConcurrentExecutions]));
    expect(caps(dev, 'dev')).toEqual({ 'chat-completions': 20, messages: 20, models: 5, 'loki-shipper': 2, 'origin-secret': 1 });
    const p = caps(prod, 'prod');
    expect(p).toMatchObject({ 'chat-completions': 200, messages: 200, models: 20 });
    expect((p['chat-completions'] as number) + (p.messages as number) + (p.models as number) + 5).toBeLessThanOrEqual(900);
    // Every function the stack makes (not only the ones named above) has its cap, and all of
    // them together leave the 100 executions AWS keeps unreserved under the default 1,000 quota.
    for (const [t, stage] of [[dev, 'dev'], [prod, 'prod']] as const) {
      const ours = Object.values(t.findResources('AWS::Lambda::Function')).map((f) => (f as { Properties: Record<string, unknown> }).Properties).filter((f) => String(f.FunctionName ?? '').startsWith(`ezybus-${stage}-`));
      expect(ours.length).toBeGreaterThanOrEqual(9); // seven endpoints, the admin function and the ledger writer at least
      for (const f of ours) expect(f.ReservedConcurrentExecutions, String(f.FunctionName)).toBeGreaterThan(0);
      expect(ours.reduce((n, f) => n + (f.ReservedConcurrentExecutions as number), 0)).toBeLessThanOrEqual(900);
    }
  });

  it('the ledger queue’s batches take at most half the ledger writer’s cap, leaving room for the log subscription’s intake', () => {
    const cap = fnByName(prod, 'ezybus-prod-ledger-writer').Properties.ReservedConcurrentExecutions as number;
    const sources = Object.values(prod.findResources('AWS::Lambda::EventSourceMapping')) as Array<{ Properties: { ScalingConfig?: { MaximumConcurrency?: number } } }>;
    expect(sources).toHaveLength(1);
    expect(sources[0]!.Properties.ScalingConfig?.MaximumConcurrency).toBe(cap / 2);
  });

  it('null leaves a function unreserved; provisioned concurrency above the cap is refused', () => {
    const t = unreserved;
    expect(fnByName(t, 'ezybus-x-chat-completions').Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(fnByName(t, 'ezybus-x-messages').Properties.ReservedConcurrentExecutions).toBe(3);
    expect(() => parseStage({ ...DEFAULT_STAGES.dev, name: 'y', provisionedConcurrency: { chat: 30 } })).toThrow(/cannot exceed the function’s reserved concurrency/);
  });
});

describe('customer-managed encryption', () => {
  it('tables and every log group use the stage key; CloudWatch Logs may use it only for this stage’s groups', () => {
    const key = Object.keys(dev.findResources('AWS::KMS::Key'))[0]!;
    for (const t of Object.values(dev.findResources('AWS::DynamoDB::Table')) as Array<{ Properties: { SSESpecification: unknown } }>) {
      expect(t.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    }
    const groups = Object.values(dev.findResources('AWS::Logs::LogGroup')) as Array<{ Properties: { KmsKeyId?: unknown } }>;
    expect(groups.length).toBeGreaterThanOrEqual(5);
    for (const g of groups) expect(g.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [key, 'Arn'] });
    dev.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });
});

describe('checkov acknowledgments (lib/checkov.ts; `npm run checkov` runs checkov itself)', () => {
  it('each carries its reason, and none covers a check the stack fixes', () => {
    const skips = Object.values(dev.toJSON().Resources as Record<string, { Metadata?: { checkov?: { skip: Array<{ id: string; comment: string }> } } }>).flatMap((r) => r.Metadata?.checkov?.skip ?? []);
    for (const s of skips) expect(s.comment.length).toBeGreaterThan(60);
    expect([...new Set(skips.map((s) => s.id))].sort()).toEqual(['CKV_AWS_116', 'CKV_AWS_117', 'CKV_AWS_173', 'CKV_AWS_174', 'CKV_AWS_258', 'CKV_AWS_68', 'CKV_AWS_86']);
  });
});

describe('Loki tenant limits per stage', () => {
  it('become the shipper’s EZYBUS_LOKI_MAX_* settings', () => {
    const env = (fnByName(dev, 'ezybus-dev-loki-shipper').Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env).toMatchObject({ EZYBUS_LOKI_MAX_LINE_BYTES: '65536', EZYBUS_LOKI_MAX_PUSH_BYTES: '524288' });
    expect(env.EZYBUS_LOKI_MAX_PUSH_ENTRIES).toBeUndefined();
  });
});
