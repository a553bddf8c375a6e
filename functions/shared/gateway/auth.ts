/**
 * Gateway key authentication: `Authorization: Bearer <key>` or `x-api-key: <key>`, and for
 * Gemini-native clients `x-goog-api-key: <key>` or `?key=<key>` (docs/protocols.md §3.1).
 * The key is hashed (SHA-256) and looked up by hash, through a short in-memory cache; the
 * store never sees or keeps the key itself. Unknown hashes are cached briefly too, so a flood
 * of bad keys does not become a flood of DynamoDB reads.
 */
import { crypto } from '../runtime/builtins.js';
import { gatewayConfig } from '../config.js';
import { perGateway } from '../context.js';
import { TtlCache } from '../store/cache.js';
import type { GatewayKey } from '../store/records.js';
import { getGatewayKeyByHash } from '../store/repo.js';
import { GatewayError } from './errors.js';
import { log } from '../logging/log.js';

const { hash, timingSafeEqual } = crypto;

const NEGATIVE_TTL_MS = 5_000;
/**
 * A known key's entry is read again beside a request once it is this far into its TTL. Without
 * it, every TTL the first request of a busy key after expiry waited for a GetItem, and every
 * request of that key behind it waited for that one read (they share it): a stall per key per
 * TTL on the warm path. The entry still ends at its TTL, so revocation's bound is unchanged.
 */
const REFRESH_AT = 0.75;
/**
 * Key records by hash, and the lookups in flight: in a Web Function one process serves many
 * requests at once, and the requests of one key that arrive while its entry is missing or
 * expired share one read instead of each sending its own.
 */
const keys = perGateway(() => ({ cache: new TtlCache<GatewayKey | null>(10_000), loading: new Map<string, Promise<GatewayKey | null>>() }), true);

function lookup(hash: string): Promise<GatewayKey | null> {
  const { cache, loading } = keys();
  let p = loading.get(hash);
  if (!p) {
    p = getGatewayKeyByHash(hash).then(
      (record) => {
        const ttl = gatewayConfig().cacheTtlMs;
        if (record) cache.set(hash, record, ttl, ttl * REFRESH_AT);
        else cache.set(hash, null, NEGATIVE_TTL_MS); // a bad key is never read ahead
        loading.delete(hash);
        return record;
      },
      (err: unknown) => {
        loading.delete(hash);
        throw err;
      },
    );
    loading.set(hash, p);
  }
  return p;
}

/**
 * Read ahead of expiry, beside the request; a failed read leaves the entry to its TTL (then a
 * request waits for the read, as on a miss) and says so in the log. The line names the store's
 * error, never the key: its hash is the lookup, and not logged either.
 */
function readAhead(hash: string): void {
  lookup(hash).catch((err: unknown) => {
    log('warn', 'gateway key read-ahead failed; the cached entry serves until its TTL', { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  });
}

export function extractKey(headers: Record<string, string>, query?: Record<string, string | undefined>): string | undefined {
  const auth = headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m?.[1]) return m[1].trim();
  }
  // Gemini CLI always sends x-goog-api-key, empty when no key is configured: fall through then.
  const x = headers['x-api-key']?.trim() || headers['x-goog-api-key']?.trim() || query?.key?.trim();
  return x || undefined;
}

export function hashKey(key: string): string {
  // One-shot hash (Node ≥ 20.12): no Hash object per request, a third of createHash's time.
  return hash('sha256', key, 'hex');
}

/**
 * The key's record: the record itself when its cache entry is live (the warm path: no promise),
 * else a promise of it. A refused key is always a rejected promise, so a caller that decodes the
 * body before it awaits the key still reports a bad body first, as it would after a read.
 */
export function authenticate(key: string, now = Date.now()): GatewayKey | Promise<GatewayKey> {
  const hash = hashKey(key);
  const record = keys().cache.get(hash, readAhead);
  if (record === undefined) return lookup(hash).then((r) => accepted(r, hash, now));
  try {
    return accepted(record, hash, now);
  } catch (err) {
    return Promise.reject(err);
  }
}

function accepted(record: GatewayKey | null, hash: string, now: number): GatewayKey {
  // The lookup is by hash already; comparing the stored hash in constant time as well means a
  // corrupted or mismatched item can never authenticate, and no timing leaks which bytes agreed.
  if (!record || !safeEqualHex(record.hash, hash)) {
    throw new GatewayError(401, 'authentication', 'Invalid API key. Use an EzyBus key (sk-eb-…).');
  }
  if (record.disabled) throw new GatewayError(401, 'authentication', 'This API key has been revoked.');
  if (record.expiresAt !== undefined && record.expiresAt <= now) {
    throw new GatewayError(401, 'authentication', 'This API key has expired.');
  }
  return record;
}

export function safeEqualHex(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/** CloudFront adds a secret header; when configured, requests that bypass it are refused. */
export function checkOrigin(headers: Record<string, string>): void {
  const want = gatewayConfig().originSecretSha256;
  if (!want) return;
  const got = headers['x-ezybus-origin'];
  if (!got || !safeEqualHex(hashKey(got), want.toLowerCase())) {
    throw new GatewayError(403, 'permission', 'Requests must come through the EzyBus distribution.');
  }
}
