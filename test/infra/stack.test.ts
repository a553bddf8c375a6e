/**
 * The CDK stack, synthesised offline for a dev and a prod stage (esbuild bundles included) and
 * checked with aws-cdk-lib/assertions, plus cdk-nag's AwsSolutions pack over the whole app.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadStages, parseStage, type StageConfig } from '../../lib/config.js';
import { EzyBusStack } from '../../lib/ezybus-stack.js';
import { ENDPOINTS } from '../../functions/endpoints.js';
import { applyNagSuppressions } from '../../lib/nag.js';
import { DEFAULT_STAGES } from '../../lib/stages.js';
import { synthWithNag } from '../helpers/cdk.js';

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-1111-2222-3333-444455556666';
const prodStage: StageConfig = parseStage({
  ...DEFAULT_STAGES.prod,
  name: 'prod',
  domain: { domainName: 'llm.example.com', certificateArn: CERT, hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' },
  originSecret: 'x'.repeat(40),
  loki: { url: 'https://logs-prod.grafana.net', tenant: '12345', credentialsCiphertext: 'AQICAHh0ZXN0' },
  alarmEmail: 'ops@example.com',
});
const devStage: StageConfig = parseStage({ ...DEFAULT_STAGES.dev, name: 'dev' });

let prod: Template;
let dev: Template;
let nagReport = '';

beforeAll(() => {
  const outdir = mkdtempSync(join(tmpdir(), 'ezybus-cdk-'));
  const app = new App({ outdir });
  const p = new EzyBusStack(app, 'EzyBus-prod', { stage: prodStage });
  const d = new EzyBusStack(app, 'EzyBus-dev', { stage: devStage });
  applyNagSuppressions(p);
  applyNagSuppressions(d);
  prod = Template.fromStack(p);
  dev = Template.fromStack(d);
  // cdk-nag runs as a validation plugin when the app synthesises; findings fail the synthesis.
  nagReport = synthWithNag(app, outdir);
}, 240_000);

const fnLogical = (t: Template, name: string): string => {
  const fns = t.findResources('AWS::Lambda::Function', { Properties: { FunctionName: name } });
  const id = Object.keys(fns)[0];
  if (!id) throw new Error(`no function ${name}`);
  return id;
};

/** Every IAM statement attached to a function's role. */
function statementsOf(t: Template, fnName: string): Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }> {
  const fn = t.findResources('AWS::Lambda::Function', { Properties: { FunctionName: fnName } });
  const role = (Object.values(fn)[0] as { Properties: { Role: { 'Fn::GetAtt': [string, string] } } }).Properties.Role['Fn::GetAtt'][0];
  const policies = t.findResources('AWS::IAM::Policy');
  const out: Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }> = [];
  for (const p of Object.values(policies) as { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: [] } } }[]) {
    if (p.Properties.Roles.some((r) => r.Ref === role)) out.push(...p.Properties.PolicyDocument.Statement);
  }
  return out;
}
const actionsOf = (t: Template, fnName: string): string[] => statementsOf(t, fnName).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

describe('functions', () => {
  it('a gateway function per endpoint on nodejs24.x arm64 with streaming Function URLs, auth NONE', () => {
    for (const { name } of ENDPOINTS) {
      prod.hasResourceProperties('AWS::Lambda::Function', { FunctionName: `ezybus-prod-${name}`, Runtime: 'nodejs24.x', Architectures: ['arm64'] });
      prod.hasResourceProperties('AWS::Lambda::Url', { TargetFunctionArn: { 'Fn::GetAtt': [fnLogical(prod, `ezybus-prod-${name}`), 'Arn'] }, AuthType: 'NONE', InvokeMode: 'RESPONSE_STREAM' });
    }
    prod.resourceCountIs('AWS::Lambda::Url', ENDPOINTS.length + 1); // + the admin function's (test/infra/admin-console.test.ts)
  });

  it('streaming functions run up to 15 minutes; the gateway’s own deadline sits below', () => {
    prod.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'ezybus-prod-messages',
      Timeout: 900,
      Environment: { Variables: Match.objectLike({ EZYBUS_TOTAL_TIMEOUT_MS: '840000', EZYBUS_STAGE: 'prod', EZYBUS_ORIGIN_SECRET_SHA256: Match.stringLikeRegexp('^[0-9a-f]{64}$') }) },
    });
  });

  it('the origin secret reaches the functions only as its SHA-256', () => {
    const text = JSON.stringify(prod.findResources('AWS::Lambda::Function'));
    expect(text).not.toContain('x'.repeat(40));
  });
});

