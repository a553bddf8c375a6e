/**
 * Reads and writes of EzyBus records. Item layout (every table has pk and sk, both strings):
 *   keys table    pk=key#<sha256hex>      sk=key          a gateway key (hash only)
 *   config table  pk=routes               sk=<model>      a route
 *                 pk=upstreams            sk=<id>         an upstream (provider endpoint)
 *                 pk=ukeys#<upstreamId>   sk=<keyId>      an upstream key (ciphertext)
 *                 pk=prices               sk=<model>      a price override (µ$ per MTok)
 *   usage table   pk=req#<requestId>      sk=req          a usage record
 * Routes and upstreams sit in one partition each so one Query reads them all.
 */
import { gatewayConfig } from '../config.js';
import { dynamo, marshal, unmarshal, type Item } from './dynamo.js';
import { wireProtocolOf } from '../protocol/wire.js';
import type { ModelPrice } from '../usage/prices.js';
import type { GatewayKey, Route, RouteTarget, Upstream, UpstreamKeyRecord } from './records.js';

function str(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : fallback;
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

async function queryAll(table: string, pk: string, skPrefix?: string): Promise<Record<string, unknown>[]> {
  const { client, sdk } = await dynamo();
  const out: Record<string, unknown>[] = [];
  let start: Item | undefined;
  do {
    const res = await client.send(
      new sdk.QueryCommand({
        TableName: table,
        KeyConditionExpression: skPrefix ? 'pk = :pk AND begins_with(sk, :p)' : 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: pk }, ...(skPrefix ? { ':p': { S: skPrefix } } : {}) },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of res.Items ?? []) out.push(unmarshal(item));
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}

async function put(table: string, item: Record<string, Parameters<typeof marshal>[0][string]>): Promise<void> {
  const { client, sdk } = await dynamo();
  await client.send(new sdk.PutItemCommand({ TableName: table, Item: marshal(item) }));
}

// ---- gateway keys ----

function toGatewayKey(r: Record<string, unknown>): GatewayKey {
  const key: GatewayKey = {
    id: str(r.id),
    hash: str(r.hash),
    prefix: str(r.prefix),
    name: str(r.name),
    createdAt: num(r.createdAt) ?? 0,
  };
  if (Array.isArray(r.allowedModels)) key.allowedModels = r.allowedModels.filter((m): m is string => typeof m === 'string');
  if (r.disabled === true) key.disabled = true;
  const exp = num(r.expiresAt);
  if (exp !== undefined) key.expiresAt = exp;
  for (const f of ['rpm', 'tpm', 'budgetMicros'] as const) {
    const v = num(r[f]);
    if (v !== undefined) key[f] = v;
  }
  return key;
}

export async function getGatewayKeyByHash(hash: string): Promise<GatewayKey | null> {
  const { client, sdk } = await dynamo();
  const res = await client.send(
    new sdk.GetItemCommand({
      TableName: gatewayConfig().tables.keys,
      Key: { pk: { S: `key#${hash}` }, sk: { S: 'key' } },
    }),
  );
  return res.Item ? toGatewayKey(unmarshal(res.Item)) : null;
}

export async function putGatewayKey(key: GatewayKey): Promise<void> {
  await put(gatewayConfig().tables.keys, { pk: `key#${key.hash}`, sk: 'key', ...key });
}

export async function listGatewayKeys(): Promise<GatewayKey[]> {
  // Operator-only (CLI): a Scan is fine off the request path.
  const { client, sdk } = await dynamo();
  const out: GatewayKey[] = [];
  let start: Item | undefined;
  do {
    const res = await client.send(
      new sdk.ScanCommand({ TableName: gatewayConfig().tables.keys, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    for (const item of res.Items ?? []) out.push(toGatewayKey(unmarshal(item)));
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}

// ---- routes ----

function toTargets(v: unknown): RouteTarget[] {
  if (!Array.isArray(v)) return [];
  const out: RouteTarget[] = [];
  for (const t of v) {
    if (!t || typeof t !== 'object') continue;
    const r = t as Record<string, unknown>;
    const upstream = str(r.upstream);
    const model = str(r.model);
    if (!upstream || !model) continue;
    out.push({ upstream, model, weight: num(r.weight) ?? 1, priority: num(r.priority) ?? 0 });
  }
  return out;
}

export async function listRoutes(): Promise<Route[]> {
  const rows = await queryAll(gatewayConfig().tables.config, 'routes');
  return rows.map((r) => {
    const route: Route = {
      model: str(r.model, str(r.sk)),
      targets: toTargets(r.targets),
      active: r.active !== false,
      createdAt: num(r.createdAt) ?? 0,
    };
    if (typeof r.ownedBy === 'string') route.ownedBy = r.ownedBy;
    const mt = num(r.maxTokensDefault);
    if (mt !== undefined) route.maxTokensDefault = mt;
    const hedge = num(r.hedgeAfterMs);
    if (hedge !== undefined) route.hedgeAfterMs = hedge;
    if (Array.isArray(r.failoverStatuses)) route.failoverStatuses = r.failoverStatuses.filter((x): x is number => typeof x === 'number');
    if (r.earlyCommit === true) route.earlyCommit = true;
    if (r.autoCache === '5m' || r.autoCache === '1h') route.autoCache = r.autoCache;
    const tb = r.thinkingBudgets as Record<string, unknown> | undefined;
    if (tb && typeof tb.low === 'number' && typeof tb.medium === 'number' && typeof tb.high === 'number') route.thinkingBudgets = { low: tb.low, medium: tb.medium, high: tb.high };
    return route;
  });
}

export async function putRoute(route: Route): Promise<void> {
  await put(gatewayConfig().tables.config, {
    pk: 'routes',
    sk: route.model,
    ...route,
    targets: route.targets.map((t) => ({ ...t })),
    failoverStatuses: route.failoverStatuses ? [...route.failoverStatuses] : undefined,
    thinkingBudgets: route.thinkingBudgets ? { ...route.thinkingBudgets } : undefined,
  });
}

// ---- upstreams and their keys ----

export async function listUpstreams(): Promise<Upstream[]> {
  const rows = await queryAll(gatewayConfig().tables.config, 'upstreams');
  return rows.flatMap((r) => {
    // Migrated on read: upstreams written before protocols were renamed say openai / anthropic / gemini.
    const protocol = wireProtocolOf(r.protocol);
    if (!protocol) return [];
    const u: Upstream = { id: str(r.id, str(r.sk)), protocol, baseUrl: str(r.baseUrl), createdAt: num(r.createdAt) ?? 0 };
    if (r.disabled === true) u.disabled = true;
    return [u];
  });
}

export async function putUpstream(u: Upstream): Promise<void> {
  await put(gatewayConfig().tables.config, { pk: 'upstreams', sk: u.id, ...u });
}

export async function listUpstreamKeys(upstreamId: string): Promise<UpstreamKeyRecord[]> {
  const rows = await queryAll(gatewayConfig().tables.config, `ukeys#${upstreamId}`);
  return rows.map((r) => {
    const k: UpstreamKeyRecord = {
      upstreamId,
      id: str(r.id, str(r.sk)),
      ciphertext: str(r.ciphertext),
      hint: str(r.hint),
      createdAt: num(r.createdAt) ?? 0,
    };
    if (r.disabled === true) k.disabled = true;
    if (typeof r.disabledReason === 'string') k.disabledReason = r.disabledReason;
    return k;
  });
}

export async function putUpstreamKey(k: UpstreamKeyRecord): Promise<void> {
  await put(gatewayConfig().tables.config, { pk: `ukeys#${k.upstreamId}`, sk: k.id, ...k });
}

// ---- usage ----

export async function getUsageRecord(requestId: string): Promise<Record<string, unknown> | null> {
  const { client, sdk } = await dynamo();
  const res = await client.send(
    new sdk.GetItemCommand({
      TableName: gatewayConfig().tables.usage,
      Key: { pk: { S: `req#${requestId}` }, sk: { S: 'req' } },
    }),
  );
  return res.Item ? unmarshal(res.Item) : null;
}

// ---- usage totals (read by budgets and the CLI) ----

export interface TotalsRow {
  keyId: string;
  /** `all` or `day#YYYY-MM-DD#model#<model>` (older ledgers also hold `day#YYYY-MM-DD`). */
  sk: string;
  values: Record<string, number>;
}

/** A key's totals; `skPrefix` narrows them (`day#2026-12-01#` is one day's rows, for the console). */
export async function listTotals(keyId: string, skPrefix?: string): Promise<TotalsRow[]> {
  const rows = await queryAll(gatewayConfig().tables.usage, `tot#${keyId}`, skPrefix);
  return rows.map((r) => {
    const values: Record<string, number> = {};
    for (const [k, v] of Object.entries(r)) if (typeof v === 'number') values[k] = v;
    return { keyId, sk: str(r.sk), values };
  });
}

// ---- price overrides (config table pk=prices sk=<upstream model>) ----

export interface PriceOverride {
  model: string;
  price: ModelPrice;
  /** Who set it and when, for the audit trail `ezybus prices list` shows. */
  updatedAt: number;
  note?: string;
}

const PRICE_FIELDS = ['input', 'output', 'cacheRead', 'cacheWrite5m', 'cacheWrite1h'] as const;

function toTier(v: unknown): ModelPrice | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const f of PRICE_FIELDS) {
    const n = o[f];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return undefined; // never guess a price
    out[f] = n;
  }
  const price = out as unknown as ModelPrice;
  const lc = o.longContext as Record<string, unknown> | undefined;
  if (lc && typeof lc.aboveInputTokens === 'number') {
    const t = toTier({ ...lc, longContext: undefined });
    if (t) price.longContext = { ...t, aboveInputTokens: lc.aboveInputTokens };
  }
  return price;
}

export async function listPriceOverrides(): Promise<PriceOverride[]> {
  const rows = await queryAll(gatewayConfig().tables.config, 'prices');
  const out: PriceOverride[] = [];
  for (const r of rows) {
    const price = toTier(r.price);
    if (!price) continue;
    out.push({ model: str(r.sk), price, updatedAt: num(r.updatedAt) ?? 0, ...(typeof r.note === 'string' ? { note: r.note } : {}) });
  }
  return out;
}

export async function putPriceOverride(o: PriceOverride): Promise<void> {
  await put(gatewayConfig().tables.config, {
    pk: 'prices',
    sk: o.model,
    price: JSON.parse(JSON.stringify(o.price)) as Record<string, unknown>,
    updatedAt: o.updatedAt,
    ...(o.note ? { note: o.note } : {}),
  } as Parameters<typeof put>[1]);
}

export async function deletePriceOverride(model: string): Promise<void> {
  const { client, sdk } = await dynamo();
  await client.send(new sdk.DeleteItemCommand({ TableName: gatewayConfig().tables.config, Key: { pk: { S: 'prices' }, sk: { S: model } } }));
}
