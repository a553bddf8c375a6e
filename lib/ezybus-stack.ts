/**
 * One EzyBus stage: DynamoDB tables, the stage's KMS key, a streaming Lambda per endpoint behind
 * its own Function URL — or, in a stage whose compute mode is 'web-functions', one Lambda Web
 * Function serving every endpoint (lib/web-gateway.ts) — CloudFront in front (optionally on a custom domain), log groups shipped
 * to Loki, alarms and a dashboard. Every function gets only the permissions its code uses.
 */
import { join } from 'node:path';
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
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
import { clientDefines } from './bundling.js';
import { COUNT_LAZY, withLazyPackage } from './lazy-modules.js';
import { ENDPOINTS, type Endpoint, type EndpointKey } from '../functions/endpoints.js';
import type { WireProtocol } from '../functions/shared/protocol/wire.js';
import { OriginSecret } from './origin-secret.js';
import { WebGateway } from './web-gateway.js';
import { LedgerWriter } from './ledger-writer.js';
import { webMonitoring } from './web-monitoring.js';

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
/** A function's reserved concurrency: its own stage setting, else its kind's (chat for completions). */
const reservedOf = (cfg: StageConfig, e: Endpoint): number | null => {
  const own = cfg.reservedConcurrency as Partial<Record<string, number | null>>;
  return e.key in own ? (own[e.key] ?? null) : e.kind === 'completion' ? cfg.reservedConcurrency.chat : cfg.reservedConcurrency.models;
};
const provisionedOf = (cfg: StageConfig, key: GatewayFn): number => (cfg.provisionedConcurrency as Partial<Record<string, number>>)[key] ?? 0;

/** esbuild locally (no Docker), ESM, minified; the SDK stays out (the runtime ships it). */
/** `own`: the client protocol a completion function serves; only its client side is bundled (lib/bundling.ts). */
function bundling(own?: WireProtocol): nodejs.BundlingOptions {
  return {
    define: clientDefines(own),
    format: nodejs.OutputFormat.ESM,
    minify: true,
    target: 'node24',
    sourceMap: false,
    externalModules: ['@aws-sdk/*', '@smithy/*'],
    forceDockerBundling: false,
    mainFields: ['module', 'main'],
  };
}

/** Stage `loki.limits` → the shipper's EZYBUS_LOKI_MAX_* settings. */
function lokiLimitsEnv(l: NonNullable<StageConfig['loki']>['limits']): Record<string, string> {
  const names = { maxLineBytes: 'EZYBUS_LOKI_MAX_LINE_BYTES', maxMetadataBytes: 'EZYBUS_LOKI_MAX_METADATA_BYTES', maxPushBytes: 'EZYBUS_LOKI_MAX_PUSH_BYTES', maxPushEntries: 'EZYBUS_LOKI_MAX_PUSH_ENTRIES' } as const;
  return Object.fromEntries(Object.entries(l ?? {}).map(([k, v]) => [names[k as keyof typeof names], String(v)]));
}

