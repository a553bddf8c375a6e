/**
 * How the tests run the real Claude Code CLI (npm `@anthropic-ai/claude-code`, a devDependency)
 * offline against a local gateway: the native binary npm placed, and an environment with
 * telemetry, error reporting, auto-update and non-essential traffic off, in a fresh HOME.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const pkg = join(root, 'node_modules/@anthropic-ai/claude-code');

/** The native binary npm placed (its postinstall copies it over a stub), else the package's own wrapper. */
export function claudeCommand(): string[] {
  const bin = join(pkg, 'bin/claude.exe');
  if (existsSync(bin) && spawnSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).stdout.includes('Claude Code')) return [bin];
  return [process.execPath, join(pkg, 'cli-wrapper.cjs')];
}

/** Claude Code's version, e.g. `2.1.332`. */
export function claudeVersion(claude: string[]): string {
  return spawnSync(claude[0] as string, [...claude.slice(1), '--version'], { encoding: 'utf8' }).stdout.trim().split(' ')[0] ?? 'unknown';
}

/** The environment Claude Code runs in: only the gateway, nothing else reachable or wanted. */
export function claudeEnv(home: string, baseUrl: string, key: string, model: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    CLAUDE_CONFIG_DIR: join(home, '.claude'),
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_API_KEY: key,
    ANTHROPIC_MODEL: model,
    ANTHROPIC_SMALL_FAST_MODEL: model,
    ANTHROPIC_DEFAULT_HAIKU_MODEL: model,
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
}

/**
 * The global config an interactive session reads first, so it opens straight at the prompt: the
 * onboarding done, the API key approved (Claude Code stores its last 20 characters) and the
 * working directory trusted — the three dialogs a first run would otherwise stop at.
 */
export function writeInteractiveConfig(home: string, cwd: string, key: string): void {
  const dir = join(home, '.claude');
  mkdirSync(dir, { recursive: true });
  const config = {
    hasCompletedOnboarding: true,
    theme: 'dark',
    customApiKeyResponses: { approved: [key.slice(-20)], rejected: [] },
    projects: { [cwd]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true } },
  };
  writeFileSync(join(dir, '.claude.json'), JSON.stringify(config));
}
