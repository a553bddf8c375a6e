/**
 * First-run setup of the local gateway: a gateway key (printed once), and upstreams from the
 * environment (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY and their *_BASE_URL), or —
 * when none is configured — demo routes to the built-in provider simulator so the README
 * quickstart works offline.
 */
import { listGatewayKeys, listRoutes, listUpstreams } from '../functions/shared/store/repo.js';
import type { Protocol } from '../functions/shared/usage/types.js';
import { addUpstream, addUpstreamKey, createGatewayKey, setRoute } from '../bin/cli/ops.js';

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

export async function firstRun(env: NodeJS.ProcessEnv, simulatorUrl: () => Promise<string>): Promise<{ newKey?: string; demo: boolean }> {
  const result: { newKey?: string; demo: boolean } = { demo: false };
  if ((await listGatewayKeys()).length === 0) {
    const { key } = await createGatewayKey({ name: 'first local key' });
    result.newKey = key;
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
      await setRoute(DEMO_MODELS[protocol], [{ upstream: id, model: `sim-${protocol}-model` }], { ownedBy: 'simulator' });
    }
    result.demo = true;
  }
  return result;
}
