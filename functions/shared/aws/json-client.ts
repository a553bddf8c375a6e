/**
 * A lean client for AWS's JSON-protocol services (DynamoDB, KMS): SigV4-signed POSTs over
 * keep-alive connections, with the SDK's retry policy for throttles and 5xx.
 *
 * Why not @aws-sdk/client-*: the two v3 clients and their Smithy runtime are ~560 KB of the
 * Lambda bundle and most of its module-init time, for the handful of operations EzyBus uses.
 * This file is ~4 KB. Lambda hands every function its credentials in the environment; when
 * they are absent (an operator's laptop with SSO or profiles), the SDK's default credential
 * chain is loaded instead — the Lambda runtime ships it, so the bundles keep it external.
 */
import type { KeyObject } from 'node:crypto';
import type { AwsSettings } from '../config.js';
import { crypto, http, https } from '../runtime/builtins.js';

const { createHmac, createSecretKey, hash } = crypto;

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  expiration?: Date | undefined;
}

export class AwsError extends Error {
  constructor(
    name: string,
    message: string,
    readonly statusCode: number,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = name;
  }
}

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });

let chain: (() => Promise<Credentials>) | undefined;
let cached: Credentials | undefined;

/** The environment's static credentials when there are some, else the SDK's default chain (cached until near expiry). */
async function credentials(fixed: AwsSettings['credentials']): Promise<Credentials> {
  if (fixed) return fixed;
  if (cached && (!cached.expiration || cached.expiration.getTime() - Date.now() > 60_000)) return cached;
  if (!chain) {
    const mod = '@aws-sdk/credential-provider-node'; // a variable: keep it out of the bundle
    const { defaultProvider } = (await import(mod)) as { defaultProvider: () => () => Promise<Credentials> };
    chain = defaultProvider();
  }
  cached = await chain();
  return cached;
}

const sha256 = (s: string): string => hash('sha256', s, 'hex');
const hmac = (key: string | Buffer, s: string): Buffer => createHmac('sha256', key).update(s).digest();

// The derived key changes once a day per secret, region and service: derive it once (four
// HMACs saved on every call of the warm path's ledger writes), and hold it as a KeyObject —
// Node 24 turns a Buffer key into one on every createHmac, which costs ~12 µs against ~1.6 µs.
const signingKeys = new Map<string, KeyObject>();
function signingKey(secret: string, day: string, region: string, service: string): KeyObject {
  const id = `${day}|${region}|${service}|${secret}`;
  let key = signingKeys.get(id);
  if (!key) {
    if (signingKeys.size >= 8) signingKeys.clear(); // old days and rotated session secrets
    key = createSecretKey(hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request'));
    signingKeys.set(id, key);
  }
  return key;
}

/** AWS Signature Version 4 for a POST of `body` to `url` (path '/', no query). */
export function sign(opts: { url: URL; service: string; region: string; headers: Record<string, string>; body: string; creds: Credentials; now?: Date }): Record<string, string> {
  const now = opts.now ?? new Date();
  const amzDate = now.toISOString().replace(/[:-]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = { ...opts.headers, host: opts.url.host, 'x-amz-date': amzDate };
  if (opts.creds.sessionToken) headers['x-amz-security-token'] = opts.creds.sessionToken;
  const names = Object.keys(headers)
    .map((h) => h.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim().replace(/\s+/g, ' ')]));
  const signed = names.join(';');
  const canonical = ['POST', opts.url.pathname || '/', '', names.map((n) => `${n}:${lower[n]}\n`).join(''), signed, sha256(opts.body)].join('\n');
  const scope = `${day}/${opts.region}/${opts.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const kSigning = signingKey(opts.creds.secretAccessKey, day, opts.region, opts.service);
  const signature = createHmac('sha256', kSigning).update(toSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${opts.creds.accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}`;
  return headers;
}

const RETRYABLE = /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded|LimitExceeded|TransactionInProgress|InternalServerError|ServiceUnavailable|KMSInternal/;

function post(url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const tls = url.protocol === 'https:';
    const req = (tls ? https.request : http.request)(
      { host: url.hostname, port: url.port || (tls ? 443 : 80), path: url.pathname || '/', method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent: tls ? httpsAgent : httpAgent, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new AwsError('TimeoutError', 'AWS request timed out', 0, true)));
    req.on('error', reject);
    req.end(body);
  });
}

export interface JsonService {
  send<T = Record<string, unknown>>(operation: string, input: unknown): Promise<T>;
}

/** `aws`: the region and credentials, from the gateway's config (or, in the CLI, `awsSettings(process.env)`). */
export function jsonService(opts: { service: string; targetPrefix: string; contentType: string; endpoint?: string | undefined; maxAttempts?: number; aws: AwsSettings }): JsonService {
  const maxAttempts = opts.maxAttempts ?? 5;
  const { region, credentials: fixed } = opts.aws;
  const url = new URL(opts.endpoint ?? `https://${opts.service}.${region}.amazonaws.com/`);
  return {
    async send<T>(operation: string, input: unknown): Promise<T> {
      const body = JSON.stringify(input);
      for (let attempt = 1; ; attempt++) {
        let err: AwsError;
        try {
          const headers = sign({ url, service: opts.service, region, headers: { 'content-type': opts.contentType, 'x-amz-target': `${opts.targetPrefix}.${operation}` }, body, creds: await credentials(fixed) });
          const res = await post(url, headers, body);
          if (res.status === 200) return (res.text ? JSON.parse(res.text) : {}) as T;
          let parsed: { __type?: string; message?: string; Message?: string } = {};
          try {
            parsed = JSON.parse(res.text) as typeof parsed;
          } catch {
            // non-JSON error body (a proxy in the way): keep the status
          }
          const name = (parsed.__type ?? `Http${res.status}`).split('#').pop() as string;
          err = new AwsError(name, parsed.message ?? parsed.Message ?? `${opts.service} ${operation} failed with ${res.status}`, res.status, res.status >= 500 || RETRYABLE.test(name));
        } catch (e) {
          if (e instanceof AwsError && e.statusCode > 0) throw e;
          // Connection resets and timeouts: retried like the SDK does.
          err = e instanceof AwsError ? e : new AwsError((e as Error).name || 'NetworkError', (e as Error).message, 0, true);
        }
        if (!err.retryable || attempt >= maxAttempts) throw err;
        // Full jitter, 25 ms base, capped at 2 s (the SDK's standard mode).
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(2000, 25 * 2 ** attempt)));
      }
    },
  };
}
