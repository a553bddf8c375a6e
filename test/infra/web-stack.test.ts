/**
 * A Web Functions stage, synthesised offline and checked with aws-cdk-lib/assertions and
 * cdk-nag: one Web Function, its revision and endpoint (from the L1s), no gateway Function
 * URLs, CloudFront sending every path to the endpoint with the origin secret, the gateway's
 * deadline below the revision's timeout, a least-privilege role, the log group shipped to Loki.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINTS } from '../../functions/endpoints.js';
import { parseStage } from '../../lib/config.js';
import { EzyBusStack } from '../../lib/ezybus-stack.js';
import { applyNagSuppressions } from '../../lib/nag.js';
import { DEFAULT_STAGES } from '../../lib/stages.js';
import { synthWithNag } from '../helpers/cdk.js';

const stage = parseStage({
  ...DEFAULT_STAGES.prod,
  name: 'web',
  compute: { mode: 'web-functions', maxConcurrencyPerEnvironment: 96, maxEnvironments: 20, rateLimit: 500 },
  originSecret: 's'.repeat(40),
  loki: { url: 'https://logs-prod.grafana.net', tenant: '12345' },
});

let t: Template;
let nagReport = '';
beforeAll(() => {
  const outdir = mkdtempSync(join(tmpdir(), 'ezybus-cdk-web-'));
  const app = new App({ outdir });
  const stack = new EzyBusStack(app, 'EzyBus-web', { stage });
  applyNagSuppressions(stack);
  t = Template.fromStack(stack);
  // cdk-nag runs as a validation plugin when the app synthesises; findings fail the synthesis.
  nagReport = synthWithNag(app, outdir);
}, 240_000);

const only = <T>(r: Record<string, T>): [string, T] => {
  const e = Object.entries(r);
  expect(e).toHaveLength(1);
  return e[0]!;
};
type Props = { Properties: Record<string, unknown> };

describe('Web Functions stage', () => {
  it('one Web Function, one revision on nodejs24.x, one endpoint; no gateway Function URLs', () => {
    t.resourceCountIs('AWS::Lambda::WebFunction', 1);
    t.resourceCountIs('AWS::Lambda::WebFunctionRevision', 1);
    t.resourceCountIs('AWS::Lambda::WebFunctionEndpoint', 1);
    // The one Function URL left is the admin API's (lib/admin-console.ts), the same in both modes.
    const urls = Object.values(t.findResources('AWS::Lambda::Url')) as Props[];
    expect(urls).toHaveLength(1);
    expect(JSON.stringify(urls[0]!.Properties.TargetFunctionArn)).toMatch(/admin/i);
    t.hasResourceProperties('AWS::Lambda::WebFunction', { FunctionName: 'ezybus-web-gateway' });
    expect(Object.keys(t.findResources('AWS::Lambda::Function', { Properties: { FunctionName: Match.stringLikeRegexp('chat|messages|models') } }))).toEqual([]);
    t.hasResourceProperties('AWS::Lambda::WebFunctionRevision', {
      BuildConfig: { RuntimeConfig: { Runtime: 'nodejs24.x' } },
      ServiceConfig: Match.objectLike({ MaxConcurrencyPerEnvironment: 96, TimeoutSeconds: 900 }),
    });
  });

  it('the endpoint: public to CloudFront only through the gateway’s own checks, with the stage’s scaling and rate caps', () => {
    const [, ep] = only(t.findResources('AWS::Lambda::WebFunctionEndpoint')) as [string, Props];
    const [revId] = only(t.findResources('AWS::Lambda::WebFunctionRevision'));
    expect(ep.Properties).toMatchObject({
      AuthType: 'ApplicationManaged',
      EndpointType: 'HomeRegion',
      ScalingConfig: { MaxEnvironments: 20 },
      ThrottleConfig: { RateLimit: 500 },
      RevisionWeights: [{ RevisionId: { 'Fn::GetAtt': [revId, 'RevisionId'] }, Weight: 100 }],
    });
  });

  it('the gateway’s total deadline sits a minute below the revision’s timeout; the origin secret arrives only as its hash', () => {
    const [, rev] = only(t.findResources('AWS::Lambda::WebFunctionRevision')) as [string, Props];
    const env = (rev.Properties.ServiceConfig as { EnvironmentVariables: Record<string, string> }).EnvironmentVariables;
    expect(Number(env.EZYBUS_TOTAL_TIMEOUT_MS)).toBe(840_000);
    expect(Number(env.EZYBUS_REVISION_TIMEOUT_MS)).toBe(900_000);
    expect(env.AWS_LAMBDA_NODEJS_ENTRYPOINT).toBe('index.mjs');
    expect(env.EZYBUS_ORIGIN_SECRET_SHA256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rev)).not.toContain('s'.repeat(40)); // only CloudFront holds the secret itself
  });

  it('CloudFront sends every gateway path to the endpoint, over HTTPS, with the secret header', () => {
    const [, dist] = only(t.findResources('AWS::CloudFront::Distribution')) as [string, Props];
    const [epId] = only(t.findResources('AWS::Lambda::WebFunctionEndpoint'));
    const cfg = dist.Properties.DistributionConfig as { Origins: { Id: string; DomainName: unknown; CustomOriginConfig: { OriginProtocolPolicy: string }; OriginCustomHeaders?: { HeaderName: string }[] }[]; CacheBehaviors: { PathPattern: string; TargetOriginId: string }[] };
    const web = cfg.Origins.find((o) => JSON.stringify(o.DomainName) === JSON.stringify({ 'Fn::GetAtt': [epId, 'DomainName'] }));
    expect(web).toBeDefined();
    expect(web!.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
    expect(web!.OriginCustomHeaders?.map((h) => h.HeaderName)).toEqual(['x-ezybus-origin']);
    const toWeb = cfg.CacheBehaviors.filter((b) => b.TargetOriginId === web!.Id).map((b) => b.PathPattern);
    expect(toWeb.sort()).toEqual(ENDPOINTS.flatMap((e) => [...e.patterns]).sort());
  });

  it('its role: its own log group, the union of the endpoints’ table actions, KMS Decrypt bound to the stage — nothing else', () => {
    const [, rev] = only(t.findResources('AWS::Lambda::WebFunctionRevision')) as [string, Props];
    const roleId = ((rev.Properties.ServiceConfig as { ExecutionRoleArn: { 'Fn::GetAtt': [string, string] } }).ExecutionRoleArn)['Fn::GetAtt'][0];
    const statements = Object.values(t.findResources('AWS::IAM::Policy') as Record<string, { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown; Condition?: unknown }[] } } }>)
      .filter((p) => p.Properties.Roles.some((r) => r.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();
    expect([...new Set(actions)]).toEqual(
      // kms:DescribeKey/Encrypt/GenerateDataKey only through DynamoDB (kms:ViaService): the tables are encrypted with the stage key.
      ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'logs:CreateLogStream', 'logs:PutLogEvents'].sort(),
    );
    expect(JSON.stringify(statements)).not.toMatch(/"Resource":"\*"/);
    expect(statements.find((s) => s.Action === 'kms:Decrypt')?.Condition).toEqual({ StringEquals: { 'kms:EncryptionContext:ezybus:stage': 'web' } });
    const role = t.findResources('AWS::IAM::Role')[roleId] as Props;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('its log group is the revision’s and is subscribed to the Loki shipper', () => {
    const [, rev] = only(t.findResources('AWS::Lambda::WebFunctionRevision')) as [string, Props];
    const lg = ((rev.Properties.ServiceConfig as { TelemetryConfig: { LoggingConfig: { LogGroup: { Ref: string } } } }).TelemetryConfig.LoggingConfig.LogGroup).Ref;
    t.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/ezybus-web-gateway' });
    t.hasResourceProperties('AWS::Logs::SubscriptionFilter', { LogGroupName: { Ref: lg }, FilterPattern: '' });
  });

  it('alarms: edge error rate, 5xx and throttles the platform answered, the shipper; metric filters on the gateway’s request lines', () => {
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')) as { Properties: { AlarmDescription: string; Metrics?: { Id: string; Expression?: string; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: unknown }[] } } }[] } }[];
    const by = (text: string): (typeof alarms)[number] => {
      const a = alarms.find((x) => x.Properties.AlarmDescription.includes(text));
      expect(a, text).toBeDefined();
      return a!;
    };
    const stat = (a: (typeof alarms)[number], id: string) => a.Properties.Metrics!.find((m) => m.Id === id)!.MetricStat!.Metric;
    const rate = by('gateway: more than 5 %');
    expect(stat(rate, 'err')).toMatchObject({ Namespace: 'EzyBus', MetricName: 'EdgeErrors', Dimensions: [{ Name: 'Stage', Value: 'web' }] });
    expect(stat(rate, 'inv')).toMatchObject({ Namespace: 'EzyBus', MetricName: 'GatewayRequests' });
    const platformDims = [{ Name: 'EndpointName', Value: 'prod' }, { Name: 'FunctionName', Value: 'ezybus-web-gateway' }];
    const errors = by('answered 5xx the gateway never wrote');
    expect(stat(errors, 'p5xx')).toMatchObject({ Namespace: 'AWS/Lambda/Web', MetricName: 'HTTPResponseStatusClass5XX' });
    expect([...stat(errors, 'p5xx').Dimensions].sort((a, b) => a.Name.localeCompare(b.Name))).toEqual(platformDims);
    expect(stat(errors, 'g5xx').MetricName).toBe('GatewayResponses5xx');
    const throttles = by('turned requests away');
    expect(stat(throttles, 'p4xx')).toMatchObject({ Namespace: 'AWS/Lambda/Web', MetricName: 'HTTPResponseStatusClass4XX' });
    expect(stat(throttles, 'g4xx').MetricName).toBe('GatewayResponses4xx');
    const d = alarms.map((a) => a.Properties.AlarmDescription).join('\n');
    expect(d).toContain('Loki shipper: pushes failing');
    expect(d).toContain('Loki shipper: log batches parked in the DLQ');
    // No alarm reads a per-endpoint Lambda function that this stage does not have.
    expect(d).not.toMatch(/Lambda throttled/);

    const filters = Object.values(t.findResources('AWS::Logs::MetricFilter')) as { Properties: { LogGroupName: { Ref: string }; FilterPattern: string; MetricTransformations: { MetricName: string; MetricValue: string; Dimensions: { Key: string; Value: string }[] }[] } }[];
    const [lg] = only(t.findResources('AWS::Logs::LogGroup', { Properties: { LogGroupName: '/aws/lambda/ezybus-web-gateway' } }));
    expect(filters.every((f) => f.Properties.LogGroupName.Ref === lg)).toBe(true);
    const pattern = (name: string): string => filters.find((f) => f.Properties.MetricTransformations[0]!.MetricName === name)!.Properties.FilterPattern;
    expect(pattern('GatewayRequests')).toBe('{ $.msg = "request" }');
    expect(pattern('GatewayResponses5xx')).toBe('{ $.msg = "request" && $.status >= 500 }');
    expect(pattern('GatewayResponses4xx')).toBe('{ $.msg = "request" && $.status >= 400 && $.status < 500 }');
    const duration = filters.find((f) => f.Properties.MetricTransformations[0]!.MetricName === 'GatewayDurationMs')!.Properties.MetricTransformations[0]!;
    expect(duration.MetricValue).toBe('$.durationMs');
    expect(duration.Dimensions).toEqual([{ Key: 'Stage', Value: '$.Stage' }]);
  });

  it('the dashboard: the gateway’s EMF metrics as in the other mode, and the Web Function’s duration and 5xx', () => {
    t.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'ezybus-web' });
    const body = JSON.stringify(t.findResources('AWS::CloudWatch::Dashboard'));
    for (const m of ['TTFB', 'InputTokens', 'CostMicros', 'Failovers', 'GatewayDurationMs', 'EdgeErrors', 'HTTPResponseStatusClass5XX']) expect(body).toContain(m);
    expect(body).not.toContain('ConcurrentExecutions');
  });

  it('the code bucket WebFunctionCode requires: versioned, SSE-S3', () => {
    t.hasResourceProperties('AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' }, BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } });
  });

  it('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    expect(nagReport).not.toMatch(/AwsSolutions-[A-Z]+\d+/);
  });

  it('a rate limit AWS does not accept is refused with the accepted values', () => {
    expect(() => parseStage({ ...DEFAULT_STAGES.dev, name: 'x', compute: { mode: 'web-functions', rateLimit: 150 } })).toThrow(/rate limit must be one of 0, 100/);
    expect(() => parseStage({ ...DEFAULT_STAGES.dev, name: 'x', compute: { mode: 'web-functions', maxConcurrencyPerEnvironment: 129 } })).toThrow(/maxConcurrencyPerEnvironment/);
  });
});
