/**
 * The Loki tenant limits the shipper works within. Defaults are Loki 3.7's own defaults (a tenant
 * on Grafana Cloud or a self-hosted Loki with a changed limits_config sets the matching
 * EZYBUS_LOKI_* variables), with the shipper's batches kept well under them:
 *
 * | setting                          | default  | Loki limit it follows                               |
 * | -------------------------------- | -------- | --------------------------------------------------- |
 * | EZYBUS_LOKI_MAX_LINE_BYTES       | 256 KiB  | max_line_size (longer lines are truncated, marked)  |
 * | EZYBUS_LOKI_MAX_METADATA_BYTES   | 8 KiB    | max_structured_metadata_size 64 KB (names + values) |
 * | EZYBUS_LOKI_MAX_METADATA_VALUE_BYTES | 512  | — (one value; the rest of the budget stays free)    |
 * | EZYBUS_LOKI_MAX_PUSH_BYTES       | 1 MiB    | ingestion_burst_size_mb 6 (a push over the burst is refused forever) |
 * | EZYBUS_LOKI_MAX_PUSH_ENTRIES     | 5,000    | —                                                   |
 * | EZYBUS_LOKI_MAX_AGE_HOURS        | 168      | reject_old_samples_max_age 168 h                    |
 * | EZYBUS_LOKI_MAX_BEHIND_MINUTES   | 60       | max_chunk_age / 2 (out-of-order window per stream)  |
 *
 * Sizes are UTF-8 bytes, as Loki counts them.
 */
export interface TenantLimits {
  maxLineBytes: number;
  maxMetadataBytes: number;
  maxMetadataValueBytes: number;
  maxPushBytes: number;
  maxPushEntries: number;
  maxAgeMs: number;
  maxBehindMs: number;
}

export const DEFAULT_TENANT_LIMITS: TenantLimits = {
  maxLineBytes: 256 * 1024,
  maxMetadataBytes: 8 * 1024,
  maxMetadataValueBytes: 512,
  maxPushBytes: 1024 * 1024,
  maxPushEntries: 5000,
  maxAgeMs: 168 * 3_600_000,
  maxBehindMs: 60 * 60_000,
};

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number, scale = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return Math.floor(fallback * scale);
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return Math.floor(n * scale);
}

export function tenantLimits(env: NodeJS.ProcessEnv = process.env): TenantLimits {
  const d = DEFAULT_TENANT_LIMITS;
  const limits: TenantLimits = {
    maxLineBytes: positive(env, 'EZYBUS_LOKI_MAX_LINE_BYTES', d.maxLineBytes),
    maxMetadataBytes: positive(env, 'EZYBUS_LOKI_MAX_METADATA_BYTES', d.maxMetadataBytes),
    maxMetadataValueBytes: positive(env, 'EZYBUS_LOKI_MAX_METADATA_VALUE_BYTES', d.maxMetadataValueBytes),
    maxPushBytes: positive(env, 'EZYBUS_LOKI_MAX_PUSH_BYTES', d.maxPushBytes),
    maxPushEntries: positive(env, 'EZYBUS_LOKI_MAX_PUSH_ENTRIES', d.maxPushEntries),
    maxAgeMs: positive(env, 'EZYBUS_LOKI_MAX_AGE_HOURS', d.maxAgeMs / 3_600_000, 3_600_000),
    maxBehindMs: positive(env, 'EZYBUS_LOKI_MAX_BEHIND_MINUTES', d.maxBehindMs / 60_000, 60_000),
  };
  // A line must fit in a push with room for its labels and metadata.
  if (limits.maxLineBytes + limits.maxMetadataBytes + 4096 > limits.maxPushBytes) {
    throw new Error('EZYBUS_LOKI_MAX_PUSH_BYTES must exceed EZYBUS_LOKI_MAX_LINE_BYTES + EZYBUS_LOKI_MAX_METADATA_BYTES by 4 KiB');
  }
  return limits;
}
