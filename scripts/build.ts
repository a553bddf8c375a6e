/**
 * Bundles each Lambda entry the way the CDK stack does (esbuild, ESM, minified, node24) into
 * dist/functions/, and prints each bundle's size. `npm run build -- --metafile` also writes
 * esbuild's metafile for bundle analysis.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { clientDefines, LAMBDA_BUNDLE } from '../lib/bundling.js';
import { COUNT_LAZY } from '../lib/lazy-modules.js';

import { ENDPOINTS } from '../functions/endpoints.js';

/** Every Lambda entry: the endpoint list's handlers (functions/endpoints.ts). */
export const ENTRIES: string[] = ENDPOINTS.map((e) => e.entry);
/**
 * As in the stack (lib/lazy-modules.ts): the count function's tokenizer stays outside its bundle
 * and loads on the first OpenAI count, so its init is measured as Lambda runs it (here Node
 * resolves the package from the repository's node_modules).
 */
const LAZY: Record<string, string[]> = { 'count-tokens': [COUNT_LAZY.name] };
const root = new URL('..', import.meta.url).pathname;

/** `options` overrides the Lambda build's (the benchmarks' `--readable` profiles build unminified). */
export async function bundle(outdir = join(root, 'dist/functions'), metafile = false, options: BuildOptions = {}): Promise<Record<string, number>> {
  mkdirSync(outdir, { recursive: true });
  const sizes: Record<string, number> = {};
  for (const e of ENDPOINTS) {
    const entry = e.entry;
    const name = basename(entry, '.ts');
    const outfile = join(outdir, `${name}.mjs`);
    const result = await build({
      entryPoints: [join(root, entry)],
      outfile,
      ...LAMBDA_BUNDLE,
      external: [...LAMBDA_BUNDLE.external, ...(LAZY[name] ?? [])],
      // A completion function carries only its own client protocol's side (lib/bundling.ts).
      define: clientDefines(e.kind === 'completion' ? e.protocol : undefined),
      metafile,
      ...options,
    });
    if (metafile && result.metafile) writeFileSync(`${outfile}.meta.json`, JSON.stringify(result.metafile));
    sizes[name] = statSync(outfile).size;
  }
  return sizes;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = await bundle(undefined, process.argv.includes('--metafile'));
  for (const [name, size] of Object.entries(sizes)) console.log(`${name.padEnd(18)} ${(size / 1024).toFixed(1)} KiB`);
}
