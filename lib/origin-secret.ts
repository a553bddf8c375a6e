/**
 * A per-stage origin secret, generated at deploy time when the operator supplies none: the
 * header CloudFront adds to every origin request, so a direct call to a Function URL (which must
 * stay AuthType NONE, see design.md) is refused with 403.
 *
 * Why a custom resource and not Secrets Manager or SSM: nothing needs to read the secret back.
 * CloudFront holds it (as an origin custom header, which is where it has to be) and the
 * functions hold only its SHA-256, so storing it anywhere else would add a place to leak from,
 * a monthly cost (Secrets Manager) or an SSM lookup at deploy time, for no reader. The custom
 * resource's small function draws 32 random bytes on Create only — updates keep the value, so
 * deploys never rotate it by accident — and answers with the secret and its hash as NoEcho data,
 * which CloudFormation does not show in its console, events or API. It logs nothing; its log
 * group holds only the runtime's START/END lines. Changing `rotation` (a stage setting) makes a
 * new secret; CloudFront and the functions then update within one deploy, during which direct
 * and old-header requests are refused (a few minutes of 403s for requests mid-rollout).
 */
import { CustomResource, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

// The CloudFormation custom-resource protocol: PUT the outcome to the pre-signed ResponseURL.
export const ORIGIN_SECRET_HANDLER = `
const { randomBytes, createHash } = require('node:crypto');
const http = require('node:http');
const https = require('node:https');
exports.handler = async (event) => {
  let status = 'SUCCESS', reason = 'ok', data = {};
  const physical = event.PhysicalResourceId || 'ezybus-origin-secret-' + randomBytes(8).toString('hex');
  try {
    if (event.RequestType === 'Create' || (event.RequestType === 'Update' && event.ResourceProperties.Rotation !== event.OldResourceProperties.Rotation)) {
      const secret = randomBytes(32).toString('base64url');
      data = { Secret: secret, SecretSha256: createHash('sha256').update(secret).digest('hex') };
    } else if (event.RequestType === 'Update') {
      status = 'FAILED';
      reason = 'the origin secret changes only with Rotation';
    }
  } catch (err) {
    status = 'FAILED';
    reason = String(err && err.name);
  }
  const body = JSON.stringify({ Status: status, Reason: reason, PhysicalResourceId: physical, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, NoEcho: true, Data: data });
  await new Promise((resolve, reject) => {
    const req = (event.ResponseURL.startsWith('https:') ? https : http).request(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject);
    req.end(body);
  });
};
`;

export interface OriginSecretProps {
  stage: string;
  /** Bump to generate a new secret. */
  rotation: number;
  removalPolicy: RemovalPolicy;
  logRetentionDays: logs.RetentionDays;
  encryptionKey: kms.IKey;
}

export class OriginSecret extends Construct {
  /** The header value (a CloudFormation token). */
  readonly secret: string;
  readonly sha256: string;
  readonly handler: lambda.Function;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: OriginSecretProps) {
    super(scope, id);
    const name = `ezybus-${props.stage}-origin-secret`;
    this.logGroup = new logs.LogGroup(this, 'Logs', { logGroupName: `/aws/lambda/${name}`, retention: props.logRetentionDays, removalPolicy: props.removalPolicy, encryptionKey: props.encryptionKey });
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: `EzyBus ${props.stage} origin secret generator` });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }));
    this.handler = new lambda.Function(this, 'Function', {
      functionName: name,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromInline(ORIGIN_SECRET_HANDLER),
      timeout: Duration.seconds(30),
      memorySize: 128,
      role,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: 1,
      description: 'Generates the CloudFront origin secret at deploy time (CloudFormation custom resource)',
    });
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: this.handler.functionArn,
      resourceType: 'Custom::EzyBusOriginSecret',
      properties: { Rotation: String(props.rotation) },
    });
    this.secret = resource.getAttString('Secret');
    this.sha256 = resource.getAttString('SecretSha256');
  }
}
