/**
 * package.json states exactly what the code imports: every package that code outside test/
 * loads (the CLI, the local server, the CDK app, the build) is a dependency, every dependency
 * is loaded by such code, and whatever only tests load is a devDependency. A package that only
 * resolves because something else depends on it breaks the day that something drops it.
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** Package names imported by the tracked files under `dirs` (static, dynamic, and `const mod = '…'` indirections). */
function importedBy(...dirs: string[]): Set<string> {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', ...dirs], { cwd: root }).toString().split('\n').filter((f) => /\.(ts|mjs|js)$/.test(f));
  const names = new Set<string>();
  for (const f of files) {
    // Type-only imports are erased: they need the package to type-check, not to run.
    const src = readFileSync(`${root}${f}`, 'utf8').replace(/import\s+type\b[\s\S]*?from\s*'[^']*'/g, '');
    for (const m of src.matchAll(/(?:from\s+|import\s*\(\s*|const mod = )'([^'.][^']*)'/g)) {
      const spec = m[1] as string;
      if (spec.startsWith('node:')) continue;
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string);
      if (/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/.test(name)) names.add(name);
    }
  }
  return names;
}

describe('package.json', () => {
  const product = importedBy('bin', 'local', 'functions', 'lib', 'scripts', 'console');
  const tests = importedBy('test', 'vitest.config.ts', 'eslint.config.js');

  it('lists every package the product code loads as a dependency', () => {
    expect([...product].filter((p) => !(p in pkg.dependencies)).sort()).toEqual([]);
  });

  it('has no dependency that nothing loads', () => {
    // A peer dependency of a dependency (constructs, for aws-cdk-lib) must be installed beside it.
    const peers = new Set(
      Object.keys(pkg.dependencies).flatMap((d) => Object.keys((JSON.parse(readFileSync(`${root}node_modules/${d}/package.json`, 'utf8')) as { peerDependencies?: Record<string, string> }).peerDependencies ?? {})),
    );
    expect(Object.keys(pkg.dependencies).filter((d) => !product.has(d) && !peers.has(d)).sort()).toEqual([]);
  });

  it('lists what only the tests load as devDependencies', () => {
    expect([...tests].filter((p) => !(p in pkg.dependencies) && !(p in pkg.devDependencies)).sort()).toEqual([]);
    expect([...product].filter((p) => p in pkg.devDependencies).sort()).toEqual([]);
  });
});
