/**
 * The lean SigV4 JSON client (functions/shared/aws/json-client.ts) against the AWS SDK v3
 * clients it replaces (DynamoDB + KMS): minified bundle size and module init in fresh Node
 * processes, median and p90 of `runs`. Three builds of the same two-client entry:
 *   - lean: EzyBus's client, bundled (what Lambda runs);
 *   - sdk-external: the SDK clients imported from node_modules, unbundled — as a function that
 *     relies on the copy the nodejs24.x runtime ships would load them;
 *   - sdk-bundled: the SDK clients bundled and minified into the function.
 * Run alone: `node --import tsx test/bench/aws-clients.ts [--runs 20]`; `npm run bench` includes it.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { summarise, timeImport } from './cold-start.js';

const root = new URL('../../', import.meta.url).pathname;

export interface ClientFigures {
  variant: string;
  bytes: number | null;
  initMedianMs: number;
  initP90Ms: number;
}

const ENTRIES: Record<string, string> = {
  lean: `import { jsonService } from '${root}functions/shared/aws/json-client.js';
const aws = { region: 'us-east-1', credentials: undefined };
export const dynamo = jsonService({ service: 'dynamodb', targetPrefix: 'DynamoDB_20120810', contentType: 'application/x-amz-json-1.0', aws });
export const kms = jsonService({ service: 'kms', targetPrefix: 'TrentService', contentType: 'application/x-amz-json-1.1', aws });`,
  sdk: `import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { KMSClient, DecryptCommand } from '@aws-sdk/client-kms';
export const dynamo = new DynamoDBClient({ region: 'us-east-1' });
export const kms = new KMSClient({ region: 'us-east-1' });
export const commands = [GetItemCommand, DecryptCommand];`,
};

export async function compareAwsClients(node: string, runs: number): Promise<ClientFigures[]> {
  const dir = join(root, 'dist/bench-aws-clients');
  mkdirSync(dir, { recursive: true });
  const files: Record<string, { file: string; bytes: number | null }> = {};
  for (const [name, src] of Object.entries(ENTRIES)) writeFileSync(join(dir, `${name}-entry.mjs`), src);
  for (const [variant, entry, external] of [
    ['lean (EzyBus json-client)', 'lean', ['@aws-sdk/*', '@smithy/*']],
    ['AWS SDK v3 clients, bundled', 'sdk', []],
  ] as const) {
    const outfile = join(dir, `${entry}-bundled.mjs`);
    await build({ entryPoints: [join(dir, `${entry}-entry.mjs`)], outfile, bundle: true, minify: true, format: 'esm', platform: 'node', target: 'node24', external: [...external], logLevel: 'error', legalComments: 'none',
      // The SDK is CommonJS inside: an ESM bundle needs `require` for the built-ins it loads.
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } });
    files[variant] = { file: outfile, bytes: statSync(outfile).size };
  }
  // Resolved from the project's node_modules, as the runtime's own copy would be.
  writeFileSync(join(root, 'dist/bench-aws-clients-sdk-external.mjs'), ENTRIES.sdk as string);
  files['AWS SDK v3 clients, from node_modules (as the runtime ships them)'] = { file: join(root, 'dist/bench-aws-clients-sdk-external.mjs'), bytes: null };
  // Interleaved rounds, so a burst of load on a shared machine hits every variant alike.
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(files).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) for (const [k, f] of Object.entries(files)) samples[k]!.push(timeImport(node, f.file).own);
  return Object.entries(files).map(([variant, f]) => {
    const s = summarise(samples[variant]!);
    return { variant, bytes: f.bytes, initMedianMs: s.median, initP90Ms: s.p90 };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--runs');
  const runs = i === -1 ? 20 : Number(process.argv[i + 1]);
  for (const r of await compareAwsClients(process.execPath, runs)) {
    console.log(`${r.variant.padEnd(66)} ${r.bytes === null ? '       –' : `${(r.bytes / 1024).toFixed(1).padStart(6)} KiB`}  init median ${r.initMedianMs.toFixed(1)} ms, p90 ${r.initP90Ms.toFixed(1)} ms`);
  }
}
