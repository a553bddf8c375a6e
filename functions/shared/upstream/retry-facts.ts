/**
 * Reading an upstream's answer for failover: is it worth another key, and how long should this
 * key rest. Providers say "wait" in four dialects: `retry-after` (seconds or an HTTP date),
 * `retry-after-ms`, OpenAI's `x-ratelimit-reset-*` (Go durations such as `6m0s`, `12ms`) and
 * Anthropic's `anthropic-ratelimit-*-reset` (RFC 3339 instants).
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Statuses after which another key or target is tried (before any content reached the client). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 409, 429, 500, 502, 503, 504, 529]);
/** Statuses that condemn the key itself: disable it and try another. */
export const KEY_REJECTED_STATUSES: ReadonlySet<number> = new Set([401, 403]);

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Parses a Go duration string (`1h2m3.5s`, `250ms`, `6m0s`) into milliseconds. */
export function parseGoDuration(s: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g;
  let total = 0;
  let matched = 0;
  for (const m of s.matchAll(re)) {
    const n = Number(m[1]);
    const unit = m[2];
    matched += m[0].length;
    total += unit === 'h' ? n * 3_600_000 : unit === 'm' ? n * 60_000 : unit === 's' ? n * 1000 : unit === 'ms' ? n : n / 1000;
  }
  return matched === s.trim().length && matched > 0 ? total : undefined;
}

/** How long the provider asked us to wait, in ms from `now`, or undefined when it did not say. */
export function retryAfterMs(h: IncomingHttpHeaders, now = Date.now()): number | undefined {
  const ms = header(h, 'retry-after-ms');
  if (ms !== undefined && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = header(h, 'retry-after');
  if (ra !== undefined) {
    const secs = Number(ra);
    if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
    const date = Date.parse(ra);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  let best: number | undefined;
  for (const [name, raw] of Object.entries(h)) {
    const v = Array.isArray(raw) ? raw[0] : raw;
    if (v === undefined) continue;
    let wait: number | undefined;
    if (name.startsWith('x-ratelimit-reset-')) wait = parseGoDuration(v) ?? (Number.isFinite(Number(v)) ? Number(v) * 1000 : undefined);
    else if (name.startsWith('anthropic-ratelimit-') && name.endsWith('-reset')) {
      const t = Date.parse(v);
      if (Number.isFinite(t)) wait = Math.max(0, t - now);
    }
    // Several buckets may be reported; the one that is exhausted resets last, so wait for the
    // longest of those the provider named.
    if (wait !== undefined && (best === undefined || wait > best)) best = wait;
  }
  return best;
}

/** Exponential backoff with full jitter, for failures that came without a wait hint. */
export function backoffMs(consecutiveFailures: number, random = Math.random): number {
  const base = Math.min(60_000, 1000 * 2 ** Math.max(0, consecutiveFailures - 1));
  return Math.round(base / 2 + random() * (base / 2));
}

/**
 * Proactive steering: when a successful answer says the key has almost no requests or tokens
 * left in its window (under 2 % of the limit), the time until that window resets.
 */
export function nearLimitResetMs(h: IncomingHttpHeaders, now = Date.now()): number | undefined {
  const pairs: [string, string, string][] = [
    ['x-ratelimit-remaining-requests', 'x-ratelimit-limit-requests', 'x-ratelimit-reset-requests'],
    ['x-ratelimit-remaining-tokens', 'x-ratelimit-limit-tokens', 'x-ratelimit-reset-tokens'],
    ['anthropic-ratelimit-requests-remaining', 'anthropic-ratelimit-requests-limit', 'anthropic-ratelimit-requests-reset'],
    ['anthropic-ratelimit-tokens-remaining', 'anthropic-ratelimit-tokens-limit', 'anthropic-ratelimit-tokens-reset'],
  ];
  let wait: number | undefined;
  for (const [remName, limName, resetName] of pairs) {
    const rem = Number(header(h, remName));
    const lim = Number(header(h, limName));
    const reset = header(h, resetName);
    if (!Number.isFinite(rem) || !Number.isFinite(lim) || lim <= 0 || reset === undefined) continue;
    if (rem / lim >= 0.02) continue;
    const ms = resetName.startsWith('anthropic') ? Date.parse(reset) - now : (parseGoDuration(reset) ?? Number(reset) * 1000);
    if (Number.isFinite(ms) && ms > 0) wait = Math.max(wait ?? 0, ms);
  }
  return wait;
}
