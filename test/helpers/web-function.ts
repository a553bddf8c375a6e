/**
 * The Web Functions entry in a child process (local/web-process.ts) on a stack's store and
 * keyring, for the lifecycle tests.
 */
import { startWebProcess, type WebProcess } from '../../local/web-process.js';
import type { Stack } from './stack.js';

export type WebFunctionProcess = WebProcess;

export function startWebFunctionProcess(s: Stack, env: Record<string, string> = {}): Promise<WebProcess> {
  return startWebProcess({
    host: '127.0.0.1',
    port: 0,
    env: {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      EZYBUS_DYNAMODB_ENDPOINT: s.gw.dynamoEndpoint,
      EZYBUS_STAGE: 'local',
      EZYBUS_LOCAL_KEYRING: s.keyringPath,
      ...env,
    },
  });
}
