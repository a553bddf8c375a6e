/**
 * One EzyBus stage: DynamoDB tables, the stage's KMS key, a streaming Lambda per endpoint behind
 * its own Function URL, CloudFront in front (optionally on a custom domain), log groups shipped
 * to Loki, alarms and a dashboard. Every function gets only the permissions its code uses.
 */
import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as logDestinations from 'aws-cdk-lib/aws-logs-destinations';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { AdminConsole } from './admin-console.js';
import { originSecretSha256, type StageConfig } from './config.js';
import { COUNT_LAZY, withLazyPackage } from './lazy-modules.js';
import { ENDPOINTS, type Endpoint, type EndpointKey } from '../functions/endpoints.js';
import { LedgerWriter } from './ledger-writer.js';

const root = join(import.meta.dirname, '..');

export interface EzyBusStackProps extends StackProps {
  stage: StageConfig;
}

type TableName = 'keys' | 'config' | 'state' | 'usage';
/** A gateway function, by its key in the endpoint list (functions/endpoints.ts). */
type GatewayFn = EndpointKey;

/** The DynamoDB actions each function's code issues, per table (see functions/shared/store). */
const CALLS_UPSTREAM: Partial<Record<TableName, string[]>> = {
  keys: ['dynamodb:GetItem'],
  config: ['dynamodb:Query', 'dynamodb:GetItem'],
  state: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
  // Budget reservations only (the ledger writer owns every other usage write), on totals rows;
  // the read finds leaked reservations when one is refused.
  usage: ['dynamodb:UpdateItem', 'dynamodb:GetItem'],
};
const ACCESS: Record<Endpoint['kind'], Partial<Record<TableName, string[]>>> = {
  completion: CALLS_UPSTREAM,
  // Counting and embeddings: the same reads and writes (keys, routes, rate windows, key health, the ledger).
  unary: CALLS_UPSTREAM,
  models: { keys: ['dynamodb:GetItem'], config: ['dynamodb:Query'] },
};

const COMPLETIONS = ENDPOINTS.filter((e) => e.kind === 'completion');
/** Every function that calls upstreams, and so decrypts upstream keys. */
const UPSTREAM_CALLERS = ENDPOINTS.filter((e) => e.kind !== 'models');
/** Stage settings per function key; an endpoint without its own takes the completion defaults. */
const memoryOf = (cfg: StageConfig, key: GatewayFn): number => (cfg.memoryMb as Partial<Record<string, number>>)[key] ?? cfg.memoryMb.chat;
const provisionedOf = (cfg: StageConfig, key: GatewayFn): number => (cfg.provisionedConcurrency as Partial<Record<string, number>>)[key] ?? 0;

/** esbuild locally (no Docker), ESM, minified; the SDK stays out (the runtime ships it). */
function bundling(): nodejs.BundlingOptions {
  return {
    format: nodejs.OutputFormat.ESM,
    minify: true,
    target: 'node24',
    sourceMap: false,
    externalModules: ['@aws-sdk/*', '@smithy/*'],
    forceDockerBundling: false,
    mainFields: ['module', 'main'],
  };
}

export class EzyBusStack extends Stack {
  readonly tables: Record<TableName, dynamodb.Table>;
  readonly key: kms.Key;
  readonly functions: Record<GatewayFn, lambda.Function>;
  readonly distribution: cloudfront.Distribution;
  readonly shipper: lambda.Function | undefined;
  readonly shipperDlq: sqs.Queue | undefined;
  readonly hasCustomDomain: boolean;
  readonly admin: AdminConsole;
  readonly ledger: LedgerWriter;

