/**
 * Builds the console into a folder of static files: index.html and content-hashed assets
 * (one JS bundle, one CSS file), minified by esbuild. Used by `npm start` (local/gateway.ts,
 * on the first /console request), by the CDK stack (bundled beside the admin function) and by
 * the tests. The budget: at most 100 KB of gzipped JavaScript, checked here at every build.
 *
 *   node --import tsx console/build.ts [OUT_DIR]    prints each file's raw and gzipped size
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const JS_BUDGET_GZIP_BYTES = 100 * 1024;
const here = import.meta.dirname;

export interface BuiltFile {
  name: string;
  bytes: number;
  gzipBytes: number;
}

export async function buildConsole(outDir: string): Promise<{ files: BuiltFile[]; jsBytes: number; jsGzipBytes: number }> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'assets'), { recursive: true });
  const result = await build({
    entryPoints: { app: join(here, 'src/main.ts') },
    outdir: join(outDir, 'assets'),
    entryNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome110', 'firefox115', 'safari16'],
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
  const js = outputs.find((f) => f.endsWith('.js'));
  const css = outputs.find((f) => f.endsWith('.css'));
  if (!js || !css) throw new Error(`console build produced ${outputs.join(', ')}`);
  const html = readFileSync(join(here, 'index.html'), 'utf8').replace('%CSS%', `assets/${css}`).replace('%JS%', `assets/${js}`);
  writeFileSync(join(outDir, 'index.html'), html);
  const files = ['index.html', `assets/${js}`, `assets/${css}`].map((name) => {
    const raw = readFileSync(join(outDir, name));
    return { name, bytes: raw.length, gzipBytes: gzipSync(raw, { level: 9 }).length };
  });
  const jsFile = files[1] as BuiltFile;
  if (jsFile.gzipBytes > JS_BUDGET_GZIP_BYTES) throw new Error(`console JavaScript is ${jsFile.gzipBytes} bytes gzipped, over the ${JS_BUDGET_GZIP_BYTES}-byte budget`);
  return { files, jsBytes: jsFile.bytes, jsGzipBytes: jsFile.gzipBytes };
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const out = process.argv[2] ?? join(here, '..', 'dist', 'console');
  const r = await buildConsole(out);
  for (const f of r.files) process.stderr.write(`${f.name.padEnd(32)} ${String(f.bytes).padStart(8)} B  ${String(f.gzipBytes).padStart(7)} B gzip\n`);
}
