/**
 * Upstream keys under KMS, against moto's KMS emulator: encryption context binds a ciphertext to
 * its record, a wrong context is refused, and rotation re-encrypts under a new key.
 */
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kmsKeyring, upstreamKeyContext } from '../../functions/shared/crypto/keyring.js';
import { hasMoto, startMoto } from '../helpers/moto.js';

describe.skipIf(!hasMoto() && !process.env.CI)('KMS keyring (moto KMS emulator)', () => {
  let moto: Awaited<ReturnType<typeof startMoto>>;
  let keyA: string;
  let keyB: string;
  /** Where the keyring finds KMS, as a gateway's config says it. */
  let conn: Parameters<typeof kmsKeyring>[1];
  beforeAll(async () => {
    moto = await startMoto();
    conn = { endpoint: moto.endpoint, aws: { region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: undefined } } };
    const kms = new KMSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    keyA = (await kms.send(new CreateKeyCommand({ Description: 'ezybus test A' }))).KeyMetadata!.Arn!;
    keyB = (await kms.send(new CreateKeyCommand({ Description: 'ezybus test B' }))).KeyMetadata!.Arn!;
  });
  afterAll(async () => moto?.close());

  const ctx = upstreamKeyContext('dev', 'openai', 'uk_1');

  it('encrypts and decrypts with the record’s encryption context', async () => {
    const kr = kmsKeyring(keyA, conn);
    const ct = await kr.encrypt('sk-proj-canary-123456', ctx);
    expect(Buffer.from(ct, 'base64').toString('latin1')).not.toContain('canary');
    expect(await kr.decrypt(ct, ctx)).toBe('sk-proj-canary-123456');
  });

  it('refuses a wrong encryption context', async () => {
    const kr = kmsKeyring(keyA, conn);
    const ct = await kr.encrypt('sk-proj-canary-123456', ctx);
    await expect(kr.decrypt(ct, upstreamKeyContext('dev', 'openai', 'uk_2'))).rejects.toThrow();
    await expect(kr.decrypt(ct, upstreamKeyContext('prod', 'openai', 'uk_1'))).rejects.toThrow();
  });

  it('rotation: re-encrypting under a new key keeps the plaintext and drops the old key', async () => {
    const old = kmsKeyring(keyA, conn);
    const ct = await old.encrypt('sk-ant-rotate-me', ctx);
    const rotated = await kmsKeyring(keyB, conn).encrypt(await old.decrypt(ct, ctx), ctx);
    expect(rotated).not.toBe(ct);
    expect(await kmsKeyring(keyB, conn).decrypt(rotated, ctx)).toBe('sk-ant-rotate-me');
    // Pinning the key id makes KMS refuse a ciphertext made under another key.
    await expect(kmsKeyring(keyB, conn).decrypt(ct, ctx)).rejects.toThrow();
  });
});
