/**
 * The cost of a finished request: provider-reported usage × the price in force now (operator
 * override for the stage, else the built-in catalog). The record keeps the cost and where the
 * price came from, so a later price change never rewrites a past record.
 */
import { gatewayConfig } from '../config.js';
import { SwrValue } from '../store/cache.js';
import { listPriceOverrides } from '../store/repo.js';
import { costMicros } from '../usage/cost.js';
import { PRICE_CATALOG_VERSION, resolvePrice, type ModelPrice } from '../usage/prices.js';
import type { Protocol, TokenUsage } from '../usage/types.js';

const overrides = new SwrValue<Map<string, ModelPrice>>(loadOverrides, () => gatewayConfig().cacheTtlMs);

async function loadOverrides(): Promise<Map<string, ModelPrice>> {
  return new Map((await listPriceOverrides()).map((o) => [o.model, o.price]));
}

export interface Priced {
  costMicros: number;
  priceSource: 'override' | 'builtin' | 'unknown';
  priceVersion: string;
}

export async function priceUsage(provider: Protocol, upstreamModel: string, usage: TokenUsage | null, at: Date = new Date()): Promise<Priced> {
  if (!usage) return { costMicros: 0, priceSource: 'unknown', priceVersion: PRICE_CATALOG_VERSION };
  let ov: ReadonlyMap<string, ModelPrice>;
  try {
    ov = await overrides.get();
  } catch {
    ov = new Map(); // the catalog still prices the request if the store is unreachable
  }
  const found = resolvePrice(provider, upstreamModel, ov, at);
  if (!found) return { costMicros: 0, priceSource: 'unknown', priceVersion: PRICE_CATALOG_VERSION };
  return { costMicros: costMicros(usage, found.price), priceSource: found.source, priceVersion: PRICE_CATALOG_VERSION };
}

/** Moved beside the Messages usage model; re-exported for existing callers. */
export { attributeCacheWrites } from '../protocol/messages/usage.js';

export function resetPricing(): void {
  overrides.clear();
}
