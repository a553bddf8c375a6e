/**
 * cdk-nag (AwsSolutions) acknowledgments, each scoped to the construct it concerns and each
 * with the reason the rule does not fit EzyBus. Everything else the pack checks passes.
 */
import { Validations, type CfnElement } from 'aws-cdk-lib';
import { applyCheckovAcknowledgments } from './checkov.js';
import type { EzyBusStack } from './ezybus-stack.js';

const ack = (scope: Parameters<typeof Validations.of>[0], rule: string, reason: string): void =>
  Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${rule}`, reason });

/** cdk-nag's acknowledgments, and checkov's (lib/checkov.ts) beside them. */
export function applyNagSuppressions(stack: EzyBusStack): void {
  applyCheckovAcknowledgments(stack);
  const d = stack.distribution;
  ack(d, 'CFR1', 'An API gateway for the operator’s own clients; which countries may call it is a business decision left to the operator (CloudFront geo restriction can be added per stage).');
  ack(d, 'CFR2', 'Requests are authenticated by sk-eb- keys (constant-time hash lookup) with per-key RPM/TPM limits and budgets in the gateway; AWS WAF is an optional, separately priced layer an operator can attach.');
  ack(d, 'CFR3', 'Every request is logged once, in full, as a structured line in CloudWatch (request id, key id, model, status, timings, usage) and shipped to Loki; CloudFront standard logs would need an ACL-enabled S3 bucket and duplicate that record.');
  if (!stack.hasCustomDomain) {
    ack(d, 'CFR4', 'No custom domain configured for this stage: CloudFront serves its default *.cloudfront.net certificate, whose policy cannot be chosen. Stages with a domain use TLSv1.2_2021.');
  }
  if (stack.web) {
    // aws-cdk-lib's WebFunctionCode.fromAssetToManagedBucket: the code bucket and the custom
    // resource that copies the staged bundle into it (lib/web-gateway.ts).
    for (const c of stack.node.children) {
      if (c.node.id === 'AWSCDKWebFunctionAssetBucket') {
        ack(c, 'S1', 'Holds only the Web Function’s code bundles, written by CloudFormation and read by the Lambda service principal for this stage’s revisions; access logs would need a second bucket and record nothing an operator acts on.');
      }
      if (c.node.id.startsWith('Custom::S3ObjectCopy')) {
        ack(c, 'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', 'aws-cdk-lib’s code-copy custom resource (runs at deploy time only) writes its own logs through the basic execution policy.');
        const copy = 'aws-cdk-lib’s code-copy custom resource (deploy time only): reads the staged bundle from the CDK asset bucket and writes or deletes objects under web-function/ in this stack’s code bucket, nothing else.';
        for (const target of ['Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*', 'Action::s3:Abort*', 'Action::s3:DeleteObject*', 'Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*']) {
          ack(c, `IAM5[${target}]`, copy);
        }
        for (const b of stack.node.children.filter((x) => x.node.id === 'AWSCDKWebFunctionAssetBucket')) {
          ack(c, `IAM5[Resource::<${stack.getLogicalId(b.node.defaultChild as CfnElement)}.Arn>/web-function/*]`, copy);
        }
      }
    }
  }
  ack(stack.ledger.dlq, 'SQS3', 'This queue is itself the dead-letter queue of the usage ledger queue and of the ledger writer’s failed intake invocations.');
  if (stack.shipperDlq) {
    ack(stack.shipperDlq, 'SQS3', 'This queue is itself the dead-letter destination of the Loki shipper’s failed invocations.');
  }
}
