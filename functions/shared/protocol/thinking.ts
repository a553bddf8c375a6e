/** Thinking and structured-output facts shared by the request encoders. */
import type { CanonicalRequest } from './canonical.js';
import type { OutOptions } from './adapter.js';

// Defaults for reasoning_effort → thinking budget tokens (configurable per route).
export const DEFAULT_THINKING_BUDGETS = { minimal: 1024, low: 2048, medium: 8192, high: 24576 } as const;

/**
 * The thinking budget a request asks for: its own budget, else its effort level through the
 * route's budgets (`max` / `xhigh` = high), else adaptive or none.
 */
export function budgetFor(req: CanonicalRequest, o: OutOptions): number | 'adaptive' | undefined {
  if (typeof req.thinking === 'number') return req.thinking;
  const e = req.reasoningEffort;
  if (!e || e === 'none') return req.thinking;
  const b = { ...DEFAULT_THINKING_BUDGETS, ...o.thinkingBudgets };
  return e === 'minimal' ? b.minimal : e === 'low' ? b.low : e === 'high' || e === 'xhigh' || e === 'max' ? b.high : b.medium;
}

/** For a target without a JSON mode: the constraint as an instruction. */
export function jsonInstruction(req: CanonicalRequest): string {
  return req.json?.schema
    ? `Answer with a single JSON object that conforms to this JSON Schema, and nothing else:\n${JSON.stringify(req.json.schema)}`
    : 'Answer with a single valid JSON object, and nothing else.';
}
