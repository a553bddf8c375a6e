/** A small argument parser: `--name value`, `--flag`, repeated options collected in order. */
export interface Parsed {
  positionals: string[];
  options: Map<string, string[]>;
}

export function parseArgs(argv: string[], flags: ReadonlySet<string> = new Set(['help', 'json'])): Parsed {
  const positionals: string[] = [];
  const options = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-h') {
      options.set('help', ['true']);
    } else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
      let value: string;
      if (eq !== -1) value = a.slice(eq + 1);
      else if (flags.has(name)) value = 'true';
      else {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith('--')) throw new UsageError(`--${name} needs a value`);
        value = next;
        i++;
      }
      options.set(name, [...(options.get(name) ?? []), value]);
    } else positionals.push(a);
  }
  return { positionals, options };
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export function one(p: Parsed, name: string): string | undefined {
  const v = p.options.get(name);
  return v?.[v.length - 1];
}

export function required(p: Parsed, name: string): string {
  const v = one(p, name);
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

export function int(p: Parsed, name: string): number | undefined {
  const v = one(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got '${v}'`);
  return n;
}
