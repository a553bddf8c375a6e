/**
 * The admin API and the operator's console of one stage: the admin table (admin keys, audit
 * trail), the admin function (functions/admin.ts, with the built console bundled beside it)
 * behind its own streaming Function URL, and two CloudFront behaviours on the stage's
 * distribution: `/admin/*` (never cached) and `/console*` (hashed assets cached for a year,
 * index.html revalidated). Optionally a CloudFront Function refuses viewers outside the
 * stage's `adminAllowCidrs`.
 *
 * Least privilege: only this function may write gateway keys, upstreams, routes and prices, or
 * encrypt provider keys; it cannot decrypt them, and the gateway functions get no access to
 * the admin table at all.
 */
import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Aws } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import type { StageConfig } from './config.js';
import { allowListFunctionCode } from './ip-allow.js';

const root = join(import.meta.dirname, '..');

export type MakeFunction = (name: string, entry: string, memoryMb: number, timeout: Duration, environment: Record<string, string>, extra?: Partial<nodejs.BundlingOptions>) => lambda.Function;

export interface AdminConsoleProps {
  stage: StageConfig;
  tables: Record<'keys' | 'config' | 'state' | 'usage', dynamodb.Table>;
  key: kms.Key;
  distribution: cloudfront.Distribution;
  /** The gateway functions' environment (stage, tables, KMS key, origin secret hash). */
  env: Record<string, string>;
  makeFunction: MakeFunction;
  /** The value CloudFront sends as x-ezybus-origin (the stage's own or the generated one). */
  originHeader: string;
}

/** The DynamoDB actions the admin code issues, per table (functions/shared/admin, store, usage). */
export const ADMIN_ACCESS: Record<'keys' | 'config' | 'state' | 'usage' | 'admin', string[]> = {
  keys: ['dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:PutItem'],
  config: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
  state: ['dynamodb:Query'],
  usage: ['dynamodb:Query', 'dynamodb:GetItem'],
  admin: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
};

export class AdminConsole extends Construct {
  readonly table: dynamodb.Table;
  readonly fn: lambda.Function;
  readonly url: lambda.FunctionUrl;
  readonly allowList: cloudfront.Function | undefined;

  constructor(scope: Construct, id: string, props: AdminConsoleProps) {
    super(scope, id);
    const cfg = props.stage;
    const removal = cfg.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.table = new dynamodb.Table(this, 'AdminTable', {
      tableName: `ezybus-${cfg.name}-admin`,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      removalPolicy: removal,
    });

    this.fn = props.makeFunction('admin', 'functions/admin.ts', 512, Duration.seconds(30), { ...props.env, EZYBUS_ADMIN_TABLE: this.table.tableName }, {
      // The console's static files travel in the function's bundle (served from ./console).
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        afterBundling: (_in: string, out: string) => [`cd "${root}" && node --import tsx console/build.ts "${out}/console"`],
      },
    });
    const tables = { ...props.tables, admin: this.table };
    for (const [t, actions] of Object.entries(ADMIN_ACCESS) as [keyof typeof ADMIN_ACCESS, string[]][]) {
      this.fn.addToRolePolicy(new iam.PolicyStatement({ actions, resources: [tables[t].tableArn] }));
    }
    // The tables use the stage key; DynamoDB uses it on the function's behalf, and only DynamoDB.
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [props.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Aws.REGION}.amazonaws.com` } },
      }),
    );
    // Adding a provider key encrypts it; reading one back is the gateway's job, not the admin's.
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['kms:Encrypt'], resources: [props.key.keyArn], conditions: { StringEquals: { 'kms:EncryptionContext:ezybus:stage': cfg.name } } }),
    );

    const url = (this.url = new lambda.FunctionUrl(this, 'Url', {
      function: this.fn,
      // Admin keys are checked by the function; CloudFront's secret header too, when configured.
      authType: lambda.FunctionUrlAuthType.NONE,
      invokeMode: lambda.InvokeMode.RESPONSE_STREAM,
    }));
    const origin = new origins.FunctionUrlOrigin(url, {
      readTimeout: Duration.seconds(cfg.originReadTimeoutSeconds),
      keepaliveTimeout: Duration.seconds(60),
      customHeaders: { 'x-ezybus-origin': props.originHeader },
    });
    this.allowList = cfg.adminAllowCidrs
      ? new cloudfront.Function(this, 'AllowList', {
          comment: `EzyBus ${cfg.name}: admin and console IP allow-list`,
          runtime: cloudfront.FunctionRuntime.JS_2_0,
          code: cloudfront.FunctionCode.fromInline(allowListFunctionCode(cfg.adminAllowCidrs)),
        })
      : undefined;
    const functionAssociations = this.allowList ? [{ function: this.allowList, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }] : [];
    props.distribution.addBehavior('/admin/*', origin, {
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      compress: true,
      functionAssociations,
    });
    props.distribution.addBehavior('/console*', origin, {
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      // Honours the function's cache-control: a year for hashed assets, revalidate index.html.
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      compress: true,
      functionAssociations,
    });
    new CfnOutput(this, 'ConsoleUrl', { value: `https://${cfg.domain?.domainName ?? props.distribution.distributionDomainName}/console/` });
  }
}
