#!/usr/bin/env node
// The `ezybus` command as npm installs it (`npx ezybus` in a clone, `npm link`,
// `npm install -g <this folder>`). Plain JavaScript, so whatever Node ≥ 20 the operator has runs
// it without a loader flag; it registers tsx and loads the TypeScript CLI (bin/ezybus.ts).
// A clone without node_modules gets them installed first, as `npm start` does.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  process.stderr.write(`ezybus: needs Node 20 or later, this is ${process.version}\n`);
  process.exit(1);
}
// Node resolves the symlinks npm makes in its bin folder, so this is the package's own folder.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const loadTsx = () => import('tsx/esm/api').catch(() => undefined);
let tsx = await loadTsx();
if (!tsx) {
  if (!existsSync(join(root, 'scripts', 'ensure-deps.mjs'))) {
    process.stderr.write(`ezybus: its dependencies are missing; run npm install in ${root}\n`);
    process.exit(1);
  }
  // Progress goes to stderr so `ezybus … --json` output stays clean.
  execFileSync(process.execPath, [join(root, 'scripts', 'ensure-deps.mjs')], { stdio: ['ignore', 2, 2] });
  tsx = await loadTsx();
}
tsx.register();
await import(pathToFileURL(join(root, 'bin', 'ezybus.ts')).href);
