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

/**
 * The route of a public model name: the route itself when the cached list is warm (no promise
 * on the warm path), else a promise of it. An unknown or unroutable model is a 404 either way.
 */
export function findRoute(model: string): Route | Promise<Route> {
  const routes = cached();
  const warm = routes.peek();
  if (warm === undefined) return routes.get().then((m) => lookupRoute(routes, m, model));
  return lookupRoute(routes, warm, model);
}

function lookupRoute(routes: ReturnType<typeof cached>, list: Map<string, Route>, model: string): Route | Promise<Route> {
  const route = list.get(model);
  // A model missing from a stale list may be a route added since: look once more, fresh.
  // (Concurrent misses share one refresh, so unknown-model floods cost one Query per TTL.)
  if (!route && routes.isStale()) return routes.refresh().then((m) => routable(m.get(model), model));
  return routable(route, model);
}

function routable(route: Route | undefined, model: string): Route {
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
