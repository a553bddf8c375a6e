/**
 * The audit trail: one item per change made through the CLI, the admin API or setup code.
 *   admin table  pk=audit#<YYYY-MM-DD>  sk=<ISO time>#<random>   {actor, action, target, detail}
 * `detail` never holds a secret: key material is reduced to its hint before it gets here.
 * Partitioned by day so reading "today" or "the last few days" is one Query per day.
 */
import { crypto } from '../runtime/builtins.js';
import { gatewayConfig } from '../config.js';
import { dynamo, marshal, unmarshal } from '../store/dynamo.js';

const { randomBytes } = crypto;

/** Who made a change: an admin key (by id), the CLI (by OS user), or setup code. */
export interface Actor {
  kind: 'admin-key' | 'cli' | 'system';
  id: string;
  name?: string;
}

export const SYSTEM: Actor = { kind: 'system', id: 'system' };

export interface AuditEntry {
  time: string;
  actor: Actor;
  action: string;
  target: string;
  detail: Record<string, unknown>;
}

export async function audit(actor: Actor, action: string, target: string, detail: object, now = new Date()): Promise<void> {
  const { client, sdk } = await dynamo();
  const time = now.toISOString();
  const entry: AuditEntry = { time, actor, action, target, detail: JSON.parse(JSON.stringify(detail)) as Record<string, unknown> };
  await client.send(
    new sdk.PutItemCommand({
      TableName: gatewayConfig().tables.admin,
      Item: marshal({ pk: `audit#${time.slice(0, 10)}`, sk: `${time}#${randomBytes(4).toString('hex')}`, ...(JSON.parse(JSON.stringify(entry)) as Parameters<typeof marshal>[0]) }),
    }),
  );
}

/** Newest first, for the given days (YYYY-MM-DD), at most `limit` entries. */
export async function listAudit(days: string[], limit: number): Promise<AuditEntry[]> {
  const { client, sdk } = await dynamo();
  const out: AuditEntry[] = [];
  for (const day of days) {
    const res = await client.send(
      new sdk.QueryCommand({
        TableName: gatewayConfig().tables.admin,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `audit#${day}` } },
        ScanIndexForward: false,
        Limit: limit - out.length,
      }),
    );
    for (const item of res.Items ?? []) {
      const { pk: _pk, sk: _sk, ...e } = unmarshal(item);
      out.push(e as unknown as AuditEntry);
    }
    if (out.length >= limit) break;
  }
  return out;
}
