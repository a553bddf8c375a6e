/**
 * The lint rule that keeps secrets out of logs (scripts/lint/no-secret-in-log.js) fires on
 * deliberately bad code — header bags, key-named fields, key material by type, an object that
 * carries a key one level down — and stays quiet on the named, safe fields the gateway logs.
 * The fixtures are real files of the TypeScript project, so the rule has type information.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import secrets from '../../scripts/lint/no-secret-in-log.js';

const root = new URL('../..', import.meta.url).pathname;
const eslint = new ESLint({
  cwd: root,
  overrideConfig: {
    files: ['test/fixtures/lint/**/*.ts'],
    // A program of just the fixtures (and what they import), not the whole project: seconds, not a minute.
    languageOptions: { parserOptions: { projectService: false, project: `${root}test/fixtures/lint/tsconfig.json`, tsconfigRootDir: root } },
    plugins: { ezybus: secrets },
    rules: { 'ezybus/no-secret-in-log': 'error' },
  },
});

async function problems(fixture: string): Promise<Array<{ line: number; message: string }>> {
  const [result] = await eslint.lintFiles([`${root}test/fixtures/lint/${fixture}`]);
  return (result?.messages ?? []).filter((m) => m.ruleId === 'ezybus/no-secret-in-log').map((m) => ({ line: m.line, message: m.message }));
}

describe('no-secret-in-log', { timeout: 180_000 }, () => {
  it('fires on each kind of secret-bearing value', async () => {
    const bad = await problems('secret-in-log.bad.ts');
    // One finding on each of the eight log calls (lines 8–15).
    expect([...new Set(bad.map((b) => b.line))]).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    const text = bad.map((b) => b.message).join('\n');
    expect(text).toMatch(/'authorization' reaches a log call/);
    expect(text).toMatch(/'headers' reaches a log call/);
    expect(text).toMatch(/type KeyObject/);
    expect(text).toMatch(/type IncomingHttpHeaders/);
    expect(text).toMatch(/its property 'apiKey'/);
    expect(text).toMatch(/'x-api-key' reaches a log call/);
  });

  it('is quiet on named, safe fields', async () => {
    expect(await problems('secret-in-log.good.ts')).toEqual([]);
  });
});
