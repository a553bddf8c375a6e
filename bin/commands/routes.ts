/** `ezybus routes set|list`: public model names → upstream targets. */
import { listRoutes } from '../../functions/shared/store/repo.js';
import { setCheckedRoute } from '../../functions/shared/admin/ops.js';
import { cliActor } from '../cli/actor.js';
import { all, flag, int, one, print, required, UsageError, type Args, type Command } from '../cli/command.js';

function targets(a: Args): Array<{ upstream: string; model: string; weight: number; priority: number }> {
  const list = all(a, 'target').map((t) => {
    const [upstream, model, weight, priority] = t.split(':');
    if (!upstream || !model) throw new UsageError(`--target must be UPSTREAM:MODEL[:WEIGHT[:PRIORITY]], got '${t}'`);
    const w = weight === undefined ? 1 : Number(weight);
    const pr = priority === undefined ? 0 : Number(priority);
    if (!Number.isFinite(w) || w < 0 || !Number.isInteger(pr)) throw new UsageError(`bad weight or priority in '${t}'`);
    return { upstream, model, weight: w, priority: pr };
  });
  if (!list.length) throw new UsageError('at least one --target is required');
  return list;
}

/** A comma-separated list of numbers, or undefined when the option is absent. */
function numbers(a: Args, name: string, ok: (xs: number[]) => boolean, what: string): number[] | undefined {
  const raw = one(a, name);
  if (raw === undefined) return undefined;
  const xs = raw.split(',').map((x) => Number(x.trim()));
  if (!ok(xs)) throw new UsageError(`--${name} must be ${what}, got '${raw}'`);
  return xs;
}

export const command: Command = {
  help: `Usage:
  ezybus routes set --model PUBLIC --target UPSTREAM:MODEL[:WEIGHT[:PRIORITY]] [--target …]
                    [--max-tokens N] [--hedge-after-ms N] [--failover-statuses 429,500,503,529]
                    [--early-commit] [--auto-cache 5m|1h] [--thinking-budgets LOW,MEDIUM,HIGH] [--inactive]
  ezybus routes list [--json]

--hedge-after-ms      start a second attempt on another key when the first shows no content in N ms
--early-commit        non-stream requests: answer 200 at once and send whitespace while waiting
                      (errors then arrive in the JSON body, not as a status)
--auto-cache          OpenAI-format clients on Claude targets: place prompt-cache breakpoints
                      (tools, system, the two latest user turns) at this TTL
--thinking-budgets    thinking tokens for reasoning_effort low,medium,high when translated to
                      Claude or Gemini (default 2048,8192,24576)`,
  actions: {
    set: {
      options: {
        model: { type: 'string' },
        target: { type: 'string', multiple: true },
        'max-tokens': { type: 'string' },
        'hedge-after-ms': { type: 'string' },
        'failover-statuses': { type: 'string' },
        'early-commit': { type: 'boolean' },
        'auto-cache': { type: 'string' },
        'thinking-budgets': { type: 'string' },
        inactive: { type: 'boolean' },
      },
      async run(a) {
        const ts = targets(a);
        const maxTokens = int(a, 'max-tokens');
        const hedge = int(a, 'hedge-after-ms');
        const statuses = numbers(a, 'failover-statuses', (xs) => xs.every((x) => Number.isInteger(x) && x >= 400 && x <= 599), 'HTTP statuses 400–599');
        const autoCache = one(a, 'auto-cache');
        if (autoCache !== undefined && autoCache !== '5m' && autoCache !== '1h') throw new UsageError(`--auto-cache must be 5m or 1h, got '${autoCache}'`);
        const budgets = numbers(a, 'thinking-budgets', (xs) => xs.length === 3 && xs.every((x) => Number.isInteger(x) && x >= 1024), 'three token counts ≥ 1024 (low,medium,high)');
        const r = await setCheckedRoute(required(a, 'model'), ts, {
          ...(autoCache ? { autoCache } : {}),
          ...(budgets ? { thinkingBudgets: { low: budgets[0]!, medium: budgets[1]!, high: budgets[2]! } } : {}),
          active: !flag(a, 'inactive'),
          ...(maxTokens !== undefined ? { maxTokensDefault: maxTokens } : {}),
          ...(hedge !== undefined ? { hedgeAfterMs: hedge } : {}),
          ...(statuses ? { failoverStatuses: statuses } : {}),
          ...(flag(a, 'early-commit') ? { earlyCommit: true } : {}),
        }, cliActor());
        print(`Route ${r.model} → ${r.targets.map((t) => `${t.upstream}:${t.model}`).join(', ')}`);
      },
    },
    list: {
      options: { json: { type: 'boolean' } },
      async run(a) {
        const list = await listRoutes();
        if (flag(a, 'json')) print(JSON.stringify(list));
        else for (const r of list) print(`${r.model}${r.active ? '' : ' (inactive)'}  → ${r.targets.map((t) => `${t.upstream}:${t.model} w${t.weight} p${t.priority}`).join(', ')}`);
      },
    },
  },
};
