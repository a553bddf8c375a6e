/**
 * The cost of a finished request: provider-reported usage × the price in force now (operator
 * override for the stage, else the built-in catalog). The record keeps the cost and where the
 * price came from, so a later price change never rewrites a past record.
 */
import { gatewayConfig } from '../config.js';
import { SwrValue } from '../store/cache.js';
import { dynamo, unmarshal } from '../store/dynamo.js';
import { splitCacheWrites } from '../usage/cache-split.js';
import { costMicros } from '../usage/cost.js';
import { PRICE_CATALOG_VERSION, resolvePrice, type ModelPrice } from '../usage/prices.js';
import type { Protocol, TokenUsage } from '../usage/types.js';

const overrides = new SwrValue<Map<string, ModelPrice>>(loadOverrides, () => gatewayConfig().cacheTtlMs);

async function loadOverrides(): Promise<Map<string, ModelPrice>> {
  const { client, sdk } = await dynamo();
  const res = await client.send(
    new sdk.QueryCommand({
      TableName: gatewayConfig().tables.config,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: 'prices' } },
    }),
  );
  const out = new Map<string, ModelPrice>();
  for (const item of res.Items ?? []) {
    const r = unmarshal(item);
    if (r.price && typeof r.price === 'object') out.set(String(r.sk), r.price as ModelPrice);
  }
  return out;
}

export interface Priced {
  costMicros: number;
  priceSource: 'override' | 'builtin' | 'unknown';
  priceVersion: string;
}

export async function priceUsage(provider: Protocol, upstreamModel: string, usage: TokenUsage | null): Promise<Priced> {
  if (!usage) return { costMicros: 0, priceSource: 'unknown', priceVersion: PRICE_CATALOG_VERSION };
  let ov: ReadonlyMap<string, ModelPrice>;
  try {
    ov = await overrides.get();
  } catch {
    ov = new Map(); // the catalog still prices the request if the store is unreachable
  }
  const found = resolvePrice(provider, upstreamModel, ov);
  if (!found) return { costMicros: 0, priceSource: 'unknown', priceVersion: PRICE_CATALOG_VERSION };
  return { costMicros: costMicros(usage, found.price), priceSource: found.source, priceVersion: PRICE_CATALOG_VERSION };
}

/**
 * Anthropic reports cache writes without the 5 m / 1 h split on some paths; when the split is
 * absent (everything landed in 5 m) but the request asked for 1 h breakpoints, attribute by the
 * request's cache_control TTLs.
 */
export function attributeCacheWrites(usage: TokenUsage, anthropicBody: Record<string, unknown>): TokenUsage {
  if (usage.cacheWrite1hTokens > 0 || usage.cacheWrite5mTokens === 0) return usage;
  if (!JSON.stringify(anthropicBody).includes('"1h"')) return usage;
  const { w5m, w1h } = splitCacheWrites(usage.cacheWrite5mTokens, anthropicBody);
  return { ...usage, cacheWrite5mTokens: w5m, cacheWrite1hTokens: w1h };
}

export function resetPricing(): void {
  overrides.clear();
}
