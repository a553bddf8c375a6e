/**
 * `ezybus ledger redrive`: replays what the ledger's DLQ holds (queue messages of records, or
 * failed intake invocations carrying a log subscription payload) into the ledger with the same
 * batch writer the Lambda runs, and deletes each message once its records are written. Exactly
 * once by request id, so a redrive that stops halfway can simply be run again. Records another
 * batch still holds leave their message in the queue for the next run.
 */
import { deleteMessage, receiveMessages } from '../../functions/shared/aws/sqs.js';
import { writeBatch } from '../../functions/shared/usage/ledger.js';
import { recordsFromMessage } from '../../functions/shared/usage/ledger-messages.js';

export interface RedriveResult {
  messages: number;
  records: number;
  written: number;
  alreadyPresent: number;
  /** Messages left in the queue (records held by a batch in progress). */
  left: number;
  /** Records DynamoDB would refuse: reported, their messages deleted. */
  rejected: { requestId: string; reason: string }[];
}

export async function redrive(queueUrl: string, maxMessages = 100_000): Promise<RedriveResult> {
  const out: RedriveResult = { messages: 0, records: 0, written: 0, alreadyPresent: 0, left: 0, rejected: [] };
  while (out.messages < maxMessages) {
    const batch = await receiveMessages(queueUrl, 10);
    if (!batch.length) break;
    const recs = batch.map((m) => recordsFromMessage(m.Body));
    out.messages += batch.length;
    out.records += recs.reduce((n, r) => n + r.length, 0);
    const r = await writeBatch(recs.flat());
    out.written += r.written;
    out.alreadyPresent += r.alreadyPresent;
    out.rejected.push(...r.rejected);
    const held = new Set(r.held);
    for (const [i, m] of batch.entries()) {
      const mine = recs[i] ?? [];
      if (mine.some((x) => held.has(x.requestId))) out.left++;
      else await deleteMessage(queueUrl, m.ReceiptHandle);
    }
    if (held.size) break; // the rest waits for the batch that holds them (visibility timeout)
  }
  return out;
}
