import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localKeyring, upstreamKeyContext } from '../../functions/shared/crypto/keyring.js';

describe('local keyring (AES-256-GCM)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ezybus-kr-'));
  const path = join(dir, 'sub', 'master.key');
  const kr = localKeyring(path);
  const ctx = upstreamKeyContext('dev', 'openai', 'uk_1');

  it('round-trips with the right context and creates an owner-only master key', async () => {
    const ct = await kr.encrypt('sk-proj-secret-value', ctx);
    expect(ct).not.toContain('secret');
    expect(await kr.decrypt(ct, ctx)).toBe('sk-proj-secret-value');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses a ciphertext moved to another record (wrong context)', async () => {
    const ct = await kr.encrypt('sk-proj-secret-value', ctx);
    await expect(kr.decrypt(ct, upstreamKeyContext('dev', 'openai', 'uk_2'))).rejects.toThrow();
    await expect(kr.decrypt(ct, upstreamKeyContext('prod', 'openai', 'uk_1'))).rejects.toThrow();
  });

  it('refuses a tampered ciphertext', async () => {
    const raw = Buffer.from(await kr.encrypt('abc', ctx), 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    await expect(kr.decrypt(raw.toString('base64'), ctx)).rejects.toThrow();
  });

  it('a second keyring on the same file decrypts what the first wrote', async () => {
    const ct = await kr.encrypt('persisted', ctx);
    expect(await localKeyring(path).decrypt(ct, ctx)).toBe('persisted');
  });
});
