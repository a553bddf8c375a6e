/**
 * The DynamoDB client, created on first use (not at module load: /v1/models with a warm cache
 * never needs it), with keep-alive connections reused across warm invocations, and a minimal
 * attribute codec for the flat records EzyBus stores.
 */
import type {
  AttributeValue,
  CreateTableCommandInput,
  CreateTableCommandOutput,
  DeleteItemCommandInput,
  DeleteItemCommandOutput,
  DescribeTableCommandInput,
  DescribeTableCommandOutput,
  GetItemCommandInput,
  GetItemCommandOutput,
  ListTablesCommandInput,
  ListTablesCommandOutput,
  PutItemCommandInput,
  PutItemCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  ScanCommandInput,
  ScanCommandOutput,
  UpdateItemCommandInput,
  UpdateItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { jsonService, type JsonService } from '../aws/json-client.js';
import { perGateway } from '../context.js';

// The SDK's types describe the wire shapes; the lean client (aws/json-client.ts) speaks them.
interface Ops {
  Query: [QueryCommandInput, QueryCommandOutput];
  GetItem: [GetItemCommandInput, GetItemCommandOutput];
  PutItem: [PutItemCommandInput, PutItemCommandOutput];
  UpdateItem: [UpdateItemCommandInput, UpdateItemCommandOutput];
  DeleteItem: [DeleteItemCommandInput, DeleteItemCommandOutput];
  Scan: [ScanCommandInput, ScanCommandOutput];
  CreateTable: [CreateTableCommandInput, CreateTableCommandOutput];
  DescribeTable: [DescribeTableCommandInput, DescribeTableCommandOutput];
  ListTables: [ListTablesCommandInput, ListTablesCommandOutput];
}

class Command<O extends keyof Ops> {
  constructor(
    readonly op: O,
    readonly input: Ops[O][0],
  ) {}
}

/** A command constructor shaped like the SDK's (`new sdk.QueryCommand(input)`). */
function command<O extends keyof Ops>(op: O): new (input: Ops[O][0]) => Command<O> {
  return class extends Command<O> {
    constructor(input: Ops[O][0]) {
      super(op, input);
    }
  };
}

/** Command constructors shaped like the SDK's, so call sites read the same. */
const commands = {
  QueryCommand: command('Query'),
  GetItemCommand: command('GetItem'),
  PutItemCommand: command('PutItem'),
  UpdateItemCommand: command('UpdateItem'),
  DeleteItemCommand: command('DeleteItem'),
  ScanCommand: command('Scan'),
  CreateTableCommand: command('CreateTable'),
  DescribeTableCommand: command('DescribeTable'),
  ListTablesCommand: command('ListTables'),
};

export interface DynamoClient {
  send<O extends keyof Ops>(cmd: Command<O>): Promise<Ops[O][1]>;
}

// Per gateway: its endpoint and credentials are the gateway's config.
const client = perGateway((cfg): DynamoClient => {
  const service: JsonService = jsonService({
    service: 'dynamodb',
    targetPrefix: 'DynamoDB_20120810',
    contentType: 'application/x-amz-json-1.0',
    endpoint: cfg.endpoints.dynamodb,
    aws: cfg.aws,
    // Throttles and 5xx are retried with backoff; the ledger write relies on it.
    maxAttempts: 5,
  });
  return { send: (cmd) => service.send(cmd.op, cmd.input) };
});

export async function dynamo(): Promise<{ client: DynamoClient; sdk: typeof commands }> {
  return { client: client(), sdk: commands };
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
