/**
 * The gateway as one Lambda Web Function (a stage with `compute.mode: 'web-functions'`): the
 * function, one immutable revision and one endpoint, through the CloudFormation L1s
 * (AWS::Lambda::WebFunction, …Revision, …Endpoint), so every property the template carries is
 * named here. The code is functions/web.ts bundled by esbuild at synth (no Docker), staged by
 * aws-cdk-lib's `WebFunctionCode.fromAssetToManagedBucket` — the one supported way to meet the
 * code bucket's requirements (versioned, SSE-S3, readable by the Lambda service principal for
 * this function's revisions only).
 *
 * The endpoint is APPLICATION_MANAGED (public): like the Function URLs in the other mode,
 * CloudFront cannot sign a client's POST body for IAM auth, so the gateway checks its own keys
 * and CloudFront's secret origin header. CloudFront stays in front for the stage's custom
 * domain, HTTP/3 and the same behaviours as the other mode (see docs/deploy.md).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ArnFormat, AssetHashType, DockerImage, Duration, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { buildSync } from 'esbuild';
import { Construct } from 'constructs';
import { clientDefines, LAMBDA_BUNDLE } from './bundling.js';
import { closureFiles, COUNT_LAZY } from './lazy-modules.js';
import type { StageConfig, WebFunctionsCompute } from './config.js';

const root = join(import.meta.dirname, '..');

export interface WebGatewayProps {
  stage: StageConfig;
  compute: WebFunctionsCompute;
  /** The same EZYBUS_* settings the Function URL mode's functions get. */
  environment: Record<string, string>;
  logGroup: logs.LogGroup;
  /** Its execution role; the stack grants it exactly what the gateway's code uses. */
  role: iam.Role;
}

/**
 * Bundles functions/web.ts into outDir/index.mjs the way scripts/build.ts bundles the others; the
 * count endpoint's tokenizer tables stay out of the bundle and ship beside it, as they do for the
 * count function (lib/lazy-modules.ts), so no cold start parses them.
 */
export function bundleWebFunction(outDir: string): void {
  buildSync({
    ...LAMBDA_BUNDLE,
    external: [...LAMBDA_BUNDLE.external, COUNT_LAZY.name],
    // One server for every endpoint: every protocol's client side.
    define: clientDefines(undefined),
    entryPoints: [join(root, 'functions/web.ts')],
    outfile: join(outDir, 'index.mjs'),
  });
  const from = join(root, 'node_modules', COUNT_LAZY.name);
  const to = join(outDir, 'node_modules', COUNT_LAZY.name);
  for (const f of closureFiles(root, COUNT_LAZY)) {
    mkdirSync(dirname(join(to, f)), { recursive: true });
    copyFileSync(join(from, f), join(to, f));
  }
}

export class WebGateway extends Construct {
  readonly function: lambda.CfnWebFunction;
  readonly revision: lambda.CfnWebFunctionRevision;
  readonly endpoint: lambda.CfnWebFunctionEndpoint;
  /** The endpoint's host name: CloudFront's origin. */
  readonly domainName: string;
  /** The dimensions of the endpoint's metrics in AWS/Lambda/Web (lib/web-monitoring.ts). */
  readonly functionName: string;
  readonly endpointName = 'prod';

  constructor(scope: Construct, id: string, props: WebGatewayProps) {
    super(scope, id);
    const { stage, compute } = props;
    const functionName = `ezybus-${stage.name}-gateway`;
    this.functionName = functionName;
    this.function = new lambda.CfnWebFunction(this, 'Function', { functionName, tags: [{ key: 'ezybus:stage', value: stage.name }] });

    const code = lambda.WebFunctionCode.fromAssetToManagedBucket(join(root, 'functions'), {
      // The bundle's own hash: the same sources give the same asset, whatever else changed.
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        image: DockerImage.fromRegistry('local-bundling-only'),
        local: {
          tryBundle(outputDir: string): boolean {
            bundleWebFunction(outputDir);
            return true;
          },
        },
      },
    });
    const webFunctionArn = Stack.of(this).formatArn({ service: 'lambda', resource: 'web-function', resourceName: functionName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const location = code.bind(this, { webFunctionArn }).s3Location;

    const timeout = Duration.seconds(compute.timeoutSeconds);
    this.revision = new lambda.CfnWebFunctionRevision(this, 'Revision', {
      functionName: this.function.ref,
      description: `EzyBus ${stage.name} gateway`,
      buildConfig: {
        codeConfig: { s3Object: { bucket: location.bucketName, key: location.objectKey, ...(location.objectVersion ? { versionId: location.objectVersion } : {}) } },
        runtimeConfig: { runtime: lambda.WebFunctionRuntime.NODEJS_24_X.name },
      },
      serviceConfig: {
        executionRoleArn: props.role.roleArn,
        environmentVariables: {
          ...props.environment,
          AWS_LAMBDA_NODEJS_ENTRYPOINT: 'index.mjs',
          // web-main.ts refuses a total deadline that is not below this.
          EZYBUS_REVISION_TIMEOUT_MS: String(timeout.toMilliseconds()),
        },
        timeoutSeconds: compute.timeoutSeconds,
        maxConcurrencyPerEnvironment: compute.maxConcurrencyPerEnvironment,
        telemetryConfig: { loggingConfig: { logGroup: props.logGroup.logGroupName } },
      },
    });
    this.revision.addResourceDependency(this.function);
    // The role's policies must exist before the revision's first environment starts.
    this.revision.node.addDependency(props.role);

    this.endpoint = new lambda.CfnWebFunctionEndpoint(this, 'Endpoint', {
      functionName: this.function.attrFunctionArn,
      endpointName: this.endpointName,
      endpointType: lambda.WebFunctionEndpointType.HOME_REGION,
      authType: lambda.WebFunctionAuthType.APPLICATION_MANAGED,
      description: `EzyBus ${stage.name}: every gateway endpoint, behind CloudFront`,
      revisionWeights: [{ revisionId: this.revision.attrRevisionId, weight: 100 }],
      ...(compute.maxEnvironments !== undefined ? { scalingConfig: { maxEnvironments: compute.maxEnvironments } } : {}),
      ...(compute.rateLimit !== undefined ? { throttleConfig: { rateLimit: compute.rateLimit } } : {}),
    });
    this.endpoint.addResourceDependency(this.revision);
    this.domainName = this.endpoint.attrDomainName;
  }
}
