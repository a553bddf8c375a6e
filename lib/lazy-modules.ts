/**
 * Packages a function loads only on a rare path, kept out of its bundle and shipped beside it as
 * plain files in the asset's node_modules: the count function's tokenizer tables (gpt-tokenizer,
 * ~3.6 MB of JavaScript) are read from disk only when a count for an OpenAI upstream is asked
 * for, so no cold start of any function parses them otherwise (functions/shared/counting).
 *
 * The files are the import closure of the entry points the code imports, found with esbuild's
 * metafile at synth time (offline), and copied with tar (no GNU-only cp flags).
 */
import { buildSync } from 'esbuild';
import { join, relative } from 'node:path';
import type { BundlingOptions, ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';

export interface LazyPackage {
  name: string;
  /** The specifiers the code imports (dynamically). */
  entries: string[];
}

export const COUNT_LAZY: LazyPackage = { name: 'gpt-tokenizer', entries: ['gpt-tokenizer/model/gpt-4o', 'gpt-tokenizer/model/gpt-4'] };

/** Files of the package the entries need, relative to the package's directory (package.json files included). */
export function closureFiles(root: string, pkg: LazyPackage): string[] {
  const r = buildSync({
    stdin: { contents: pkg.entries.map((e, i) => `export * as m${i} from '${e}';`).join('\n'), resolveDir: root },
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'node',
    logLevel: 'silent',
  });
  const dir = join(root, 'node_modules', pkg.name);
  const files = Object.keys(r.metafile.inputs)
    .map((f) => join(root, f))
    .filter((f) => f.startsWith(`${dir}/`))
    .map((f) => relative(dir, f));
  const pkgJsons = new Set(['package.json', ...files.map((f) => `${f.split('/')[0]}/package.json`)].filter((f) => f === 'package.json' || f.split('/').length === 2));
  return [...pkgJsons, ...files].sort();
}

/** Bundling that leaves the package external and copies its files next to the bundle. */
export function withLazyPackage(base: BundlingOptions, root: string, pkg: LazyPackage): BundlingOptions {
  const files = closureFiles(root, pkg);
  const src = join(root, 'node_modules', pkg.name);
  const hooks: ICommandHooks = {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_in: string, out: string) => [
      `mkdir -p "${out}/node_modules/${pkg.name}"`,
      `tar -C "${src}" -cf - ${files.map((f) => `"${f}"`).join(' ')} | tar -C "${out}/node_modules/${pkg.name}" -xf -`,
    ],
  };
  return { ...base, externalModules: [...(base.externalModules ?? []), pkg.name], commandHooks: hooks };
}
