/**
 * `cdk synth` as an operator runs it from a fresh clone: the real CDK CLI, offline, no AWS
 * credentials, every stage, bundles built locally by esbuild and small.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;

describe('cdk synth', () => {
  it('synthesises every stage offline, without credentials, with small bundles', { timeout: 180_000 }, () => {
    const out = mkdtempSync(join(tmpdir(), 'ezybus-synth-'));
    const env: NodeJS.ProcessEnv = { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: '1', AWS_EC2_METADATA_DISABLED: 'true' };
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION']) delete env[k];
    const r = spawnSync(join(root, 'node_modules/.bin/cdk'), ['synth', '--quiet', '--no-notices', '--no-version-reporting', '-o', out], { cwd: root, env, encoding: 'utf8', timeout: 170_000 });
    expect(r.status, r.stderr).toBe(0);
    const templates = readdirSync(out).filter((f) => f.endsWith('.template.json'));
    expect(templates.sort()).toEqual(['EzyBus-dev.template.json', 'EzyBus-prod.template.json']);
    // The three gateway bundles per stage, each well under 150 KB minified.
    const bundles = readdirSync(out)
      .filter((d) => d.startsWith('asset.'))
      .map((d) => join(out, d, 'index.mjs'))
      .filter((f) => {
        try {
          return statSync(f).isFile();
        } catch {
          return false;
        }
      });
    expect(bundles.length).toBeGreaterThanOrEqual(3);
    // The count function's tokenizer tables ship beside its bundle and are loaded only on demand.
    const counting = bundles.filter((b) => existsSync(join(b, '..', 'node_modules', 'gpt-tokenizer', 'esm', 'model', 'gpt-4o.js')));
    expect(counting.length).toBeGreaterThanOrEqual(1); // stages with identical bundles share one asset
    for (const b of counting) {
      expect(readFileSync(b, 'utf8')).toContain('gpt-tokenizer/model/gpt-4o');
      expect(existsSync(join(b, '..', 'node_modules', 'gpt-tokenizer', 'esm', 'bpeRanks', 'o200k_base.js'))).toBe(true);
    }
    for (const b of bundles) {
      expect(statSync(b).size).toBeLessThan(150 * 1024);
      expect(readFileSync(b, 'utf8')).not.toContain('@smithy/core'); // the AWS SDK stays out
    }
  });
});
