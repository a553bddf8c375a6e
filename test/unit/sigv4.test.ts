/**
 * SigV4 against the AWS SDK's own signer (@smithy/signature-v4): the lean client must produce
 * byte-identical Authorization headers, with and without a session token, and across days.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { sign } from '../../functions/shared/aws/json-client.js';

const bytes = (d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof d === 'string' ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/** The hash interface @smithy/signature-v4 expects, over node:crypto (HMAC when given a secret). */
class Sha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}

async function reference(body: string, now: Date, sessionToken?: string): Promise<string> {
  const signer = new SignatureV4({
    service: 'dynamodb',
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', ...(sessionToken ? { sessionToken } : {}) },
    sha256: Sha256,
    applyChecksum: false, // as the DynamoDB client configures it
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'https:',
      hostname: 'dynamodb.eu-west-1.amazonaws.com',
      path: '/',
      headers: { host: 'dynamodb.eu-west-1.amazonaws.com', 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
      body,
    },
    { signingDate: now },
  );
  return String(signed.headers.authorization);
}

describe('SigV4', () => {
  for (const token of [undefined, 'FQoGZXIvYXdzEXAMPLETOKEN']) {
    it(`matches the SDK signer${token ? ' with a session token' : ''}, on consecutive days`, async () => {
      for (const iso of ['2026-11-24T23:59:59Z', '2026-11-25T00:00:01Z']) {
        const now = new Date(iso);
        const body = JSON.stringify({ TableName: 't', Key: { pk: { S: 'key#é' } } });
        const ours = sign({
          url: new URL('https://dynamodb.eu-west-1.amazonaws.com/'),
          service: 'dynamodb',
          region: 'eu-west-1',
          headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
          body,
          creds: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: token },
          now,
        });
        expect(ours.authorization).toBe(await reference(body, now, token));
      }
    });
  }
});
