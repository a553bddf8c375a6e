// `npm run checkov`: synthesises every stage and runs checkov (PyPI) on the templates; fails on
// any finding that is neither fixed nor acknowledged in lib/checkov.ts. checkov lives in its own
// venv (.venv-checkov, ~300 MB, installed on first use) so its pins never meet the test SDKs'.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const venv = join(root, '.venv-checkov');
const bin = join(venv, 'bin', 'checkov');
if (!existsSync(bin)) {
  execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  execFileSync(join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', 'checkov==3.3.30'], { stdio: 'inherit' });
}
const out = mkdtempSync(join(tmpdir(), 'ezybus-checkov-'));
execFileSync(join(root, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', '-o', out], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
let failed = 0;
for (const t of readdirSync(out).filter((f) => f.endsWith('.template.json'))) {
  let text = '';
  try {
    text = execFileSync(bin, ['-f', join(out, t), '--framework', 'cloudformation', '-o', 'json', '--quiet', '--skip-download'], { encoding: 'utf8' });
  } catch (err) {
    text = err.stdout; // checkov exits 1 when a check fails
  }
  const report = [JSON.parse(text)].flat()[0];
  const s = report.summary ?? { passed: 0, failed: 0, skipped: 0 };
  console.log(`${t}: ${s.passed} passed, ${s.failed} failed, ${s.skipped} acknowledged (lib/checkov.ts)`);
  for (const r of report.results?.failed_checks ?? []) console.log(`  ${r.check_id} ${r.resource}: ${r.check_name}`);
  failed += s.failed;
}
process.exit(failed ? 1 : 0);
