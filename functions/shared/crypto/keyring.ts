/**
 * Envelope for upstream provider keys. In AWS: KMS Encrypt/Decrypt with an encryption context
 * naming the record (stage, upstream, key id), so a ciphertext copied onto another record does
 * not decrypt and IAM can scope Decrypt by context. Locally: AES-256-GCM with the same context
 * as additional authenticated data, under a master key file created on first use (mode 0600).
 */

import { crypto, fs, path } from '../runtime/builtins.js';
import { jsonService, type JsonService } from '../aws/json-client.js';
import type { AwsSettings } from '../config.js';
import { perGateway } from '../context.js';

const { createCipheriv, createDecipheriv, randomBytes } = crypto;
const { dirname } = path;

export type EncryptionContext = Record<string, string>;

export interface Keyring {
  encrypt(plaintext: string, context: EncryptionContext): Promise<string>;
  decrypt(ciphertext: string, context: EncryptionContext): Promise<string>;
}

/** Stable serialisation so the same context always yields the same AAD. */
function aad(context: EncryptionContext): Buffer {
  const keys = Object.keys(context).sort();
  return Buffer.from(JSON.stringify(keys.map((k) => [k, context[k]])));
}

const LOCAL_VERSION = 1;

export function localKeyring(path: string): Keyring {
  let master: Buffer | undefined;
  const key = (): Buffer => {
    if (master) return master;
    if (!fs.existsSync(path)) {
      fs.mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      fs.writeFileSync(path, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    }
    fs.chmodSync(path, 0o600);
    const k = Buffer.from(fs.readFileSync(path, 'utf8').trim(), 'base64');
    if (k.length !== 32) throw new Error(`local keyring ${path} does not hold a 256-bit key`);
    master = k;
    return k;
  };
  return {
    async encrypt(plaintext, context) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key(), iv);
      c.setAAD(aad(context));
      const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
      return Buffer.concat([Buffer.from([LOCAL_VERSION]), iv, c.getAuthTag(), body]).toString('base64');
    },
    async decrypt(ciphertext, context) {
      const raw = Buffer.from(ciphertext, 'base64');
      if (raw[0] !== LOCAL_VERSION || raw.length < 29) throw new Error('not a local keyring ciphertext');
      const d = createDecipheriv('aes-256-gcm', key(), raw.subarray(1, 13));
      d.setAAD(aad(context));
      d.setAuthTag(raw.subarray(13, 29));
      return Buffer.concat([d.update(raw.subarray(29)), d.final()]).toString('utf8');
    },
  };
}

/** Without a key id it can only decrypt (a symmetric ciphertext names its own key). */
/** `conn`: KMS's endpoint (undefined: AWS's; moto in tests) and the region and credentials, as a config has them. */
export function kmsKeyring(keyId: string | undefined, conn: { endpoint: string | undefined; aws: AwsSettings }): Keyring {
  let kms: JsonService | undefined;
  // KMS's JSON protocol carries blobs as base64 strings both ways.
  const get = (): JsonService => (kms ??= jsonService({ service: 'kms', targetPrefix: 'TrentService', contentType: 'application/x-amz-json-1.1', ...conn }));
  return {
    async encrypt(plaintext, context) {
      if (!keyId) throw new Error('KMS encrypt needs a key id');
      const res = await get().send<{ CiphertextBlob?: string }>('Encrypt', { KeyId: keyId, Plaintext: Buffer.from(plaintext, 'utf8').toString('base64'), EncryptionContext: context });
      if (!res.CiphertextBlob) throw new Error('KMS returned no ciphertext');
      return res.CiphertextBlob;
    },
    async decrypt(ciphertext, context) {
      const res = await get().send<{ Plaintext?: string }>('Decrypt', { ...(keyId ? { KeyId: keyId } : {}), CiphertextBlob: ciphertext, EncryptionContext: context });
      if (!res.Plaintext) throw new Error('KMS returned no plaintext');
      return Buffer.from(res.Plaintext, 'base64').toString('utf8');
    },
  };
}

const active = perGateway((cfg): Keyring => {
  if (cfg.kmsKeyArn) return kmsKeyring(cfg.kmsKeyArn, { endpoint: cfg.endpoints.kms, aws: cfg.aws });
  if (cfg.localKeyringPath) return localKeyring(cfg.localKeyringPath);
  throw new Error('no keyring: set EZYBUS_KMS_KEY_ARN (AWS) or EZYBUS_LOCAL_KEYRING (local)');
});

/** The gateway's keyring: KMS when a key ARN is configured, the local keyring otherwise. */
export function keyring(): Keyring {
  return active();
}

export function upstreamKeyContext(stage: string, upstreamId: string, keyId: string): EncryptionContext {
  return { 'ezybus:stage': stage, 'ezybus:upstream': upstreamId, 'ezybus:key': keyId };
}