  constructor(scope: Construct, id: string, props: EzyBusStackProps) {
    super(scope, id, props);
    const cfg = props.stage;
    const stage = cfg.name;
    this.hasCustomDomain = cfg.domain !== undefined;
    const removal = cfg.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    Tags.of(this).add('ezybus:stage', stage);

    // ---- KMS: one key per stage encrypts upstream keys (with an encryption context per record) ----
    this.key = new kms.Key(this, 'Key', {
      alias: `alias/ezybus-${stage}`,
      description: `EzyBus ${stage}: upstream provider keys and the Loki credentials`,
      enableKeyRotation: true,
      removalPolicy: removal,
    });

    // ---- DynamoDB: four tables, pk/sk strings; state and usage expire items by `ttl` ----
    const table = (name: TableName, ttl: boolean): dynamodb.Table =>
      new dynamodb.Table(this, `${name[0]!.toUpperCase()}${name.slice(1)}Table`, {
        tableName: `ezybus-${stage}-${name}`,
        partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        ...(ttl ? { timeToLiveAttribute: 'ttl' } : {}),
        removalPolicy: removal,
      });
    this.tables = { keys: table('keys', false), config: table('config', false), state: table('state', true), usage: table('usage', true) };

    // ---- the gateway functions ----
    const secretSha = originSecretSha256(cfg);
    const env: Record<string, string> = {
      EZYBUS_STAGE: stage,
      EZYBUS_KEYS_TABLE: this.tables.keys.tableName,
      EZYBUS_CONFIG_TABLE: this.tables.config.tableName,
      EZYBUS_STATE_TABLE: this.tables.state.tableName,
      EZYBUS_USAGE_TABLE: this.tables.usage.tableName,
      EZYBUS_KMS_KEY_ARN: this.key.keyArn,
      EZYBUS_LOG_LEVEL: cfg.logLevel,
      // Under the 15-minute function timeout, so the gateway ends a stream cleanly first.
      EZYBUS_TOTAL_TIMEOUT_MS: String(14 * 60_000),
      NODE_OPTIONS: '--enable-source-maps=false',
      ...(secretSha ? { EZYBUS_ORIGIN_SECRET_SHA256: secretSha } : {}),
    };
    const logGroups: Record<string, logs.LogGroup> = {};
    const makeFunction = (name: string, entry: string, memoryMb: number, timeout: Duration, environment: Record<string, string>, bundle = bundling()): lambda.Function => {
      const fnName = `ezybus-${stage}-${name}`;
      const logGroup = new logs.LogGroup(this, `${name}Logs`, {
        logGroupName: `/aws/lambda/${fnName}`,
        retention: cfg.logRetentionDays as logs.RetentionDays,
        removalPolicy: removal,
      });
      logGroups[name] = logGroup;
      // An explicit role: only its own log group, instead of the managed basic-execution policy.
      const role = new iam.Role(this, `${name}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: `EzyBus ${stage} ${name}` });
      role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
      return new nodejs.NodejsFunction(this, `${name}Function`, {
        functionName: fnName,
        entry: join(root, entry),
        handler: 'handler',
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: memoryMb,
        timeout,
        role,
        logGroup,
        environment,
        bundling: bundle,
        projectRoot: root,
        depsLockFilePath: join(root, 'package-lock.json'),
      });
    };
    const streamTimeout = Duration.minutes(15);
    this.functions = Object.fromEntries(
      ENDPOINTS.map((e) => [
        e.key,
        makeFunction(e.name, e.entry, memoryOf(cfg, e.key), e.kind === 'completion' ? streamTimeout : e.kind === 'unary' ? Duration.minutes(2) : Duration.seconds(10), env, e.key === 'count' ? withLazyPackage(bundling(), root, COUNT_LAZY) : bundling()),
      ]),
    ) as Record<GatewayFn, lambda.Function>;
    const tableArns = (t: dynamodb.Table): string[] => [t.tableArn];
    for (const e of ENDPOINTS) {
      for (const [t, actions] of Object.entries(ACCESS[e.kind]) as [TableName, string[]][]) {
        // In the usage table the gateway may touch only the per-key totals rows (`tot#…`).
        const conditions = t === 'usage' ? { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['tot#*'] } } : undefined;
        this.functions[e.key].addToRolePolicy(new iam.PolicyStatement({ actions, resources: tableArns(this.tables[t]), ...(conditions ? { conditions } : {}) }));
      }
    }
    // Only the functions that call upstreams decrypt upstream keys, and only this stage's records.
    for (const { key: fn } of UPSTREAM_CALLERS) {
      this.functions[fn].addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [this.key.keyArn],
          conditions: { StringEquals: { 'kms:EncryptionContext:ezybus:stage': stage } },
        }),
      );
    }

    // ---- Function URLs (streaming), on a provisioned alias when configured ----
    const urls = {} as Record<GatewayFn, lambda.FunctionUrl>;
    for (const { key: fn, kind } of ENDPOINTS) {
      const pc = kind === 'models' ? 0 : provisionedOf(cfg, fn);
      const target: lambda.IFunction = pc > 0 ? this.functions[fn].addAlias('live', { provisionedConcurrentExecutions: pc }) : this.functions[fn];
      urls[fn] = new lambda.FunctionUrl(this, `${fn}Url`, {
        function: target,
        // The gateway authenticates sk-eb- keys itself; CloudFront's secret header is checked too.
        authType: lambda.FunctionUrlAuthType.NONE,
        invokeMode: lambda.InvokeMode.RESPONSE_STREAM,
      });
    }

    // ---- CloudFront ----
    const origin = (fn: GatewayFn): cloudfront.IOrigin =>
      new origins.FunctionUrlOrigin(urls[fn], {
        // How long CloudFront waits for bytes from the origin; heartbeats (15 s) keep streams under it.
        readTimeout: Duration.seconds(cfg.originReadTimeoutSeconds),
        keepaliveTimeout: Duration.seconds(60),
        ...(cfg.originSecret ? { customHeaders: { 'x-ezybus-origin': cfg.originSecret } } : {}),
      });
    const behavior = (fn: GatewayFn): cloudfront.BehaviorOptions => ({
      origin: origin(fn),
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      // Compression would buffer: every chunk must reach the client as it is written.
      compress: false,
    });
    const behaviors = Object.fromEntries(ENDPOINTS.map((e) => [e.key, behavior(e.key)])) as Record<GatewayFn, cloudfront.BehaviorOptions>;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `EzyBus ${stage}`,
      defaultBehavior: behaviors.models,
      // In the endpoint list's order, which is the order CloudFront tries the patterns in.
      additionalBehaviors: Object.fromEntries(ENDPOINTS.flatMap((e) => e.patterns.map((p) => [p, behaviors[e.key]]))),
      priceClass: cfg.priceClass as cloudfront.PriceClass,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      ...(cfg.domain
        ? {
            domainNames: [cfg.domain.domainName],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', cfg.domain.certificateArn),
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    // ---- the admin API and console (/admin/*, /console*): lib/admin-console.ts ----
    this.admin = new AdminConsole(this, 'Admin', { stage: cfg, tables: this.tables, key: this.key, distribution: this.distribution, env, makeFunction: (n, e, m, t, v, extra = {}) => makeFunction(n, e, m, t, v, { ...bundling(), ...extra }) });

    if (cfg.domain?.hostedZoneId && cfg.domain.zoneName) {
      const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: cfg.domain.hostedZoneId, zoneName: cfg.domain.zoneName });
      const alias = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(this.distribution));
      new route53.ARecord(this, 'AliasA', { zone, recordName: cfg.domain.domainName, target: alias });
      new route53.AaaaRecord(this, 'AliasAAAA', { zone, recordName: cfg.domain.domainName, target: alias });
    }

    // ---- logs → Loki ----
    let dlq: sqs.Queue | undefined;
    if (cfg.loki) {
      dlq = new sqs.Queue(this, 'ShipperDlq', {
        queueName: `ezybus-${stage}-loki-dlq`,
        encryption: sqs.QueueEncryption.KMS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        removalPolicy: removal,
      });
      this.shipper = makeFunction('loki-shipper', 'functions/loki-shipper.ts', cfg.memoryMb.shipper, Duration.seconds(60), {
        EZYBUS_STAGE: stage,
        EZYBUS_LOKI_URL: cfg.loki.url,
        ...(cfg.loki.tenant ? { EZYBUS_LOKI_TENANT: cfg.loki.tenant } : {}),
        ...(cfg.loki.credentialsCiphertext ? { EZYBUS_LOKI_CREDENTIALS_CIPHERTEXT: cfg.loki.credentialsCiphertext } : {}),
      });
      this.shipperDlq = dlq;
      // Lambda retries a failed push twice, then parks the batch in the DLQ: nothing is dropped.
      this.shipper.configureAsyncInvoke({ onFailure: new SqsDestination(dlq), retryAttempts: 2, maxEventAge: Duration.hours(6) });
      this.shipper.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [this.key.keyArn],
          conditions: { StringEquals: { 'kms:EncryptionContext:ezybus:stage': stage, 'kms:EncryptionContext:ezybus:purpose': 'loki' } },
        }),
      );
      for (const name of [...ENDPOINTS.map((e) => e.name), 'admin']) {
        new logs.SubscriptionFilter(this, `${name}ToLoki`, {
          logGroup: logGroups[name]!,
          destination: new logDestinations.LambdaDestination(this.shipper),
          filterPattern: logs.FilterPattern.allEvents(),
        });
      }
    }

    // ---- alarms and dashboard ----
    const topic = cfg.alarmEmail ? new sns.Topic(this, 'Alarms', { masterKey: this.key, enforceSSL: true }) : undefined;
    if (topic && cfg.alarmEmail) {
      topic.addSubscription(new subs.EmailSubscription(cfg.alarmEmail));
      // CloudWatch publishes to the encrypted topic with the stage key.
      this.key.grantEncryptDecrypt(new iam.ServicePrincipal('cloudwatch.amazonaws.com'));
    }
    const alarm = (id: string, metric: cw.IMetric, threshold: number, description: string): void => {
      const a = new cw.Alarm(this, id, { metric, threshold, evaluationPeriods: 1, comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, treatMissingData: cw.TreatMissingData.NOT_BREACHING, alarmDescription: description });
      if (topic) a.addAlarmAction(new cwActions.SnsAction(topic));
    };
    // ---- the usage ledger, written in batches off the request path ----
    this.ledger = new LedgerWriter(this, 'Ledger', {
      stage,
      usageTable: this.tables.usage,
      // Every endpoint that writes a usage record (completions, counting, embeddings).
      gatewayLogGroups: Object.fromEntries(ENDPOINTS.filter((e) => e.kind !== 'models').map((e) => [e.name, logGroups[e.name]!])),
      removal,
      makeFunction,
      alarm,
    });

    for (const { key: fn } of ENDPOINTS) {
      const f = this.functions[fn];
      const errors = f.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' });
      const invocations = f.metricInvocations({ period: Duration.minutes(5), statistic: 'Sum' });
      alarm(`${fn}ErrorRate`, new cw.MathExpression({ expression: 'IF(inv > 20, 100 * err / inv, 0)', usingMetrics: { err: errors, inv: invocations }, period: Duration.minutes(5), label: `${fn} error rate %` }), 5, `${fn}: more than 5 % of invocations failed (handler crashes, not upstream errors) over 5 minutes`);
      alarm(`${fn}Throttles`, f.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }), 1, `${fn}: Lambda throttled invocations (account or reserved concurrency reached)`);
    }
    if (this.shipper && dlq) {
      alarm('ShipperErrorsAlarm', this.shipper.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), 3, 'Loki shipper: pushes failing (Loki down, credentials, 400s); Lambda is retrying');
      alarm('ShipperDlqAlarm', dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }), 1, 'Loki shipper: log batches parked in the DLQ after retries; redrive them once Loki accepts pushes');
    }
    const emf = (name: string, statistic: string, fn: string): cw.Metric => new cw.Metric({ namespace: 'EzyBus', metricName: name, dimensionsMap: { Stage: stage, Function: fn }, statistic, period: Duration.minutes(1) });
    const fns = COMPLETIONS.map((e) => e.name);
    new cw.Dashboard(this, 'Dashboard', {
      dashboardName: `ezybus-${stage}`,
      widgets: [
        [
          new cw.GraphWidget({ title: 'Time to first byte (ms)', left: fns.flatMap((f) => [emf('TTFB', 'p50', f), emf('TTFB', 'p99', f)]), width: 12 }),
          new cw.GraphWidget({ title: 'Tokens', left: fns.flatMap((f) => [emf('InputTokens', 'Sum', f), emf('OutputTokens', 'Sum', f)]), width: 12 }),
        ],
        [
          new cw.GraphWidget({ title: 'Cost (µ$)', left: fns.map((f) => emf('CostMicros', 'Sum', f)), width: 8 }),
          new cw.GraphWidget({ title: 'Failovers and upstream errors', left: fns.flatMap((f) => [emf('Failovers', 'Sum', f), emf('UpstreamErrors', 'Sum', f)]), width: 8 }),
          new cw.GraphWidget({ title: 'Lambda duration p99 and concurrency', left: Object.values(this.functions).map((f) => f.metricDuration({ statistic: 'p99' })), right: Object.values(this.functions).map((f) => f.metric('ConcurrentExecutions', { statistic: 'Maximum' })), width: 8 }),
        ],
      ],
    });

    // ---- outputs ----
    new CfnOutput(this, 'BaseUrl', { value: `https://${cfg.domain?.domainName ?? this.distribution.distributionDomainName}` });
    new CfnOutput(this, 'DistributionDomain', { value: this.distribution.distributionDomainName });
    for (const { key: fn } of ENDPOINTS) new CfnOutput(this, `${fn}FunctionUrl`, { value: urls[fn].url });
    for (const t of Object.values(this.tables)) new CfnOutput(this, `${t.node.id}Name`, { value: t.tableName });
    new CfnOutput(this, 'KeyArn', { value: this.key.keyArn });
  }
}