describe('data', () => {
  it('four on-demand tables with pk/sk, point-in-time recovery, TTL on state and usage', () => {
    for (const name of ['keys', 'config', 'state', 'usage']) {
      prod.hasResourceProperties('AWS::DynamoDB::Table', {
        TableName: `ezybus-prod-${name}`,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        ...(name === 'state' || name === 'usage' ? { TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true } } : {}),
      });
    }
    expect(Object.values(prod.findResources('AWS::DynamoDB::Table', { Properties: { TableName: 'ezybus-prod-keys' } }))[0]).not.toHaveProperty('Properties.TimeToLiveSpecification');
  });

  it('a KMS key with rotation and the stage alias; prod retains data, dev does not', () => {
    prod.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    prod.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/ezybus-prod' });
    prod.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    dev.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });
});

describe('least privilege', () => {
  it('no wildcard actions anywhere', () => {
    for (const t of [prod, dev]) {
      for (const p of Object.values(t.findResources('AWS::IAM::Policy')) as { Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } } }[]) {
        for (const s of p.Properties.PolicyDocument.Statement) for (const a of [s.Action].flat()) expect(a).not.toMatch(/\*/);
      }
    }
  });

  it('the models function reads keys and routes, and nothing else', () => {
    expect(actionsOf(prod, 'ezybus-prod-models').sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query', 'kms:Decrypt', 'kms:DescribeKey', 'logs:CreateLogStream', 'logs:PutLogEvents'].sort());
  });

  it('functions that call upstreams: exactly the DynamoDB actions their code uses, KMS Decrypt bound to the stage', () => {
    for (const fn of ENDPOINTS.filter((e) => e.kind !== 'models').map((e) => `ezybus-prod-${e.name}`)) {
      const st = statementsOf(prod, fn);
      const actions = new Set(st.flatMap((s) => [s.Action].flat()));
      expect([...actions].sort()).toEqual(
        ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'logs:CreateLogStream', 'logs:PutLogEvents'].sort(),
      );
      // The usage table: budget reservations on the totals rows, nothing else (the ledger writer owns the rest).
      const usageArn = { 'Fn::GetAtt': [Object.keys(prod.findResources('AWS::DynamoDB::Table', { Properties: { TableName: 'ezybus-prod-usage' } }))[0], 'Arn'] };
      const onUsage = st.filter((s) => JSON.stringify(s.Resource).includes(JSON.stringify(usageArn)));
      expect(onUsage).toEqual([{ Effect: 'Allow', Action: ['dynamodb:UpdateItem', 'dynamodb:GetItem'], Resource: usageArn, Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['tot#*'] } } }]);
      expect(actions.has('dynamodb:Scan')).toBe(false);
      // Encrypt and GenerateDataKey only through DynamoDB (the tables use the stage key).
      for (const s of st.filter((x) => [x.Action].flat().some((a) => a === 'kms:Encrypt' || a === 'kms:GenerateDataKey'))) {
        expect(s.Condition).toEqual({ StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } });
      }
      const kms = st.find((s) => [s.Action].flat().includes('kms:Decrypt') && JSON.stringify(s.Condition).includes('EncryptionContext'));
      expect(kms?.Condition).toEqual({ StringEquals: { 'kms:EncryptionContext:ezybus:stage': 'prod' } });
      expect([kms?.Action].flat()).toEqual(['kms:Decrypt']); // no Encrypt, no GenerateDataKey
    }
  });

  it('the Loki shipper may decrypt only its own credentials', () => {
    const kms = statementsOf(prod, 'ezybus-prod-loki-shipper').find((s) => [s.Action].flat().includes('kms:Decrypt'));
    expect(kms?.Condition).toEqual({ StringEquals: { 'kms:EncryptionContext:ezybus:stage': 'prod', 'kms:EncryptionContext:ezybus:purpose': 'loki' } });
  });
});

