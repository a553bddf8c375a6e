/**
 * First-run setup of the local gateway: a gateway key and an admin key (each printed once), and upstreams from the
 * environment (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY and their *_BASE_URL), or —
 * when none is configured — demo routes to the built-in provider simulator so the README
 * quickstart works offline.
 */
import { listGatewayKeys, listPriceOverrides, listRoutes, listUpstreams, putPriceOverride } from '../functions/shared/store/repo.js';
import { catalogRows, PRICE_CATALOG_VERSION } from '../functions/shared/usage/prices.js';
import type { Protocol } from '../functions/shared/usage/types.js';
import { createAdminKey, listAdminKeys } from '../functions/shared/admin/admin-keys.js';
import { addUpstream, addUpstreamKey, createGatewayKey, setRoute } from '../functions/shared/admin/ops.js';

interface EnvProvider {
  protocol: Protocol;
  keyVar: string;
  baseVar: string;
  defaultBase: string;
  models: string[];
}

const PROVIDERS: EnvProvider[] = [
  { protocol: 'openai', keyVar: 'OPENAI_API_KEY', baseVar: 'OPENAI_BASE_URL', defaultBase: 'https://api.openai.com', models: ['gpt-4.1', 'gpt-4.1-mini', 'gpt-4o-mini', 'o4-mini'] },
  { protocol: 'anthropic', keyVar: 'ANTHROPIC_API_KEY', baseVar: 'ANTHROPIC_BASE_URL', defaultBase: 'https://api.anthropic.com', models: ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1'] },
  { protocol: 'gemini', keyVar: 'GEMINI_API_KEY', baseVar: 'GEMINI_BASE_URL', defaultBase: 'https://generativelanguage.googleapis.com', models: ['gemini-2.5-pro', 'gemini-2.5-flash'] },
];

/** OpenAI's SDK convention puts /v1 in the base URL; EzyBus paths carry it themselves. */
function stripV1(url: string): string {
  return url.replace(/\/v1\/?$/, '');
}

export const DEMO_MODELS: Record<Protocol, string> = { openai: 'demo-gpt', anthropic: 'demo-claude', gemini: 'demo-gemini' };

/**
 * The simulator's models are priced as stand-ins of real models at their catalog list prices,
 * so the quickstart shows what billing does (x-ezybus-cost-* headers, `ezybus usage`). Each is
 * a price override whose note says what it stands in for; `ezybus prices unset` removes it.
 */
export const DEMO_PRICE_STAND_INS: Record<Protocol, string> = { openai: 'gpt-4.1-mini', anthropic: 'claude-haiku-4-5', gemini: 'gemini-2.5-flash' };

const simModel = (protocol: Protocol): string => `sim-${protocol}-model`;

/** Sets the demo stand-in prices that are missing (an operator's own override is left alone). */
export async function ensureDemoPrices(): Promise<void> {
  const have = new Set((await listPriceOverrides()).map((o) => o.model));
  const catalog = catalogRows();
  for (const protocol of ['openai', 'anthropic', 'gemini'] as const) {
    const model = simModel(protocol);
    const real = catalog.find((c) => c.provider === protocol && c.model === DEMO_PRICE_STAND_INS[protocol]);
    if (have.has(model) || !real) continue;
    await putPriceOverride({
      model,
      price: real.price,
      updatedAt: Date.now(),
      note: `demo stand-in: the list price of ${real.model} (catalog ${PRICE_CATALOG_VERSION}); the simulator charges nothing`,
    });
  }
}

export async function firstRun(env: NodeJS.ProcessEnv, simulatorUrl: () => Promise<string>): Promise<{ newKey?: string; newAdminKey?: string; demo: boolean }> {
  const result: { newKey?: string; newAdminKey?: string; demo: boolean } = { demo: false };
  if ((await listGatewayKeys()).length === 0) {
    const { key } = await createGatewayKey({ name: 'first local key' });
    result.newKey = key;
  }
  if ((await listAdminKeys()).length === 0) {
    const { key } = await createAdminKey('first local admin key', 'write');
    result.newAdminKey = key;
  }
  const existing = new Set((await listUpstreams()).map((u) => u.id));
  let configured = false;
  for (const p of PROVIDERS) {
    const apiKey = env[p.keyVar];
    if (!apiKey) continue;
    configured = true;
    if (existing.has(p.protocol)) continue;
    await addUpstream(p.protocol, p.protocol, stripV1(env[p.baseVar] ?? p.defaultBase));
    await addUpstreamKey(p.protocol, apiKey);
    for (const m of p.models) await setRoute(m, [{ upstream: p.protocol, model: m }], { ownedBy: p.protocol });
  }
  if (!configured && existing.size === 0 && (await listRoutes()).length === 0) {
    const url = await simulatorUrl();
    for (const protocol of ['openai', 'anthropic', 'gemini'] as const) {
      const id = `sim-${protocol}`;
      await addUpstream(id, protocol, url);
      await addUpstreamKey(id, `sim-key-${protocol}`);
      await setRoute(DEMO_MODELS[protocol], [{ upstream: id, model: simModel(protocol) }], { ownedBy: 'simulator' });
    }
    result.demo = true;
  }
  // Also for a store made by an earlier version, before demo models had prices.
  if ((await listUpstreams()).some((u) => u.id.startsWith('sim-'))) await ensureDemoPrices();
  return result;
}
