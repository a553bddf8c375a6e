/**
 * The built-in price catalog: what each provider charges per million tokens, in integer
 * micro-dollars (so $3 / MTok is 3_000_000), for every model a route is likely to name.
 *
 * Why micro-dollars per MTok: a request's cost is Σ tokens × price / 10⁶, computed in integers
 * and rounded once (see cost.ts), so no floating-point drift accumulates in the ledger.
 *
 * Entries are effective-dated: a provider price change is a new entry with `from`, and a request
 * is priced by the entry in force at its start time. The record keeps the cost it was given and
 * the catalog version, so a later change never rewrites the past. Operators override per stage
 * (`ezybus prices set`), and an override wins over the catalog.
 *
 * Sources (read 2026-11-24): platform.claude.com/docs/en/about-claude/pricing (incl. the
 * 2026-10-07 Sonnet 5.5 cache-read cut and Haiku 5.5's 100k prompt band; Sonnet 4/4.5 long
 * context above 200k), the OpenAI pricing page (developers.openai.com/api/docs/pricing), and
 * ai.google.dev/gemini-api/docs/pricing (Pro tiers above 200k prompt tokens); embedding models
 * (read 2026-12-01) bill input tokens only. OpenAI and Gemini
 * charge nothing per token for writing a cache, so their write prices equal plain input (the
 * fields exist only so a mis-reported write is never free). Gemini's explicit-cache storage is
 * billed per hour by Google, not per request, and is outside a request's cost.
 */
import type { Protocol } from './types.js';

export interface PriceTier {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
}

export interface ModelPrice extends PriceTier {
  /**
   * Long-context band: when the prompt (input + cache reads + cache writes) exceeds
   * `aboveInputTokens`, every token of the request is priced at this tier, as Anthropic and
   * Google bill it.
   */
  longContext?: PriceTier & { aboveInputTokens: number };
}

/** Bumped whenever an entry changes; stored on each usage record. */
export const PRICE_CATALOG_VERSION = '2026-12-01';

interface CatalogEntry {
  provider: Protocol;
  models: string[];
  /** First day (UTC, inclusive) this price applies; absent = since the model's release. */
  from?: string;
  price: ModelPrice;
}

const usd = (n: number): number => Math.round(n * 1_000_000);

/** Anthropic: input, 5 m write, 1 h write, cache read, output ($ / MTok). */
function claude(input: number, w5m: number, w1h: number, read: number, output: number): PriceTier {
  return { input: usd(input), cacheWrite5m: usd(w5m), cacheWrite1h: usd(w1h), cacheRead: usd(read), output: usd(output) };
}
/** OpenAI and Gemini: input, cached input, output ($ / MTok); no charge to write a cache. */
function flat(input: number, cached: number, output: number): PriceTier {
  return { input: usd(input), cacheWrite5m: usd(input), cacheWrite1h: usd(input), cacheRead: usd(cached), output: usd(output) };
}
const above = (tokens: number, t: PriceTier): PriceTier & { aboveInputTokens: number } => ({ ...t, aboveInputTokens: tokens });