describe('CloudFront', () => {
  const dist = (t: Template): { DistributionConfig: Record<string, unknown> } =>
    (Object.values(t.findResources('AWS::CloudFront::Distribution'))[0] as { Properties: { DistributionConfig: Record<string, unknown> } }).Properties;

  it('a behaviour per path pattern, in the endpoint list’s order, caching disabled, all viewer headers but Host, no compression', () => {
    const cfg = dist(prod).DistributionConfig as { CacheBehaviors: { PathPattern: string; Compress: boolean; CachePolicyId: string; OriginRequestPolicyId: string; AllowedMethods: string[]; ViewerProtocolPolicy: string }[] };
    const gateway = cfg.CacheBehaviors.filter((b) => b.PathPattern.startsWith('/v1')); // /admin/* and /console*: test/infra/admin-console.test.ts
    expect(gateway.map((b) => b.PathPattern)).toEqual(ENDPOINTS.flatMap((e) => e.patterns));
    // The Responses API and its /compact reach the responses function.
    expect(gateway.map((b) => b.PathPattern)).toContain('/v1/responses*');
    for (const b of gateway) {
      expect(b.Compress).toBe(false);
      expect(b.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // Managed-CachingDisabled
      expect(b.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac'); // Managed-AllViewerExceptHostHeader
      expect(b.AllowedMethods).toContain('POST');
      expect(b.ViewerProtocolPolicy).toBe('https-only');
    }
  });

  it('every path a client calls reaches the function that serves it (CloudFront’s first matching pattern)', () => {
    type Behavior = { PathPattern: string; TargetOriginId: string };
    type Origin = { Id: string; DomainName: unknown };
    const cfg = dist(prod).DistributionConfig as { CacheBehaviors: Behavior[]; DefaultCacheBehavior: { TargetOriginId: string }; Origins: Origin[] };
    const urls = prod.findResources('AWS::Lambda::Url') as Record<string, { Properties: { TargetFunctionArn: { 'Fn::GetAtt': [string, string] } } }>;
    const fns = prod.findResources('AWS::Lambda::Function') as Record<string, { Properties: { FunctionName: string } }>;
    const fnOfOrigin = (id: string): string => {
      // Origin → the Function URL resource its domain is read from → the function.
      const domain = JSON.stringify(cfg.Origins.find((x) => x.Id === id)!.DomainName);
      const urlId = Object.keys(urls).find((u) => domain.includes(`"${u}"`))!;
      const fnId = urls[urlId]!.Properties.TargetFunctionArn['Fn::GetAtt'][0];
      return fns[fnId]!.Properties.FunctionName.replace('ezybus-prod-', '');
    };
    const glob = (p: string): RegExp => new RegExp(`^${p.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    const served = (path: string): string => fnOfOrigin((cfg.CacheBehaviors.find((b) => glob(b.PathPattern).test(path)) ?? cfg.DefaultCacheBehavior).TargetOriginId);
    const cases: Record<string, string> = {
      '/v1/chat/completions': 'chat-completions',
      '/v1/messages': 'messages',
      '/v1/messages/count_tokens': 'count-tokens',
      '/v1beta/models/gemini-2.5-flash:countTokens': 'count-tokens',
      '/v1/models/gemini-2.5-flash:countTokens': 'count-tokens',
      '/v1beta/models/gemini-2.5-flash:generateContent': 'generate-content',
      '/v1beta/models/gemini-2.5-flash:streamGenerateContent': 'generate-content',
      '/v1/models/gemini-2.5-flash:generateContent': 'generate-content',
      '/v1/models/gemini-2.5-flash:streamGenerateContent': 'generate-content',
      '/v1/embeddings': 'embeddings',
      '/v1beta/models/text-embedding-004:embedContent': 'embeddings',
      '/v1beta/models/gemini-embedding-001:batchEmbedContents': 'embeddings',
      '/v1/models': 'models',
      '/v1/models/gpt-4.1': 'models',
      '/v1/models/openrouter/auto': 'models',
      '/v1beta/models': 'models',
      '/v1beta/models/gemini-2.5-flash': 'models',
    };
    for (const [path, fn] of Object.entries(cases)) expect([path, served(path)]).toEqual([path, fn]);
  });

  it('origins are the Function URLs, with the read timeout and the secret origin header', () => {
    const origins = (dist(prod).DistributionConfig as { Origins: { CustomOriginConfig: { OriginReadTimeout: number; OriginProtocolPolicy: string }; OriginCustomHeaders?: { HeaderName: string; HeaderValue: string }[] }[] }).Origins;
    expect(origins).toHaveLength(ENDPOINTS.length + 1); // the gateway functions and the admin function
    for (const o of origins) {
      expect(o.CustomOriginConfig).toMatchObject({ OriginReadTimeout: 60, OriginProtocolPolicy: 'https-only' });
      expect(o.OriginCustomHeaders).toEqual([{ HeaderName: 'x-ezybus-origin', HeaderValue: 'x'.repeat(40) }]);
    }
    // A stage without an operator secret gets a generated one, on every origin.
    const devOrigins = (dist(dev).DistributionConfig as { Origins: { OriginCustomHeaders?: unknown }[] }).Origins;
    const generated = Object.keys(dev.findResources('Custom::EzyBusOriginSecret'))[0];
    for (const o of devOrigins) expect(o.OriginCustomHeaders).toEqual([{ HeaderName: 'x-ezybus-origin', HeaderValue: { 'Fn::GetAtt': [generated, 'Secret'] } }]);
  });

  it('custom domain with the us-east-1 certificate and Route 53 aliases; none without a domain', () => {
    const cfg = dist(prod).DistributionConfig as { Aliases: string[]; ViewerCertificate: { AcmCertificateArn: string; MinimumProtocolVersion: string } };
    expect(cfg.Aliases).toEqual(['llm.example.com']);
    expect(cfg.ViewerCertificate).toMatchObject({ AcmCertificateArn: CERT, MinimumProtocolVersion: 'TLSv1.2_2021' });
    prod.resourceCountIs('AWS::Route53::RecordSet', 2);
    expect(dist(dev).DistributionConfig).not.toHaveProperty('Aliases');
    dev.resourceCountIs('AWS::Route53::RecordSet', 0);
  });
});

describe('observability', () => {
  it('a log group per function with the stage’s retention', () => {
    for (const name of [...ENDPOINTS.map((e) => e.name), 'loki-shipper', 'ledger-writer']) {
      prod.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/aws/lambda/ezybus-prod-${name}`, RetentionInDays: 90 });
    }
    dev.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/ezybus-dev-messages', RetentionInDays: 7 });
  });

  it('every gateway log group is subscribed to the Loki shipper, which fails over to a DLQ', () => {
    const toShipper = (t: Template): number =>
      Object.values(t.findResources('AWS::Logs::SubscriptionFilter')).filter((f) => JSON.stringify(f).includes(fnLogical(prod, 'ezybus-prod-loki-shipper'))).length;
    expect(toShipper(prod)).toBe(ENDPOINTS.length + 1); // the admin function's logs go to Loki too
    prod.hasResourceProperties('AWS::Logs::SubscriptionFilter', { DestinationArn: { 'Fn::GetAtt': [fnLogical(prod, 'ezybus-prod-loki-shipper'), 'Arn'] }, FilterPattern: '' });
    prod.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.objectLike({ 'Fn::GetAtt': Match.arrayWith(['Arn']) }) } },
    });
    prod.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'ezybus-prod-loki-dlq' });
    prod.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'ezybus-prod-loki-shipper',
      Environment: { Variables: Match.objectLike({ EZYBUS_LOKI_URL: 'https://logs-prod.grafana.net', EZYBUS_LOKI_CREDENTIALS_CIPHERTEXT: 'AQICAHh0ZXN0' }) },
    });
    expect(toShipper(dev)).toBe(0); // no Loki configured for dev
  });

  it('the usage ledger: request lines of every function that writes a record feed the writer, batched through a queue with a DLQ', () => {
    for (const [t, stage] of [[prod, 'prod'], [dev, 'dev']] as const) {
      const writer = fnLogical(t, `ezybus-${stage}-ledger-writer`);
      const filters = Object.values(t.findResources('AWS::Logs::SubscriptionFilter')).filter((f) => JSON.stringify(f).includes(writer)) as { Properties: { FilterPattern: string } }[];
      expect(filters).toHaveLength(ENDPOINTS.filter((e) => e.kind !== 'models').length);
      for (const f of filters) expect(f.Properties.FilterPattern).toBe('{ $.msg = "request" }');
      t.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: `ezybus-${stage}-ledger`,
        VisibilityTimeout: 360,
        RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
      });
      t.hasResourceProperties('AWS::SQS::Queue', { QueueName: `ezybus-${stage}-ledger-dlq`, MessageRetentionPeriod: 14 * 86_400 });
      t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: writer },
        BatchSize: 1000,
        MaximumBatchingWindowInSeconds: 5,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: writer }, MaximumRetryAttempts: 2 });
      t.hasResourceProperties('AWS::Lambda::Function', { FunctionName: `ezybus-${stage}-ledger-writer`, Timeout: 60, Architectures: ['arm64'] });
    }
  });

  it('the ledger writer: the usage table’s writes and reads it needs, its queue, its log group, nothing else', () => {
    const actions = [...new Set(actionsOf(prod, 'ezybus-prod-ledger-writer'))].sort();
    expect(actions).toEqual(
      [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
        'sqs:SendMessage',
      ].sort(),
    );
    const dynamoStatements = statementsOf(prod, 'ezybus-prod-ledger-writer').filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
    expect(JSON.stringify(dynamoStatements)).toContain('UsageTable');
    for (const t of ['KeysTable', 'ConfigTable', 'StateTable']) expect(JSON.stringify(dynamoStatements)).not.toContain(t);
  });

  it('alarms on error rate, throttles, shipper failures and DLQ depth; a dashboard', () => {
    const alarms = Object.values(prod.findResources('AWS::CloudWatch::Alarm')) as { Properties: { AlarmDescription: string } }[];
    const d = alarms.map((a) => a.Properties.AlarmDescription).join('\n');
    for (const { key: fn } of ENDPOINTS) {
      expect(d).toContain(`${fn}: more than 5 %`);
      expect(d).toContain(`${fn}: Lambda throttled`);
    }
    expect(d).toContain('Loki shipper: pushes failing');
    expect(d).toContain('Loki shipper: log batches parked in the DLQ');
    expect(d).toContain('Usage ledger: record batches parked in the DLQ');
    prod.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'ezybus-prod' });
    const body = JSON.stringify(prod.findResources('AWS::CloudWatch::Dashboard'));
    for (const m of ['TTFB', 'InputTokens', 'CostMicros', 'Failovers']) expect(body).toContain(m);
    // The Web Functions mode's own alarm sources (lib/web-monitoring.ts) are not in this mode.
    expect(body).not.toContain('AWS/Lambda/Web');
    prod.resourceCountIs('AWS::Logs::MetricFilter', 0);
  });
});

