/** PLACEHOLDER until the price catalog lands (issue #6): no built-in prices; overrides only. */
import type { Protocol } from './types.js';

export interface PriceTier {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
}
export interface ModelPrice extends PriceTier {
  longContext?: PriceTier & { aboveInputTokens: number };
}
export const PRICE_CATALOG_VERSION = 'none';
export function builtinPrice(_provider: Protocol, _model: string): ModelPrice | undefined {
  return undefined;
}
export function resolvePrice(
  provider: Protocol,
  model: string,
  overrides: ReadonlyMap<string, ModelPrice>,
): { price: ModelPrice; source: 'override' | 'builtin' } | undefined {
  const o = overrides.get(model);
  if (o) return { price: o, source: 'override' };
  const b = builtinPrice(provider, model);
  return b ? { price: b, source: 'builtin' } : undefined;
}
