/**
 * cdk-nag (AwsSolutions) acknowledgments, each scoped to the construct it concerns and each
 * with the reason the rule does not fit EzyBus. Everything else the pack checks passes.
 */
import { Validations } from 'aws-cdk-lib';
import type { EzyBusStack } from './ezybus-stack.js';

const ack = (scope: Parameters<typeof Validations.of>[0], rule: string, reason: string): void =>
  Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${rule}`, reason });

export function applyNagSuppressions(stack: EzyBusStack): void {
  const d = stack.distribution;
  ack(d, 'CFR1', 'An API gateway for the operator’s own clients; which countries may call it is a business decision left to the operator (CloudFront geo restriction can be added per stage).');
  ack(d, 'CFR2', 'Requests are authenticated by sk-eb- keys (constant-time hash lookup) with per-key RPM/TPM limits and budgets in the gateway; AWS WAF is an optional, separately priced layer an operator can attach.');
  ack(d, 'CFR3', 'Every request is logged once, in full, as a structured line in CloudWatch (request id, key id, model, status, timings, usage) and shipped to Loki; CloudFront standard logs would need an ACL-enabled S3 bucket and duplicate that record.');
  if (!stack.hasCustomDomain) {
    ack(d, 'CFR4', 'No custom domain configured for this stage: CloudFront serves its default *.cloudfront.net certificate, whose policy cannot be chosen. Stages with a domain use TLSv1.2_2021.');
  }
  ack(stack.ledger.dlq, 'SQS3', 'This queue is itself the dead-letter queue of the usage ledger queue and of the ledger writer’s failed intake invocations.');
  if (stack.shipperDlq) {
    ack(stack.shipperDlq, 'SQS3', 'This queue is itself the dead-letter destination of the Loki shipper’s failed invocations.');
  }
}