describe('configuration', () => {
  it('refuses bad stage settings with the field named', () => {
    expect(() => parseStage({ ...DEFAULT_STAGES.dev, name: 'Prod!' })).toThrow(/stage 'Prod!': name:/);
    expect(() => parseStage({ ...DEFAULT_STAGES.dev, name: 'x', domain: { domainName: 'a.example.com', certificateArn: CERT.replace('us-east-1', 'eu-west-1') } })).toThrow(/domain.certificateArn: CloudFront needs an ACM certificate in us-east-1/);
    expect(() => parseStage({ ...DEFAULT_STAGES.dev, name: 'x', originReadTimeoutSeconds: 300 })).toThrow(/originReadTimeoutSeconds/);
    expect(() => parseStage({ ...DEFAULT_STAGES.dev, name: 'x', logRetentionDays: 10 })).toThrow(/log retention must be one of/);
    expect(() => parseStage({ ...DEFAULT_STAGES.dev, name: 'x', originSecret: 'short' })).toThrow(/at least 32/);
    expect(() => parseStage({ ...DEFAULT_STAGES.dev, name: 'x', surprise: 1 })).toThrow(/surprise|Unrecognized/);
  });

  it('stages come from the defaults plus an overrides file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ezybus-stages-'));
    const file = join(dir, 'stages.json');
    writeFileSync(file, JSON.stringify({ staging: { logRetentionDays: 30 }, prod: { memoryMb: { chat: 2048, messages: 2048, models: 256, shipper: 256 } } }));
    const stages = loadStages(DEFAULT_STAGES, file);
    expect(stages.map((s) => s.name).sort()).toEqual(['dev', 'prod', 'staging']);
    expect(stages.find((s) => s.name === 'staging')).toMatchObject({ logRetentionDays: 30, removalPolicy: 'destroy' });
    expect(stages.find((s) => s.name === 'prod')?.memoryMb.chat).toBe(2048);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('passes, every acknowledgment carrying its reason in lib/nag.ts', () => {
    expect(nagReport).not.toMatch(/AwsSolutions-[A-Z]+\d+/);
  });

  it('would fail without them (the check really runs)', { timeout: 180_000 }, () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'ezybus-cdk-control-')) });
    new EzyBusStack(app, 'EzyBus-control', { stage: devStage });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow();
  });
});
