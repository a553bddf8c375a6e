/**
 * `cdk synth` as an operator runs it from a fresh clone: the real CDK CLI, offline, no AWS
 * credentials, every stage, bundles built locally by esbuild and small.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;

describe('cdk synth', () => {
  it('synthesises every stage offline, without credentials, with small bundles', { timeout: 180_000 }, () => {
    const out = mkdtempSync(join(tmpdir(), 'ezybus-synth-'));
    // A third stage in the other compute mode: one Web Function instead of three functions.
    const stagesFile = join(out, '..', `${out.split('/').pop()}-stages.json`);
    writeFileSync(stagesFile, JSON.stringify({ web: { compute: { mode: 'web-functions' } } }));
    const env: NodeJS.ProcessEnv = { ...process.env, EZYBUS_STAGES_FILE: stagesFile, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: '1', AWS_EC2_METADATA_DISABLED: 'true' };
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION']) delete env[k];
    const r = spawnSync(join(root, 'node_modules/.bin/cdk'), ['synth', '--quiet', '--no-notices', '--no-version-reporting', '-o', out], { cwd: root, env, encoding: 'utf8', timeout: 170_000 });
    expect(r.status, r.stderr).toBe(0);
    const templates = readdirSync(out).filter((f) => f.endsWith('.template.json'));
    expect(templates.sort()).toEqual(['EzyBus-dev.template.json', 'EzyBus-prod.template.json', 'EzyBus-web.template.json']);
    const web = JSON.parse(readFileSync(join(out, 'EzyBus-web.template.json'), 'utf8')) as { Resources: Record<string, { Type: string }> };
    const types = Object.values(web.Resources).map((r) => r.Type);
    expect(types.filter((ty) => ty.startsWith('AWS::Lambda::WebFunction')).sort()).toEqual(['AWS::Lambda::WebFunction', 'AWS::Lambda::WebFunctionEndpoint', 'AWS::Lambda::WebFunctionRevision']);
    expect(types.filter((ty) => ty === 'AWS::Lambda::Url')).toHaveLength(1); // the admin API's only
    // The three gateway bundles per Function URL stage and the Web Function's one, each well
    // under 150 KB minified.
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
    expect(bundles.length).toBeGreaterThanOrEqual(4);
    // The count function's tokenizer tables ship beside its bundle and are loaded only on demand.
    const counting = bundles.filter((b) => existsSync(join(b, '..', 'node_modules', 'gpt-tokenizer', 'esm', 'model', 'gpt-4o.js')));
    expect(counting.length).toBeGreaterThanOrEqual(1); // stages with identical bundles share one asset
    for (const b of counting) {
      expect(readFileSync(b, 'utf8')).toContain('gpt-tokenizer/model/gpt-4o');
      expect(existsSync(join(b, '..', 'node_modules', 'gpt-tokenizer', 'esm', 'bpeRanks', 'o200k_base.js'))).toBe(true);
    }
    for (const b of bundles) {
      // The Web Functions server carries every endpoint in one bundle (one cold start per
      // environment, shared by up to 128 streams), so it has a budget of its own. A completion
      // bundle carries every protocol's upstream side (any client reaches any upstream) and its
      // own client side only (lib/bundling.ts clientDefines: 119–130 KiB); the count and embeddings
      // functions answer in several protocols and keep every client side (142–145 KiB); models
      // carries no adapter (22 KiB). 160 KiB: room for one more adapter's worth, no more.
      const web = readFileSync(b, 'utf8').includes('AWS_LAMBDA_HTTP_ENDPOINT');
      expect(statSync(b).size).toBeLessThan((web ? 256 : 160) * 1024);
      expect(readFileSync(b, 'utf8')).not.toContain('@smithy/core'); // the AWS SDK stays out
    }
    // The stack's bundling leaves the other client sides out as scripts/build.ts does: the four
    // completion bundles and the models one come in under 135 KiB (with every client side, 154).
    expect(bundles.filter((b) => statSync(b).size < 135 * 1024).length).toBeGreaterThanOrEqual(5);
  });
});
