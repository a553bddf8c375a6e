/**
 * Admin keys: a kind apart from gateway keys (`ak-eb-…`, their own table, never accepted by the
 * gateway functions, which cannot even read that table), hashed the same way (SHA-256, looked up
 * by hash, compared in constant time), each scoped `read` (GET only) or `write`.
 *   admin table  pk=admin#<sha256hex>  sk=admin  {id, name, scope, prefix, createdAt, disabled?}
 * Admin keys are made by the CLI (`ezybus admin-keys create`) or by the first `npm start`.
 */
import { crypto } from '../runtime/builtins.js';
import { gatewayConfig } from '../config.js';
import { hashKey } from '../gateway/auth.js';
import { perGateway } from '../context.js';
import { TtlCache } from '../store/cache.js';
import { dynamo, marshal, unmarshal, type Item } from '../store/dynamo.js';
import { audit, SYSTEM, type Actor } from './audit.js';
import { OpError } from './errors.js';
import { generateKey } from './ops.js';

const { randomUUID, timingSafeEqual } = crypto;

export type AdminScope = 'read' | 'write';

export interface AdminKey {
  id: string;
  hash: string;
  prefix: string;
  name: string;
  scope: AdminScope;
  createdAt: number;
  disabled?: boolean;
}

export const ADMIN_KEY_PREFIX = 'ak-eb-';
// Short, so a revoked admin key stops working quickly; admin traffic is light.
const cache = perGateway(() => new TtlCache<AdminKey | null>(1_000), true);
const CACHE_MS = 5_000;

function toAdminKey(r: Record<string, unknown>): AdminKey {
  const k: AdminKey = {
    id: String(r.id ?? ''),
    hash: String(r.hash ?? ''),
    prefix: String(r.prefix ?? ''),
    name: String(r.name ?? ''),
    scope: r.scope === 'write' ? 'write' : 'read',
    createdAt: typeof r.createdAt === 'number' ? r.createdAt : 0,
  };
  if (r.disabled === true) k.disabled = true;
  return k;
}

async function putAdminKey(k: AdminKey): Promise<void> {
  const { client, sdk } = await dynamo();
  await client.send(new sdk.PutItemCommand({ TableName: gatewayConfig().tables.admin, Item: marshal({ pk: `admin#${k.hash}`, sk: 'admin', ...k }) }));
  cache().set(k.hash, k, CACHE_MS);
}

export async function createAdminKey(name: string, scope: AdminScope, by: Actor = SYSTEM): Promise<{ key: string; record: AdminKey }> {
  const key = generateKey(ADMIN_KEY_PREFIX);
  const record: AdminKey = { id: `ak_${randomUUID().replace(/-/g, '').slice(0, 16)}`, hash: hashKey(key), prefix: key.slice(0, 10), name, scope, createdAt: Date.now() };
  await putAdminKey(record);
  await audit(by, 'admin-keys.create', record.id, { name, scope });
  return { key, record };
}

/** Operator-only and rare: a filtered Scan of the small admin table. */
export async function listAdminKeys(): Promise<AdminKey[]> {
  const { client, sdk } = await dynamo();
  const out: AdminKey[] = [];
  let start: Item | undefined;
  do {
    const page = await client.send(
      new sdk.ScanCommand({
        TableName: gatewayConfig().tables.admin,
        FilterExpression: 'sk = :s',
        ExpressionAttributeValues: { ':s': { S: 'admin' } },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) out.push(toAdminKey(unmarshal(item)));
    start = page.LastEvaluatedKey;
  } while (start);
  return out.sort((a, b) => a.createdAt - b.createdAt);
}

export async function revokeAdminKey(id: string, by: Actor = SYSTEM): Promise<AdminKey> {
  const k = (await listAdminKeys()).find((x) => x.id === id);
  if (!k) throw new OpError(404, `no admin key with id '${id}'`);
  k.disabled = true;
  await putAdminKey(k);
  await audit(by, 'admin-keys.revoke', id, {});
  return k;
}

/** The admin key behind a presented secret, or an OpError(401) that says why not. */
export async function authenticateAdmin(presented: string | undefined): Promise<AdminKey> {
  if (!presented) throw new OpError(401, 'Missing admin key. Send "Authorization: Bearer ak-eb-…".');
  if (!presented.startsWith(ADMIN_KEY_PREFIX)) throw new OpError(401, 'That is not an admin key (admin keys start with ak-eb-; gateway keys are not accepted here).');
  const hash = hashKey(presented);
  let rec = cache().get(hash);
  if (rec === undefined) {
    const { client, sdk } = await dynamo();
    const res = await client.send(new sdk.GetItemCommand({ TableName: gatewayConfig().tables.admin, Key: { pk: { S: `admin#${hash}` }, sk: { S: 'admin' } } }));
    rec = res.Item ? toAdminKey(unmarshal(res.Item)) : null;
    cache().set(hash, rec, CACHE_MS);
  }
  if (!rec || rec.hash.length !== hash.length || !timingSafeEqual(Buffer.from(rec.hash), Buffer.from(hash))) throw new OpError(401, 'Invalid admin key.');
  if (rec.disabled) throw new OpError(401, 'This admin key has been revoked.');
  return rec;
}

export function actorOf(k: AdminKey): Actor {
  return { kind: 'admin-key', id: k.id, name: k.name };
}
