/**
 * A dynalite store on 127.0.0.1 with a gateway configured for it and the stage's tables made:
 * what a test of one gateway module (limits, attempts, key health) needs without the whole
 * local gateway. `env` adds or overrides settings (EZYBUS_* as the Lambda environment has them).
 */
import { installConfig, startStore } from '../../local/gateway.js';
import { ensureTables } from '../../functions/shared/store/tables.js';

export type LocalStore = Awaited<ReturnType<typeof startStore>>;

export async function storeWithGateway(stage: string, env: Record<string, string> = {}): Promise<LocalStore> {
  const store = await startStore('127.0.0.1', undefined);
  installConfig({ AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', EZYBUS_DYNAMODB_ENDPOINT: store.endpoint, EZYBUS_STAGE: stage, ...env });
  await ensureTables();
  return store;
}