const CATALOG: CatalogEntry[] = [
  // ── Anthropic ──────────────────────────────────────────────────────────────────────────
  { provider: 'anthropic', models: ['claude-fable-5-1', 'claude-mythos-5-1'], price: claude(10, 12.5, 20, 0.25, 50) },
  { provider: 'anthropic', models: ['claude-fable-5', 'claude-mythos-5'], price: claude(10, 12.5, 20, 1, 50) },
  { provider: 'anthropic', models: ['claude-opus-5-5'], price: claude(4, 5, 8, 0.2, 20) },
  {
    provider: 'anthropic',
    models: ['claude-opus-5', 'claude-opus-4-8', 'claude-opus-4-7', 'claude-opus-4-6', 'claude-opus-4-5'],
    price: claude(5, 6.25, 10, 0.5, 25),
  },
  { provider: 'anthropic', models: ['claude-opus-4-1', 'claude-opus-4', 'claude-opus-4-0', 'claude-3-opus'], price: claude(15, 18.75, 30, 1.5, 75) },
  { provider: 'anthropic', models: ['claude-sonnet-5-5'], price: claude(2, 2.5, 4, 0.2, 10) },
  { provider: 'anthropic', models: ['claude-sonnet-5-5'], from: '2026-10-07', price: claude(2, 2.5, 4, 0.1, 10) },
  { provider: 'anthropic', models: ['claude-sonnet-5'], price: claude(2, 2.5, 4, 0.2, 10) },
  {
    // Sonnet 4 and 4.5 with the 1M-context window bill every token at the long rate above 200k.
    provider: 'anthropic',
    models: ['claude-sonnet-4-5', 'claude-sonnet-4', 'claude-sonnet-4-0'],
    price: { ...claude(3, 3.75, 6, 0.3, 15), longContext: above(200_000, claude(6, 7.5, 12, 0.6, 22.5)) },
  },
  { provider: 'anthropic', models: ['claude-sonnet-4-6', 'claude-3-7-sonnet'], price: claude(3, 3.75, 6, 0.3, 15) },
  {
    provider: 'anthropic',
    models: ['claude-haiku-5-5'],
    price: { ...claude(0.1, 0.125, 0.2, 0.01, 0.5), longContext: above(100_000, claude(0.5, 0.625, 1, 0.05, 2.5)) },
  },
  { provider: 'anthropic', models: ['claude-haiku-4-5'], price: claude(1, 1.25, 2, 0.1, 5) },
  { provider: 'anthropic', models: ['claude-3-5-haiku'], price: claude(0.8, 1, 1.6, 0.08, 4) },
  { provider: 'anthropic', models: ['claude-3-haiku'], price: claude(0.25, 0.3, 0.5, 0.03, 1.25) },

  // ── OpenAI ─────────────────────────────────────────────────────────────────────────────
  { provider: 'openai', models: ['gpt-5.5'], price: flat(5, 0.5, 30) },
  { provider: 'openai', models: ['gpt-5.5-pro', 'gpt-5.4-pro'], price: flat(30, 30, 180) },
  { provider: 'openai', models: ['gpt-5.4'], price: flat(2.5, 0.25, 15) },
  { provider: 'openai', models: ['gpt-5.4-mini'], price: flat(0.75, 0.075, 4.5) },
  { provider: 'openai', models: ['gpt-5.4-nano'], price: flat(0.2, 0.02, 1.25) },
  { provider: 'openai', models: ['gpt-5.1', 'gpt-5', 'gpt-5-codex', 'gpt-5.1-codex', 'gpt-5-chat-latest'], price: flat(1.25, 0.125, 10) },
  { provider: 'openai', models: ['gpt-5-pro'], price: flat(15, 15, 120) },
  { provider: 'openai', models: ['gpt-5-mini'], price: flat(0.25, 0.025, 2) },
  { provider: 'openai', models: ['gpt-5-nano'], price: flat(0.05, 0.005, 0.4) },
  { provider: 'openai', models: ['gpt-4.1'], price: flat(2, 0.5, 8) },
  { provider: 'openai', models: ['gpt-4.1-mini'], price: flat(0.4, 0.1, 1.6) },
  { provider: 'openai', models: ['gpt-4.1-nano'], price: flat(0.1, 0.025, 0.4) },
  { provider: 'openai', models: ['gpt-4o', 'chatgpt-4o-latest'], price: flat(2.5, 1.25, 10) },
  { provider: 'openai', models: ['gpt-4o-mini'], price: flat(0.15, 0.075, 0.6) },
  { provider: 'openai', models: ['o3'], price: flat(2, 0.5, 8) },
  { provider: 'openai', models: ['o4-mini'], price: flat(1.1, 0.275, 4.4) },
  { provider: 'openai', models: ['o3-mini', 'o1-mini'], price: flat(1.1, 0.55, 4.4) },
  { provider: 'openai', models: ['o1'], price: flat(15, 7.5, 60) },
  // Embeddings: input only.
  { provider: 'openai', models: ['text-embedding-3-small'], price: flat(0.02, 0.02, 0) },
  { provider: 'openai', models: ['text-embedding-3-large'], price: flat(0.13, 0.13, 0) },
  { provider: 'openai', models: ['text-embedding-ada-002'], price: flat(0.1, 0.1, 0) },

  // ── Gemini (output includes thinking tokens) ───────────────────────────────────────────
  {
    provider: 'gemini',
    models: ['gemini-3.1-pro-preview', 'gemini-3.1-pro-preview-customtools', 'gemini-3-pro-preview'],
    price: { ...flat(2, 0.2, 12), longContext: above(200_000, flat(4, 0.4, 18)) },
  },
  { provider: 'gemini', models: ['gemini-3-flash-preview'], price: flat(0.5, 0.05, 3) },
  { provider: 'gemini', models: ['gemini-2.5-pro'], price: { ...flat(1.25, 0.125, 10), longContext: above(200_000, flat(2.5, 0.25, 15)) } },
  { provider: 'gemini', models: ['gemini-2.5-flash'], price: flat(0.3, 0.03, 2.5) },
  { provider: 'gemini', models: ['gemini-2.5-flash-lite'], price: flat(0.1, 0.01, 0.4) },
  { provider: 'gemini', models: ['gemini-2.0-flash'], price: flat(0.1, 0.025, 0.4) },
  // Embeddings: input only.
  { provider: 'gemini', models: ['gemini-embedding-001'], price: flat(0.15, 0.15, 0) },
];

