/**
 * Shipper settings from the environment. Loki credentials arrive as KMS ciphertext
 * (EZYBUS_LOKI_CREDENTIALS_CIPHERTEXT, encrypted under the stage key with the encryption context
 * ezybus:stage=<stage>, ezybus:purpose=loki) and are decrypted once per execution environment;
 * a plain EZYBUS_LOKI_CREDENTIALS is accepted only on the local stage.
 */
import { awsSettings } from '../config.js';
import { kmsKeyring } from '../crypto/keyring.js';
import type { LokiAuth } from './push.js';

export interface ShipperConfig {
  stage: string;
  url: string;
  tenant: string | undefined;
  auth: () => Promise<LokiAuth | undefined>;
}

function parseAuth(json: string): LokiAuth {
  const o = JSON.parse(json) as LokiAuth;
  if (typeof o.token === 'string') return { token: o.token };
  if (typeof o.username === 'string') return { username: o.username, password: typeof o.password === 'string' ? o.password : '' };
  throw new Error('Loki credentials must be {"username","password"} or {"token"}');
}

export function shipperConfig(env: NodeJS.ProcessEnv = process.env): ShipperConfig {
  const stage = env.EZYBUS_STAGE ?? 'local';
  const url = env.EZYBUS_LOKI_URL;
  if (!url) throw new Error('EZYBUS_LOKI_URL is not set');
  const ciphertext = env.EZYBUS_LOKI_CREDENTIALS_CIPHERTEXT;
  const plain = env.EZYBUS_LOKI_CREDENTIALS;
  if (plain && stage !== 'local') throw new Error('EZYBUS_LOKI_CREDENTIALS (plain text) is accepted only on the local stage; use EZYBUS_LOKI_CREDENTIALS_CIPHERTEXT');
  let cached: Promise<LokiAuth | undefined> | undefined;
  const auth = (): Promise<LokiAuth | undefined> =>
    (cached ??= (async () => {
      if (plain) return parseAuth(plain);
      if (!ciphertext) return undefined;
      return parseAuth(await kmsKeyring(undefined, { endpoint: env.EZYBUS_KMS_ENDPOINT || undefined, aws: awsSettings(env) }).decrypt(ciphertext, { 'ezybus:stage': stage, 'ezybus:purpose': 'loki' }));
    })().catch((err: unknown) => {
      cached = undefined; // retry the decrypt on the next invocation
      throw err;
    }));
  return { stage, url, tenant: env.EZYBUS_LOKI_TENANT || undefined, auth };
}
