/**
 * The few SQS operations the ledger uses, over the lean JSON-protocol client (SQS speaks
 * AWS JSON 1.0 as `AmazonSQS.<Operation>`).
 */
import { perGateway } from '../context.js';
import { jsonService, type JsonService } from './json-client.js';

export interface SqsMessage {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
}

const sqs = perGateway(
  (cfg): JsonService => jsonService({ service: 'sqs', targetPrefix: 'AmazonSQS', contentType: 'application/x-amz-json-1.0', endpoint: cfg.endpoints.sqs, aws: cfg.aws }),
);

export async function sendMessage(queueUrl: string, body: string): Promise<void> {
  await sqs().send('SendMessage', { QueueUrl: queueUrl, MessageBody: body });
}

export async function receiveMessages(queueUrl: string, max = 10): Promise<SqsMessage[]> {
  const res = await sqs().send<{ Messages?: SqsMessage[] }>('ReceiveMessage', { QueueUrl: queueUrl, MaxNumberOfMessages: max, WaitTimeSeconds: 0, VisibilityTimeout: 120 });
  return res.Messages ?? [];
}

export async function deleteMessage(queueUrl: string, receiptHandle: string): Promise<void> {
  await sqs().send('DeleteMessage', { QueueUrl: queueUrl, ReceiptHandle: receiptHandle });
}
