/**
 * `GET /v1/models?client_version=…` in the shape Codex CLI asks for: `{"models": [ModelInfo…]}`
 * rather than OpenAI's `{"object":"list","data":[…]}` (docs/protocols.md, Codex CLI appendix).
 * The fields are those of Codex's own bundled catalog that describe a model (slug, names,
 * reasoning levels, the shell tool it should get, visibility); everything about OpenAI-only
 * features is left at its "none" value. The `client_version` query parameter is what tells
 * Codex's request apart from an OpenAI SDK's.
 */
import type { Route } from '../store/records.js';

const LEVELS = [
  { effort: 'low', description: 'Fast responses with lighter reasoning' },
  { effort: 'medium', description: 'Balances speed and reasoning depth for everyday tasks' },
  { effort: 'high', description: 'Greater reasoning depth for complex problems' },
];

export const isCodexModelsRequest = (query: Record<string, string> | undefined): boolean => query?.client_version !== undefined;

export function codexModel(r: Route, priority: number): Record<string, unknown> {
  return {
    slug: r.model,
    display_name: r.model,
    description: `${r.model} through EzyBus`,
    default_reasoning_level: 'medium',
    supported_reasoning_levels: LEVELS,
    shell_type: 'shell_command',
    visibility: 'list',
    supported_in_api: true,
    priority,
    upgrade: null,
    supports_reasoning_summaries: true,
    support_verbosity: false,
    default_verbosity: null,
    apply_patch_tool_type: 'freeform',
    truncation_policy: { mode: 'tokens', limit: 10000 },
    supports_parallel_tool_calls: true,
    context_window: null,
    experimental_supported_tools: [],
  };
}

export function codexModelList(routes: Route[]): { models: Record<string, unknown>[] } {
  return { models: routes.map((r, i) => codexModel(r, i + 1)) };
}
