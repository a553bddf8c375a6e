/**
 * Which store a command talks to: a deployed stage (`--stage NAME`: DynamoDB tables and the KMS
 * key of that stage, AWS credentials from the usual chain), or the local store directory
 * (`--data DIR`) — through the endpoint a running `ezybus serve` recorded there, or by opening
 * DIR itself when nothing is serving it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { installConfig, portInUse, startStore } from '../../local/gateway.js';
import { one, UsageError, type Args } from './command.js';

/** Points this process at the store; returns what closes it again. */
export async function openStore(a: Args): Promise<() => Promise<void>> {
  const stage = one(a, 'stage');
  if (stage !== undefined && stage !== 'local') {
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(stage)) throw new UsageError(`--stage must be lower-case letters, digits and dashes, got '${stage}'`);
    const region = one(a, 'region') ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) throw new UsageError('--stage needs a region: pass --region or set AWS_REGION');
    installConfig({ AWS_REGION: region, EZYBUS_STAGE: stage, EZYBUS_KMS_KEY_ARN: one(a, 'kms-key') ?? `alias/ezybus-${stage}` });
    return async () => undefined;
  }
  const dataDir = resolve(one(a, 'data') ?? '.ezybus');
  const endpointFile = join(dataDir, 'endpoint.json');
  const base = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    EZYBUS_STAGE: 'local',
    EZYBUS_LOCAL_KEYRING: join(dataDir, 'master.key'),
  };
  if (existsSync(endpointFile)) {
    const { endpoint } = JSON.parse(readFileSync(endpointFile, 'utf8')) as { endpoint: string };
    const u = new URL(endpoint);
    if (await portInUse(u.hostname, Number(u.port))) {
      installConfig({ ...base, EZYBUS_DYNAMODB_ENDPOINT: endpoint });
      return async () => undefined;
    }
  }
  const store = await startStore('127.0.0.1', dataDir);
  installConfig({ ...base, EZYBUS_DYNAMODB_ENDPOINT: store.endpoint });
  const { ensureTables } = await import('../../functions/shared/store/tables.js');
  await ensureTables();
  return store.close;
}
