/**
 * Settings read once per execution environment from the function's environment. Every limit the
 * request path enforces is here, with its default; README.md ("Limits") documents them.
 */
function int(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${JSON.stringify(raw)}`);
  return Math.floor(n);
}

export interface GatewayConfig {
  stage: string;
  /** `admin` holds admin keys and the audit trail; only the admin function and the CLI use it. */
  tables: { keys: string; config: string; state: string; usage: string; admin: string };
  kmsKeyArn: string | undefined;
  /** Local AES-256-GCM keyring file used instead of KMS (npm start, tests). */
  localKeyringPath: string | undefined;
  originSecretSha256: string | undefined;
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
}

let cached: GatewayConfig | undefined;

export function gatewayConfig(): GatewayConfig {
  if (cached) return cached;
  const stage = process.env.EZYBUS_STAGE ?? 'local';
  const level = process.env.EZYBUS_LOG_LEVEL ?? 'info';
  cached = {
    stage,
    tables: {
      keys: process.env.EZYBUS_KEYS_TABLE ?? `ezybus-${stage}-keys`,
      config: process.env.EZYBUS_CONFIG_TABLE ?? `ezybus-${stage}-config`,
      state: process.env.EZYBUS_STATE_TABLE ?? `ezybus-${stage}-state`,
      usage: process.env.EZYBUS_USAGE_TABLE ?? `ezybus-${stage}-usage`,
      admin: process.env.EZYBUS_ADMIN_TABLE ?? `ezybus-${stage}-admin`,
    },
    kmsKeyArn: process.env.EZYBUS_KMS_KEY_ARN || undefined,
    localKeyringPath: process.env.EZYBUS_LOCAL_KEYRING || undefined,
    originSecretSha256: process.env.EZYBUS_ORIGIN_SECRET_SHA256 || undefined,
    heartbeatMs: int('EZYBUS_HEARTBEAT_MS', 15_000),
    idleTimeoutMs: int('EZYBUS_IDLE_TIMEOUT_MS', 120_000),
    totalTimeoutMs: int('EZYBUS_TOTAL_TIMEOUT_MS', 14 * 60_000),
    headersTimeoutMs: int('EZYBUS_HEADERS_TIMEOUT_MS', 60_000),
    maxBodyBytes: int('EZYBUS_MAX_BODY_BYTES', 5 * 1024 * 1024),
    cacheTtlMs: int('EZYBUS_CACHE_TTL_MS', 30_000),
    maxAttempts: int('EZYBUS_MAX_ATTEMPTS', 4),
    failuresBeforeProbe: int('EZYBUS_FAILURES_BEFORE_PROBE', 5),
    probeAfterMs: int('EZYBUS_PROBE_AFTER_MS', 30_000),
    logLevel: level === 'debug' || level === 'warn' || level === 'error' ? level : 'info',
  };
  return cached;
}

/** Tests change the environment between cases; this forgets the parsed copy. */
export function resetGatewayConfig(): void {
  cached = undefined;
}
