/**
 * The DynamoDB client, created on first use (not at module load: /v1/models with a warm cache
 * never needs it), with keep-alive connections reused across warm invocations, and a minimal
 * attribute codec for the flat records EzyBus stores.
 */
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';

let client: DynamoDBClient | undefined;
let sdk: typeof import('@aws-sdk/client-dynamodb') | undefined;

export async function dynamo(): Promise<{ client: DynamoDBClient; sdk: typeof import('@aws-sdk/client-dynamodb') }> {
  if (!sdk) sdk = await import('@aws-sdk/client-dynamodb');
  if (!client) {
    const endpoint = process.env.EZYBUS_DYNAMODB_ENDPOINT;
    client = new sdk.DynamoDBClient({
      ...(endpoint ? { endpoint } : {}),
      // Throttles and 5xx are retried by the SDK with backoff; the ledger write relies on it.
      maxAttempts: 5,
    });
  }
  return { client, sdk };
}

/** Tests point the process at a fresh store; this drops the old client. */
export function resetDynamo(): void {
  client?.destroy();
  client = undefined;
}

export type Item = Record<string, AttributeValue>;
type Plain = string | number | boolean | null | undefined | Plain[] | { [k: string]: Plain };

export function marshal(obj: Record<string, Plain>): Item {
  const out: Item = {};
  for (const [k, v] of Object.entries(obj)) {
    const av = toAttr(v);
    if (av) out[k] = av;
  }
  return out;
}

function toAttr(v: Plain): AttributeValue | undefined {
  if (v === undefined) return undefined;
  if (v === null) return { NULL: true };
  if (typeof v === 'string') return { S: v };
  if (typeof v === 'number') return { N: String(v) };
  if (typeof v === 'boolean') return { BOOL: v };
  if (Array.isArray(v)) return { L: v.map((x) => toAttr(x) ?? { NULL: true }) };
  return { M: marshal(v) };
}

export function unmarshal(item: Item): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) out[k] = fromAttr(v);
  return out;
}

function fromAttr(v: AttributeValue): unknown {
  if (v.S !== undefined) return v.S;
  if (v.N !== undefined) return Number(v.N);
  if (v.BOOL !== undefined) return v.BOOL;
  if (v.NULL !== undefined) return null;
  if (v.L !== undefined) return v.L.map(fromAttr);
  if (v.M !== undefined) return unmarshal(v.M);
  if (v.SS !== undefined) return v.SS;
  if (v.NS !== undefined) return v.NS.map(Number);
  if (v.B !== undefined) return Buffer.from(v.B).toString('base64');
  return undefined;
}
