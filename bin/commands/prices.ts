/** `ezybus prices list|set|unset`: per-stage price overrides over the built-in catalog. */
import { listPriceOverrides } from '../../functions/shared/store/repo.js';
import { removePriceOverride, setPriceOverride } from '../../functions/shared/admin/ops.js';
import { cliActor } from '../cli/actor.js';
import { catalogRows, PRICE_CATALOG_VERSION, type ModelPrice } from '../../functions/shared/usage/prices.js';
import { flag, int, one, print, required, UsageError, type Args, type Command } from '../cli/command.js';

type Tier = Pick<ModelPrice, 'input' | 'output' | 'cacheRead' | 'cacheWrite5m' | 'cacheWrite1h'>;

const fmt = (micros: number): string => `$${(micros / 1e6).toFixed(micros % 10_000 === 0 ? 2 : 4)}`;
const row = (model: string, p: Tier): string =>
  `${model.padEnd(36)} in ${fmt(p.input).padStart(9)}  out ${fmt(p.output).padStart(9)}  read ${fmt(p.cacheRead).padStart(8)}  w5m ${fmt(p.cacheWrite5m).padStart(8)}  w1h ${fmt(p.cacheWrite1h).padStart(8)}`;

/** USD per million tokens → integer micro-dollars; an absent option takes `fallback`. */
function usd(a: Args, name: string, fallback?: number): number {
  const raw = one(a, name);
  if (raw === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required (USD per million tokens)`);
    return fallback;
  }
  if (!/^\d+(\.\d{1,6})?$/.test(raw)) throw new UsageError(`--${name} must be a non-negative USD amount with at most 6 decimals, got '${raw}'`);
  return Math.round(Number(raw) * 1_000_000);
}

/** One price tier (`''` the base, `'long-'` above the long-context threshold); cache prices default to input. */
function tier(a: Args, prefix: string): Tier {
  const input = usd(a, `${prefix}input`);
  return {
    input,
    output: usd(a, `${prefix}output`),
    cacheRead: usd(a, `${prefix}cache-read`, input),
    cacheWrite5m: usd(a, `${prefix}cache-write-5m`, input),
    cacheWrite1h: usd(a, `${prefix}cache-write-1h`, input),
  };
}

const TIER_OPTIONS = Object.fromEntries(
  ['', 'long-'].flatMap((p) => ['input', 'output', 'cache-read', 'cache-write-5m', 'cache-write-1h'].map((n) => [`${p}${n}`, { type: 'string' as const }])),
);

export const command: Command = {
  help: `Usage:
  ezybus prices list [--json] [--all]     overrides in force, then the catalog (--all: every catalog row)
  ezybus prices set --model UPSTREAM_MODEL --input USD --output USD [--cache-read USD]
                    [--cache-write-5m USD] [--cache-write-1h USD]
                    [--long-above TOKENS --long-input USD --long-output USD [--long-cache-read USD]
                     [--long-cache-write-5m USD] [--long-cache-write-1h USD]] [--note TEXT]
  ezybus prices unset --model UPSTREAM_MODEL

Prices are USD per million tokens (stored as integer micro-dollars). Cache prices default to the
input price (no discount) when omitted. An override applies to requests that start after running
gateways see it (within EZYBUS_CACHE_TTL_MS); records already written keep their cost.`,
  actions: {
    list: {
      options: { json: { type: 'boolean' }, all: { type: 'boolean' } },
      async run(a) {
        const overrides = await listPriceOverrides();
        const catalog = catalogRows();
        if (flag(a, 'json')) {
          print(JSON.stringify({ catalogVersion: PRICE_CATALOG_VERSION, overrides, catalog }));
          return;
        }
        print(`Overrides (${overrides.length}):`);
        for (const o of overrides) print(`  ${row(o.model, o.price)}${o.note ? `  # ${o.note}` : ''}`);
        const shown = flag(a, 'all') ? catalog : catalog.filter((c) => !overrides.some((o) => o.model === c.model));
        print(`Catalog ${PRICE_CATALOG_VERSION} (USD per million tokens):`);
        for (const c of shown) {
          const long = c.price.longContext;
          print(`  ${c.provider.padEnd(9)} ${row(c.model, c.price)}${long ? `  (> ${long.aboveInputTokens} prompt tokens: in ${fmt(long.input)} out ${fmt(long.output)})` : ''}`);
        }
      },
    },
    unset: {
      options: { model: { type: 'string' } },
      async run(a) {
        const model = required(a, 'model');
        await removePriceOverride(model, cliActor());
        print(`Override removed; ${model} is priced from the catalog again.`);
      },
    },
    set: {
      options: { model: { type: 'string' }, ...TIER_OPTIONS, 'long-above': { type: 'string' }, note: { type: 'string' } },
      async run(a) {
        const model = required(a, 'model');
        const price: ModelPrice = tier(a, '');
        const above = int(a, 'long-above');
        if (above !== undefined) {
          if (above <= 0) throw new UsageError('--long-above must be a positive token count');
          price.longContext = { ...tier(a, 'long-'), aboveInputTokens: above };
        }
        const note = one(a, 'note');
        await setPriceOverride(model, price, note, cliActor());
        print(`Override set: ${row(model, price)}`);
      },
    },
  },
};
