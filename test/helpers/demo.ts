/**
 * The demo models of `npm start` (demo-gpt, demo-claude, demo-gemini) on a test stack: the
 * routes first-run creates, to the simulator, so client tests run against exactly those names.
 */
import { setRoute } from '../../functions/shared/admin/ops.js';
import { DEMO_MODELS } from '../../local/first-run.js';
import type { Protocol } from '../../functions/shared/usage/types.js';
import { startStack, type Stack } from './stack.js';

export const DEMO = DEMO_MODELS;
export const DEMO_UPSTREAM: Record<Protocol, string> = { openai: 'sim-openai-model', anthropic: 'sim-anthropic-model', gemini: 'sim-gemini-model' };

/** Adds the demo routes to a stack started by startStack (its upstreams are `sim-<protocol>`). */
export async function addDemoRoutes(): Promise<void> {
  for (const p of ['openai', 'anthropic', 'gemini'] as const) {
    await setRoute(DEMO[p], [{ upstream: `sim-${p}`, model: DEMO_UPSTREAM[p] }], { ownedBy: 'simulator' });
  }
}

export const DEMO_PROVIDERS = ['openai', 'anthropic', 'gemini'] as const;

/** A test stack with the demo routes. */
export async function startDemoStack(env: Record<string, string> = {}): Promise<Stack> {
  const s = await startStack(env);
  await addDemoRoutes();
  return s;
}

/** The last request log line for a public model. */
export function lastLog(s: Stack, model: string): Record<string, unknown> | undefined {
  return s.logs
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.model === model)
    .at(-1);
}
