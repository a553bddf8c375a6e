/**
 * The usage ledger writer, off the request path: the gateway functions' request lines (one per
 * request, holding its whole usage record) reach the writer through a CloudWatch Logs
 * subscription; the writer forwards them to the ledger queue, and the queue hands them back in
 * batches of up to 1,000 gathered over up to 5 s from every execution environment, so totals are
 * written once per key per batch (functions/shared/usage/ledger.ts). Messages the writer cannot
 * finish come back after the visibility timeout, and after five receives land in the DLQ, which
 * `ezybus ledger redrive` replays; intake invocations that fail twice land there too.
 *
 * Permissions: the usage table only (PutItem, UpdateItem, GetItem: the claim, intent, totals and
 * recovery reads), the queue, its own log group.
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import { Duration } from 'aws-cdk-lib';
import type * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as logDestinations from 'aws-cdk-lib/aws-logs-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Longer than the writer's own runtime: an open batch older than this is dead (ledger.ts STALE_MS). */
const WRITER_TIMEOUT = Duration.seconds(60);

export interface LedgerWriterProps {
  stage: string;
  usageTable: dynamodb.Table;
  /** The gateway functions' log groups (their request lines carry the usage records). */
  gatewayLogGroups: Record<string, logs.ILogGroup>;
  removal: RemovalPolicy;
  /** The stack's function factory (its own log group and role, the shared bundling). */
  makeFunction: (name: string, entry: string, memoryMb: number, timeout: Duration, environment: Record<string, string>) => lambda.Function;
  /** The stage's reserved concurrency for the writer (null: unreserved). */
  reserved: number | null;
  alarm: (id: string, metric: cw.IMetric, threshold: number, description: string) => void;
}

export class LedgerWriter extends Construct {
  readonly fn: lambda.Function;
  readonly queue: sqs.Queue;
  readonly dlq: sqs.Queue;

  constructor(scope: Construct, id: string, props: LedgerWriterProps) {
    super(scope, id);
    const { stage } = props;
    this.dlq = new sqs.Queue(this, 'Dlq', {
      queueName: `ezybus-${stage}-ledger-dlq`,
      encryption: sqs.QueueEncryption.KMS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removal,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: `ezybus-${stage}-ledger`,
      encryption: sqs.QueueEncryption.KMS_MANAGED,
      enforceSSL: true,
      // AWS's advice for Lambda consumers: six times the function timeout.
      visibilityTimeout: Duration.seconds(WRITER_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.dlq, maxReceiveCount: 5 },
      removalPolicy: props.removal,
    });
    this.fn = props.makeFunction('ledger-writer', 'functions/ledger-writer.ts', 256, WRITER_TIMEOUT, {
      EZYBUS_STAGE: stage,
      EZYBUS_USAGE_TABLE: props.usageTable.tableName,
      EZYBUS_LEDGER_QUEUE_URL: this.queue.queueUrl,
      NODE_OPTIONS: '--enable-source-maps=false',
    });
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem'], resources: [props.usageTable.tableArn] }),
    );
    this.queue.grantSendMessages(this.fn);
    this.fn.addEventSource(new SqsEventSource(this.queue, { batchSize: 1000, maxBatchingWindow: Duration.seconds(5), reportBatchItemFailures: true, ...(props.reserved !== null ? { maxConcurrency: Math.max(2, Math.floor(props.reserved / 2)) } : {}) }));
    this.fn.configureAsyncInvoke({ onFailure: new SqsDestination(this.dlq), retryAttempts: 2, maxEventAge: Duration.hours(6) });
    for (const [name, group] of Object.entries(props.gatewayLogGroups)) {
      new logs.SubscriptionFilter(this, `${name}ToLedger`, {
        logGroup: group,
        destination: new logDestinations.LambdaDestination(this.fn),
        // Only the request lines: the writer is not woken for anything else.
        filterPattern: logs.FilterPattern.stringValue('$.msg', '=', 'request'),
      });
    }
    props.alarm(
      'LedgerDlqAlarm',
      this.dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      1,
      'Usage ledger: record batches parked in the DLQ; run `ezybus ledger redrive` once the cause is fixed',
    );
    props.alarm('LedgerErrorsAlarm', this.fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), 3, 'Usage ledger writer: invocations failing (store errors, throttles); the queue retries them');
  }
}
