/**
 * Creates the four tables where they do not exist yet (local store and tests; in AWS the CDK
 * stack owns them with the same key schema).
 */
import { gatewayConfig } from '../config.js';
import { dynamo } from './dynamo.js';

export async function ensureTables(): Promise<void> {
  const { client, sdk } = await dynamo();
  const { tables } = gatewayConfig();
  const existing = new Set((await client.send(new sdk.ListTablesCommand({}))).TableNames ?? []);
  for (const name of Object.values(tables)) {
    if (existing.has(name)) continue;
    await client.send(
      new sdk.CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
  }
  for (const name of Object.values(tables)) {
    for (let i = 0; i < 100; i++) {
      const d = await client.send(new sdk.DescribeTableCommand({ TableName: name }));
      if (d.Table?.TableStatus === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