/** `provider/model` → entries, newest `from` first (built once, at first use). */
let index: Map<string, CatalogEntry[]> | undefined;
function catalogIndex(): Map<string, CatalogEntry[]> {
  if (index) return index;
  index = new Map();
  for (const e of CATALOG) {
    for (const m of e.models) {
      const k = `${e.provider}/${m}`;
      const list = index.get(k) ?? [];
      list.push(e);
      list.sort((a, b) => (b.from ?? '').localeCompare(a.from ?? ''));
      index.set(k, list);
    }
  }
  return index;
}

/**
 * The catalog name of an upstream model id: providers' dated snapshots and aliases price like
 * their family (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`, `claude-3-5-haiku-latest`,
 * `models/gemini-2.5-pro`, `claude-sonnet-5[1m]`).
 */
function normalizeUncached(model: string): string {
  return model
    .trim()
    .toLowerCase()
    .replace(/^models\//, '')
    .replace(/\[[^\]]*\]$/, '')
    .replace(/-(\d{4}-\d{2}-\d{2}|\d{8})$/, '')
    .replace(/-latest$/, '');
}

const normalized = new Map<string, string>();

/** Memoised (bounded): every priced request asks, with the same few names. */
export function normalizeModelId(model: string): string {
  let n = normalized.get(model);
  if (n === undefined) {
    if (normalized.size >= 1024) normalized.clear();
    n = normalizeUncached(model);
    normalized.set(model, n);
  }
  return n;
}

/**
 * The last answer per provider and model, with the UTC day it holds for: every priced request
 * asks with the same few names, and the catalog only changes by day (`from`).
 */
const recent = new Map<string, { start: number; end: number; price: ModelPrice | undefined }>();
const DAY_MS = 86_400_000;

/** The built-in price for a model at a time (default now), or undefined when not in the catalog. */
export function builtinPrice(provider: Protocol, model: string, at: Date = new Date()): ModelPrice | undefined {
  const t = at.getTime();
  const k = `${provider}/${model}`;
  const hit = recent.get(k);
  if (hit && t >= hit.start && t < hit.end) return hit.price;
  const price = lookupPrice(provider, model, at);
  if (recent.size >= 1024) recent.clear();
  const start = Math.floor(t / DAY_MS) * DAY_MS;
  recent.set(k, { start, end: start + DAY_MS, price });
  return price;
}

function lookupPrice(provider: Protocol, model: string, at: Date): ModelPrice | undefined {
  const idx = catalogIndex();
  const day = at.toISOString().slice(0, 10);
  for (const key of [model, normalizeModelId(model)]) {
    const list = idx.get(`${provider}/${key}`);
    const hit = list?.find((e) => (e.from ?? '') <= day);
    if (hit) return hit.price;
  }
  return undefined;
}

/** Every catalog row in force at `at`, for `ezybus prices list`. */
export function catalogRows(at: Date = new Date()): Array<{ provider: Protocol; model: string; price: ModelPrice; from?: string }> {
  const out: Array<{ provider: Protocol; model: string; price: ModelPrice; from?: string }> = [];
  const day = at.toISOString().slice(0, 10);
  for (const [k, list] of catalogIndex()) {
    const hit = list.find((e) => (e.from ?? '') <= day);
    if (!hit) continue;
    const [provider, model] = [k.slice(0, k.indexOf('/')) as Protocol, k.slice(k.indexOf('/') + 1)];
    out.push({ provider, model, price: hit.price, ...(hit.from ? { from: hit.from } : {}) });
  }
  return out.sort((a, b) => a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model));
}

/**
 * The price in force: an operator override for the exact upstream model (or its normalised
 * name) wins over the catalog.
 */
export function resolvePrice(
  provider: Protocol,
  model: string,
  overrides: ReadonlyMap<string, ModelPrice>,
  at: Date = new Date(),
): { price: ModelPrice; source: 'override' | 'builtin' } | undefined {
  const o = overrides.get(model) ?? overrides.get(normalizeModelId(model));
  if (o) return { price: o, source: 'override' };
  const b = builtinPrice(provider, model, at);
  return b ? { price: b, source: 'builtin' } : undefined;
}