export class EzyBusStack extends Stack {
  readonly tables: Record<TableName, dynamodb.Table>;
  readonly key: kms.Key;
  /** The Function URL mode's functions (none in a Web Functions stage). */
  readonly functions: Partial<Record<GatewayFn, lambda.Function>>;
  readonly functionUrls: lambda.FunctionUrl[];
  /** The Web Functions mode's gateway (undefined in a Function URL stage). */
  readonly web: WebGateway | undefined;
  readonly distribution: cloudfront.Distribution;
  readonly shipper: lambda.Function | undefined;
  readonly shipperDlq: sqs.Queue | undefined;
  readonly hasCustomDomain: boolean;
  readonly admin: AdminConsole;
  /** The generated origin secret, when the stage supplies none. */
  readonly originSecret: OriginSecret | undefined;
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
    // CloudWatch Logs encrypts this stage's log groups with the key (only those, by ARN).
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:/aws/lambda/ezybus-${stage}-*` } },
      }),
    );

    // ---- DynamoDB: four tables, pk/sk strings; state and usage expire items by `ttl` ----
    const table = (name: TableName, ttl: boolean): dynamodb.Table =>
      new dynamodb.Table(this, `${name[0]!.toUpperCase()}${name.slice(1)}Table`, {
        tableName: `ezybus-${stage}-${name}`,
        partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        // The stage key, not an AWS-owned one: who may read the tables is then in this stack's hands.
        encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: this.key,
        ...(ttl ? { timeToLiveAttribute: 'ttl' } : {}),
        removalPolicy: removal,
      });
    this.tables = { keys: table('keys', false), config: table('config', false), state: table('state', true), usage: table('usage', true) };

    // ---- the gateway functions ----
    // Without an operator-supplied secret, one is generated at deploy time: the Function URLs
    // refuse direct calls either way.
    this.originSecret = cfg.originSecret
      ? undefined
      : new OriginSecret(this, 'OriginSecret', { stage, rotation: cfg.originSecretRotation, removalPolicy: removal, logRetentionDays: cfg.logRetentionDays as logs.RetentionDays, encryptionKey: this.key });
    const secretSha = originSecretSha256(cfg) ?? (this.originSecret as OriginSecret).sha256;
    const secretHeader = cfg.originSecret ?? (this.originSecret as OriginSecret).secret;
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
      EZYBUS_ORIGIN_SECRET_SHA256: secretSha,
    };
    const logGroups: Record<string, logs.LogGroup> = {};
    const logsAndRole = (name: string): { logGroup: logs.LogGroup; role: iam.Role } => {
      const logGroup = new logs.LogGroup(this, `${name}Logs`, {
        logGroupName: `/aws/lambda/ezybus-${stage}-${name}`,
        retention: cfg.logRetentionDays as logs.RetentionDays,
        removalPolicy: removal,
        encryptionKey: this.key,
      });
      logGroups[name] = logGroup;
      // An explicit role: only its own log group, instead of the managed basic-execution policy.
      const role = new iam.Role(this, `${name}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: `EzyBus ${stage} ${name}` });
      role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
      return { logGroup, role };
    };
    const makeFunction = (name: string, entry: string, memoryMb: number, timeout: Duration, environment: Record<string, string>, reserved: number | null, bundle = bundling()): lambda.Function => {
      const fnName = `ezybus-${stage}-${name}`;
      const { logGroup, role } = logsAndRole(name);
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
        ...(reserved !== null ? { reservedConcurrentExecutions: reserved } : {}),
        bundling: bundle,
        projectRoot: root,
        depsLockFilePath: join(root, 'package-lock.json'),
      });
    };
    const streamTimeout = Duration.minutes(15);
    const web = cfg.compute.mode === 'web-functions' ? cfg.compute : undefined;
    const tableStatements = (kinds: Endpoint['kind'][]): iam.PolicyStatement[] =>
      (['keys', 'config', 'state', 'usage'] as TableName[]).flatMap((t) => {
        const actions = [...new Set(kinds.flatMap((k) => ACCESS[k][t] ?? []))];
        if (!actions.length) return [];
        // In the usage table the gateway may touch only the per-key totals rows (`tot#…`); the
        // ledger writer (lib/ledger-writer.ts) writes everything else off the request path.
        const conditions = t === 'usage' ? { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['tot#*'] } } : undefined;
        return [new iam.PolicyStatement({ actions, resources: [this.tables[t].tableArn], ...(conditions ? { conditions } : {}) })];
      });
    // Only the functions that call upstreams decrypt upstream keys, and only this stage's records.
    const decryptUpstreamKeys = (): iam.PolicyStatement =>
      new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [this.key.keyArn], conditions: { StringEquals: { 'kms:EncryptionContext:ezybus:stage': stage } } });
    // The tables are encrypted with the stage key: DynamoDB uses it on the caller's behalf, and
    // only through DynamoDB (kms:ViaService), so this grants no direct use of the key.
    const tableKeyViaDynamo = (kinds: Endpoint['kind'][]): iam.PolicyStatement => {
      const writes = kinds.some((k) => Object.values(ACCESS[k] as Record<string, string[]>).some((a) => a.some((x) => x !== 'dynamodb:GetItem' && x !== 'dynamodb:Query')));
      return new iam.PolicyStatement({
        actions: writes ? ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt', 'kms:DescribeKey'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Aws.REGION}.amazonaws.com` } },
      });
    };
    const functionEndpoints = web ? [] : ENDPOINTS;
    this.functions = Object.fromEntries(
      functionEndpoints.map((e) => [
        e.key,
        makeFunction(e.name, e.entry, memoryOf(cfg, e.key), e.kind === 'completion' ? streamTimeout : e.kind === 'unary' ? Duration.minutes(2) : Duration.seconds(10), env, reservedOf(cfg, e), e.key === 'count' ? withLazyPackage(bundling(), root, COUNT_LAZY) : bundling(e.kind === 'completion' ? e.protocol : undefined)),
      ]),
    ) as Partial<Record<GatewayFn, lambda.Function>>;
    for (const e of functionEndpoints) {
      const f = this.functions[e.key]!;
      for (const st of [...tableStatements([e.kind]), tableKeyViaDynamo([e.kind])]) f.addToRolePolicy(st);
      if (UPSTREAM_CALLERS.some((u) => u.key === e.key)) f.addToRolePolicy(decryptUpstreamKeys());
    }
    if (web) {
      // One role for the one server: the union of what every endpoint's code uses.
      const { logGroup, role } = logsAndRole('gateway');
      const kinds = ENDPOINTS.map((e) => e.kind);
      for (const st of [...tableStatements(kinds), tableKeyViaDynamo(kinds), decryptUpstreamKeys()]) role.addToPolicy(st);
      // The gateway ends a stream itself a minute before the revision's timeout would.
      const webEnv = { ...env, EZYBUS_TOTAL_TIMEOUT_MS: String((web.timeoutSeconds - 60) * 1000) };
      this.web = new WebGateway(this, 'Web', { stage: cfg, compute: web, environment: webEnv, logGroup, role });
    } else {
      this.web = undefined;
    }

    // ---- Function URLs (streaming), on a provisioned alias when configured ----
    const urls: Partial<Record<GatewayFn, lambda.FunctionUrl>> = {};
    for (const { key: fn, kind } of functionEndpoints) {
      const f = this.functions[fn]!;
      const pc = kind === 'models' ? 0 : provisionedOf(cfg, fn);
      const target: lambda.IFunction = pc > 0 ? f.addAlias('live', { provisionedConcurrentExecutions: pc }) : f;
      urls[fn] = new lambda.FunctionUrl(this, `${fn}Url`, {
        function: target,
        // The gateway authenticates sk-eb- keys itself; CloudFront's secret header is checked too.
        authType: lambda.FunctionUrlAuthType.NONE,
        invokeMode: lambda.InvokeMode.RESPONSE_STREAM,
      });
    }

    this.functionUrls = Object.values(urls);

    // ---- CloudFront ----
    const originProps = {
      // How long CloudFront waits for bytes from the origin; heartbeats (15 s) keep streams under it.
      readTimeout: Duration.seconds(cfg.originReadTimeoutSeconds),
      keepaliveTimeout: Duration.seconds(60),
      customHeaders: { 'x-ezybus-origin': secretHeader },
    };
    // In a Web Functions stage every gateway path goes to the one endpoint.
    const webOrigin = this.web ? new origins.HttpOrigin(this.web.domainName, { ...originProps, protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY }) : undefined;
    const origin = (fn: GatewayFn): cloudfront.IOrigin => webOrigin ?? new origins.FunctionUrlOrigin(urls[fn]!, originProps);
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
    this.admin = new AdminConsole(this, 'Admin', { stage: cfg, tables: this.tables, key: this.key, distribution: this.distribution, env, originHeader: secretHeader, makeFunction: (n, e, m, t, v, extra = {}) => makeFunction(n, e, m, t, v, cfg.reservedConcurrency.admin, { ...bundling(), ...extra }) });

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
      this.shipper = makeFunction(
        'loki-shipper',
        'functions/loki-shipper.ts',
        cfg.memoryMb.shipper,
        Duration.seconds(60),
        {
          EZYBUS_STAGE: stage,
          EZYBUS_LOKI_URL: cfg.loki.url,
          ...(cfg.loki.tenant ? { EZYBUS_LOKI_TENANT: cfg.loki.tenant } : {}),
          ...(cfg.loki.credentialsCiphertext ? { EZYBUS_LOKI_CREDENTIALS_CIPHERTEXT: cfg.loki.credentialsCiphertext } : {}),
          ...lokiLimitsEnv(cfg.loki.limits),
        },
        cfg.reservedConcurrency.shipper,
      );
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
      for (const name of [...(this.web ? ['gateway'] : ENDPOINTS.map((e) => e.name)), 'admin']) {
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
      // (In a Web Functions stage the one server logs every endpoint's records into one group.)
      gatewayLogGroups: web ? { gateway: logGroups.gateway! } : Object.fromEntries(ENDPOINTS.filter((e) => e.kind !== 'models').map((e) => [e.name, logGroups[e.name]!])),
      removal,
      makeFunction: (n, e, m, to, v) => makeFunction(n, e, m, to, v, cfg.reservedConcurrency.ledger),
      reserved: cfg.reservedConcurrency.ledger,
      alarm,
    });

    for (const [fn, f] of Object.entries(this.functions) as [GatewayFn, lambda.Function][]) {
      const errors = f.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' });
      const invocations = f.metricInvocations({ period: Duration.minutes(5), statistic: 'Sum' });
      alarm(`${fn}ErrorRate`, new cw.MathExpression({ expression: 'IF(inv > 20, 100 * err / inv, 0)', usingMetrics: { err: errors, inv: invocations }, period: Duration.minutes(5), label: `${fn} error rate %` }), 5, `${fn}: more than 5 % of invocations failed (handler crashes, not upstream errors) over 5 minutes`);
      alarm(`${fn}Throttles`, f.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }), 1, `${fn}: Lambda throttled invocations (account or reserved concurrency reached)`);
    }
    if (this.shipper && dlq) {
      alarm('ShipperErrorsAlarm', this.shipper.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), 3, 'Loki shipper: pushes failing (Loki down, credentials, 400s); Lambda is retrying');
      alarm('ShipperDlqAlarm', dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }), 1, 'Loki shipper: log batches parked in the DLQ after retries; redrive them once Loki accepts pushes');
    }
    // A Web Functions stage has no per-endpoint Lambda metrics: its own alarms and widget (lib/web-monitoring.ts).
    const webWidgets = this.web ? webMonitoring(this, { stage, logGroup: logGroups.gateway!, functionName: this.web.functionName, endpointName: this.web.endpointName, alarm }) : [];
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
          ...(this.web
            ? webWidgets
            : [new cw.GraphWidget({ title: 'Lambda duration p99 and concurrency', left: Object.values(this.functions).map((f) => f.metricDuration({ statistic: 'p99' })), right: Object.values(this.functions).map((f) => f.metric('ConcurrentExecutions', { statistic: 'Maximum' })), width: 8 })]),
        ],
      ],
    });

    // ---- outputs ----
    new CfnOutput(this, 'BaseUrl', { value: `https://${cfg.domain?.domainName ?? this.distribution.distributionDomainName}` });
    new CfnOutput(this, 'DistributionDomain', { value: this.distribution.distributionDomainName });
    for (const [fn, u] of Object.entries(urls)) new CfnOutput(this, `${fn}FunctionUrl`, { value: u.url });
    if (this.web) new CfnOutput(this, 'WebFunctionEndpoint', { value: `https://${this.web.domainName}` });
    for (const t of Object.values(this.tables)) new CfnOutput(this, `${t.node.id}Name`, { value: t.tableName });
    new CfnOutput(this, 'KeyArn', { value: this.key.keyArn });
  }
}
