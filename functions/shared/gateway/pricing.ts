/**
 * The cost of a finished request: provider-reported usage × the price in force now (operator
 * override for the stage, else the built-in catalog). The record keeps the cost and where the
 * price came from, so a later price change never rewrites a past record.
 */
import { perGateway } from '../context.js';
import { SwrValue } from '../store/cache.js';
import { listPriceOverrides } from '../store/repo.js';
import { costMicros } from '../usage/cost.js';
import { PRICE_CATALOG_VERSION, resolvePrice, type ModelPrice } from '../usage/prices.js';
import type { Protocol, TokenUsage } from '../usage/types.js';

const overrides = perGateway((cfg) => new SwrValue<Map<string, ModelPrice>>(loadOverrides, () => cfg.cacheTtlMs), true);

async function loadOverrides(): Promise<Map<string, ModelPrice>> {
  return new Map((await listPriceOverrides()).map((o) => [o.model, o.price]));
}

export interface Priced {
  costMicros: number;
  priceSource: 'override' | 'builtin' | 'unknown';
  priceVersion: string;
}

/** The overrides in force: the cached map when warm (no promise), else the read; an unreachable store means none. */
function overridesNow(): ReadonlyMap<string, ModelPrice> | Promise<ReadonlyMap<string, ModelPrice>> {
  const cache = overrides();
  return cache.peek() ?? cache.get().catch(() => new Map<string, ModelPrice>());
}

/**
 * The most any of `targets` would charge for `usage` (the budget reservation's estimate: a
 * request may fail over to any target of its route). 0 when none has a price.
 */
export async function maxCostMicros(targets: readonly { protocol: Protocol; model: string }[], usage: TokenUsage, at: Date = new Date()): Promise<number> {
  const ov = await overridesNow();
  let max = 0;
  for (const t of targets) {
    const found = resolvePrice(t.protocol, t.model, ov, at);
    if (found) max = Math.max(max, costMicros(usage, found.price));
  }
  return max;
}

/** The price of a finished request's usage: a value when the overrides are cached (the warm path), else a promise. */
export function priceUsage(provider: Protocol, upstreamModel: string, usage: TokenUsage | null, at: Date = new Date()): Priced | Promise<Priced> {
  if (!usage) return { costMicros: 0, priceSource: 'unknown', priceVersion: PRICE_CATALOG_VERSION };
  const ov = overridesNow(); // the catalog still prices the request if the store is unreachable
  return ov instanceof Promise ? ov.then((m) => priceWith(m, provider, upstreamModel, usage, at)) : priceWith(ov, provider, upstreamModel, usage, at);
}

function priceWith(ov: ReadonlyMap<string, ModelPrice>, provider: Protocol, upstreamModel: string, usage: TokenUsage, at: Date): Priced {
  const found = resolvePrice(provider, upstreamModel, ov, at);
  if (!found) return { costMicros: 0, priceSource: 'unknown', priceVersion: PRICE_CATALOG_VERSION };
  return { costMicros: costMicros(usage, found.price), priceSource: found.source, priceVersion: PRICE_CATALOG_VERSION };
}

/** Moved beside the Messages usage model; re-exported for existing callers. */
export { attributeCacheWrites } from '../protocol/messages/usage.js';
