/**
 * What every `ezybus` command shares: the shape of a command module, strict option parsing
 * (node:util parseArgs: an unknown or misspelled flag is an error that names it, never a value
 * silently ignored), and typed readers for option values.
 *
 * Exit codes, for every command: 0 done, 1 failed (store, KMS …), 2 bad usage (UsageError).
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

export type Values = Record<string, string | boolean | Array<string | boolean> | undefined>;

export interface Args {
  values: Values;
  positionals: string[];
}

/** One subcommand (`keys create`) or a command without subcommands (`usage`). */
export interface Action {
  options: ParseArgsOptionsConfig;
  /** Positional arguments it takes after the subcommand (`ledger replay FILE`); default none. */
  positionals?: number;
  run(args: Args): Promise<void>;
}

export interface Command {
  /** The command's `--help` text. */
  help: string;
  /** `serve` opens its own store; every other command gets one from the dispatcher. */
  opensOwnStore?: boolean;
  /** Subcommands by name, or the command's single action. */
  actions: Record<string, Action> | Action;
}

/** Options every command accepts: where the store is. */
export const GLOBAL_OPTIONS = {
  data: { type: 'string' },
  stage: { type: 'string' },
  region: { type: 'string' },
  'kms-key': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

export function isAction(a: Command['actions']): a is Action {
  return typeof (a as Action).run === 'function';
}

/** Levenshtein distance, for "did you mean" on a misspelled flag. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number;
      row[j] = Math.min(cur + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] as number;
}

/** Where the help for `where` ('keys create', or 'ezybus' for the overview) is. */
const helpFor = (where: string): string => (where === 'ezybus' ? 'ezybus --help' : `ezybus ${where.split(' ')[0]} --help`);

/**
 * Parses one action's arguments strictly. `where` names the command for the message
 * (`keys create`). Node's own messages are replaced: they suggest `--` tricks that do not apply.
 */
export function parse(argv: string[], action: Action, where: string): Args {
  const options = { ...GLOBAL_OPTIONS, ...action.options };
  let parsed: ReturnType<typeof parseArgs<{ options: ParseArgsOptionsConfig; strict: true; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    const code = (err as { code?: string }).code;
    const msg = err instanceof Error ? err.message : String(err);
    const flag = /'(-{1,2}[^'\s]+)/.exec(msg)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const name = flag.replace(/^-+/, '').split('=')[0] ?? '';
      const near = Object.keys(options)
        .map((o) => ({ o, d: distance(name, o) }))
        .filter((x) => x.d <= 2)
        .sort((a, b) => a.d - b.d)[0];
      throw new UsageError(`unknown option ${flag} for '${where}'${near ? ` (did you mean --${near.o}?)` : ''}; see ${helpFor(where)}`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      // "Option '--name <value>' argument missing" or "… does not take an argument".
      const name = flag.split(' ')[0] ?? flag;
      if (/ambiguous/.test(msg)) throw new UsageError(`${name} needs a value (for one that starts with '-', write ${name}=VALUE)`);
      throw new UsageError(/missing/.test(msg) ? `${name} needs a value` : `${name} takes no value`);
    }
    throw new UsageError(msg);
  }
  const allowed = action.positionals ?? 0;
  if (parsed.positionals.length > allowed) {
    throw new UsageError(`unexpected argument '${parsed.positionals[allowed]}' for '${where}'; see ${helpFor(where)}`);
  }
  return { values: parsed.values as Values, positionals: parsed.positionals };
}

export function one(a: Args, name: string): string | undefined {
  const v = a.values[name];
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return typeof last === 'string' ? last : undefined;
}

export function all(a: Args, name: string): string[] {
  const v = a.values[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
}

export function flag(a: Args, name: string): boolean {
  return a.values[name] === true;
}

export function required(a: Args, name: string): string {
  const v = one(a, name);
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

export function int(a: Args, name: string): number | undefined {
  const v = one(a, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got '${v}'`);
  return n;
}

export function print(s: string): void {
  process.stdout.write(s + '\n');
}
