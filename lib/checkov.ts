/**
 * checkov (CloudFormation framework) acknowledgments, written into the template as the
 * resource's `Metadata.checkov.skip` — checkov's own mechanism — each with the reason the check
 * does not fit EzyBus. `npm run checkov` synthesises every stage and fails on any finding that
 * is neither fixed nor acknowledged here. Fixed rather than acknowledged: reserved concurrency
 * (CKV_AWS_115), customer-managed KMS for tables (CKV_AWS_119) and log groups (CKV_AWS_158).
 */
import type { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { EzyBusStack } from './ezybus-stack.js';

type Skip = { id: string; comment: string };

function skip(scope: IConstruct, ...skips: Skip[]): void {
  const res = (scope.node.defaultChild ?? scope) as CfnResource;
  const existing = (res.getMetadata('checkov') as { skip?: Skip[] } | undefined)?.skip ?? [];
  res.addMetadata('checkov', { skip: [...existing, ...skips] });
}

const NO_VPC: Skip = {
  id: 'CKV_AWS_117',
  comment: 'No private resources to reach: the functions call public provider APIs, DynamoDB and KMS over TLS with IAM. A VPC would need NAT gateways (a fixed monthly cost per AZ) and adds ENI setup to cold starts.',
};
const NO_DLQ: Skip = {
  id: 'CKV_AWS_116',
  comment: 'Invoked synchronously (Function URL, or CloudFormation for the origin-secret generator); a Lambda DLQ only receives failed asynchronous invocations. Failed requests are answered and logged; the usage record is in the log line.',
};
const ENV_PLAIN: Skip = {
  id: 'CKV_AWS_173',
  comment: 'The environment holds no secret (table names, the key ARN, limits, and only the SHA-256 of the origin secret); Lambda encrypts it at rest. Upstream keys are KMS ciphertext in DynamoDB.',
};

export function applyCheckovAcknowledgments(stack: EzyBusStack): void {
  for (const fn of Object.values(stack.functions)) skip(fn, NO_VPC, NO_DLQ, ENV_PLAIN);
  if (stack.shipper) skip(stack.shipper, NO_VPC, ENV_PLAIN); // async: its failures go to the DLQ destination
  if (stack.originSecret) skip(stack.originSecret.handler, NO_VPC, NO_DLQ);
  skip(stack.admin.fn, NO_VPC, NO_DLQ, ENV_PLAIN);
  skip(stack.ledger.fn, NO_VPC, ENV_PLAIN, {
    id: 'CKV_AWS_116',
    comment: 'Its asynchronous invocations (the log subscription) fail over to an on-failure destination, the ledger DLQ, which also receives the queue’s poisoned batches; `ezybus ledger redrive` replays both. A DeadLetterConfig would be a second, redundant DLQ.',
  });
  for (const url of [...stack.functionUrls, stack.admin.url]) {
    skip(url, {
      id: 'CKV_AWS_258',
      comment: 'AuthType NONE by design: CloudFront origin access control would make clients sign POST bodies, which LLM SDKs never do. Every request must carry the per-stage origin secret (403 otherwise) and an sk-eb- gateway key.',
    });
  }
  const d = stack.distribution;
  skip(
    d,
    { id: 'CKV_AWS_68', comment: 'Requests are authenticated by sk-eb- keys with per-key RPM/TPM limits and budgets in the gateway, and functions have reserved-concurrency caps; AWS WAF is an optional, separately priced layer an operator can attach.' },
    { id: 'CKV_AWS_86', comment: 'Every request is logged once, in full, as a structured line in CloudWatch and shipped to Loki; CloudFront standard logs would need an ACL-enabled S3 bucket and duplicate that record.' },
  );
  if (!stack.hasCustomDomain) {
    skip(d, { id: 'CKV_AWS_174', comment: 'No custom domain on this stage: the default *.cloudfront.net certificate’s policy cannot be chosen. Stages with a domain use TLSv1.2_2021.' });
  }
}
