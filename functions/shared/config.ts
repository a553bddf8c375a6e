/**
 * The gateway's settings as one frozen object, parsed from an environment-shaped record. Every
 * limit the request path enforces is here, with its default; README.md ("Limits") documents
 * them. Pure: the caller hands the environment in. A Lambda entry reads `process.env` once at
 * module init (edge-config.ts); the local gateway and the tests build the record themselves, so
 * nothing writes `process.env` to configure a gateway. The object then lives in the gateway
 * that owns the caches built from it (context.ts), and code reads it through `gatewayConfig()`.
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** How the lean AWS client (aws/json-client.ts) signs: the region, and static credentials if the environment has them. */
export interface AwsSettings {
  region: string;
  /** Lambda puts the execution role's credentials in the environment; absent, the SDK's default chain is loaded. Never logged. */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string | undefined } | undefined;
}

export interface GatewayConfig {
  stage: string;
  /** `admin` holds admin keys and the audit trail; only the admin function and the CLI use it. */
  tables: { keys: string; config: string; state: string; usage: string; admin: string };
  aws: AwsSettings;
  /** Service endpoints other than AWS's own (dynalite, moto); undefined means AWS. */
  endpoints: { dynamodb: string | undefined; kms: string | undefined; sqs: string | undefined };
  kmsKeyArn: string | undefined;
  /** Local AES-256-GCM keyring file used instead of KMS (npm start, tests). */
  localKeyringPath: string | undefined;
  originSecretSha256: string | undefined;
  /** The ledger queue the ledger writer forwards log-subscription records to. */
  ledgerQueueUrl: string | undefined;
  /** Heartbeat comment interval while the upstream is silent (stream requests). */
  heartbeatMs: number;
  /** Upstream silence after which the call is aborted. */
  idleTimeoutMs: number;
  /** Whole-request deadline, upstream included. */
  totalTimeoutMs: number;
  /** Time allowed for the upstream response head before the attempt counts as failed. */
  headersTimeoutMs: number;
  maxBodyBytes: number;
  /** In-memory cache lifetime of gateway keys, routes and upstreams. */
  cacheTtlMs: number;
  maxAttempts: number;
  /** Consecutive 5xx failures after which a key is disabled until a probe succeeds. */
  failuresBeforeProbe: number;
  /** First wait before such a key is probed (doubles with each failed probe, capped at 10 min). */
  probeAfterMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** EZYBUS_V8_PRETENURING=on keeps V8's allocation-site pretenuring (runtime/gc-tuning.ts turns it off). */
  v8Pretenuring: boolean;
}

/** EZYBUS_<name>: a non-negative integer (a fraction is floored), else `fallback` when unset. */
function int(env: Env, name: string, fallback: number): number {
  const raw = env[`EZYBUS_${name}`];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`EZYBUS_${name} must be a non-negative number, got ${JSON.stringify(raw)}`);
  return Math.floor(n);
}

/** A string setting; empty counts as unset, as the stack and shells leave them. */
const opt = (env: Env, name: string): string | undefined => env[name] || undefined;

export function awsSettings(env: Env): AwsSettings {
  const id = opt(env, 'AWS_ACCESS_KEY_ID');
  const secret = opt(env, 'AWS_SECRET_ACCESS_KEY');
  return Object.freeze({
    region: opt(env, 'AWS_REGION') ?? opt(env, 'AWS_DEFAULT_REGION') ?? 'us-east-1',
    credentials: id && secret ? Object.freeze({ accessKeyId: id, secretAccessKey: secret, sessionToken: opt(env, 'AWS_SESSION_TOKEN') }) : undefined,
  });
}

/** Parses `env` into a frozen config; throws on a malformed number (a deploy mistake, found at init). */
export function readConfig(env: Env): GatewayConfig {
  const stage = env.EZYBUS_STAGE ?? 'local';
  const level = env.EZYBUS_LOG_LEVEL ?? 'info';
  // Names below are EZYBUS_<name>.
  const ez = (name: string): string | undefined => opt(env, `EZYBUS_${name}`);
  // EZYBUS_KEYS_TABLE, …_CONFIG_, …_STATE_, …_USAGE_, …_ADMIN_TABLE; by default ezybus-<stage>-<name>.
  const table = (name: string): string => env[`EZYBUS_${name.toUpperCase()}_TABLE`] ?? `ezybus-${stage}-${name}`;
  return Object.freeze({
    stage,
    tables: Object.freeze({ keys: table('keys'), config: table('config'), state: table('state'), usage: table('usage'), admin: table('admin') }),
    aws: awsSettings(env),
    endpoints: Object.freeze({ dynamodb: ez('DYNAMODB_ENDPOINT'), kms: ez('KMS_ENDPOINT'), sqs: ez('SQS_ENDPOINT') }),
    kmsKeyArn: ez('KMS_KEY_ARN'),
    localKeyringPath: ez('LOCAL_KEYRING'),
    originSecretSha256: ez('ORIGIN_SECRET_SHA256'),
    ledgerQueueUrl: ez('LEDGER_QUEUE_URL'),
    heartbeatMs: int(env, 'HEARTBEAT_MS', 15_000),
    idleTimeoutMs: int(env, 'IDLE_TIMEOUT_MS', 120_000),
    totalTimeoutMs: int(env, 'TOTAL_TIMEOUT_MS', 14 * 60_000),
    headersTimeoutMs: int(env, 'HEADERS_TIMEOUT_MS', 60_000),
    maxBodyBytes: int(env, 'MAX_BODY_BYTES', 5 * 1024 * 1024),
    cacheTtlMs: int(env, 'CACHE_TTL_MS', 30_000),
    maxAttempts: int(env, 'MAX_ATTEMPTS', 4),
    failuresBeforeProbe: int(env, 'FAILURES_BEFORE_PROBE', 5),
    probeAfterMs: int(env, 'PROBE_AFTER_MS', 30_000),
    logLevel: level === 'debug' || level === 'warn' || level === 'error' ? level : 'info',
    v8Pretenuring: env.EZYBUS_V8_PRETENURING === 'on',
  });
}

export { gatewayConfig } from './context.js';
