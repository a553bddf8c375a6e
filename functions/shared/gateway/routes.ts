/**
 * Public model name → route, from one cached Query of all routes (stale-while-revalidate, so a
 * warm request never waits on DynamoDB because the list aged).
 */
import { perGateway } from '../context.js';
import { SwrValue } from '../store/cache.js';
import type { GatewayKey, Route } from '../store/records.js';
import { listRoutes } from '../store/repo.js';
import { GatewayError } from './errors.js';

const cached = perGateway((cfg) => new SwrValue<Map<string, Route>>(async () => new Map((await listRoutes()).map((r) => [r.model, r])), () => cfg.cacheTtlMs), true);

export async function activeRoutes(): Promise<Route[]> {
  return [...(await cached().get()).values()].filter((r) => r.active && r.targets.length > 0);
}

export async function findRoute(model: string): Promise<Route> {
  const routes = cached();
  let route = (await routes.get()).get(model);
  // A model missing from a stale list may be a route added since: look once more, fresh.
  // (Concurrent misses share one refresh, so unknown-model floods cost one Query per TTL.)
  if (!route && routes.isStale()) route = (await routes.refresh()).get(model);
  if (!route || !route.active || route.targets.length === 0) {
    throw new GatewayError(404, 'not_found', `The model '${model}' does not exist or is not routed by this gateway.`, {
      param: 'model',
    });
  }
  return route;
}

/** Glob match (`*` only) of a key's allowed-model patterns. */
export function modelAllowed(key: GatewayKey, model: string): boolean {
  const pats = key.allowedModels;
  if (!pats || pats.length === 0) return true;
  return pats.some((p) => {
    if (!p.includes('*')) return p === model;
    const re = new RegExp(`^${p.split('*').map(escapeRe).join('.*')}$`);
    return re.test(model);
  });
}

function escapeRe(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

export function assertModelAllowed(key: GatewayKey, model: string): void {
  if (!modelAllowed(key, model)) {
    throw new GatewayError(403, 'permission', `This API key may not use the model '${model}'.`, { param: 'model' });
  }
}
