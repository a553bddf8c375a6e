import { describe, expect, it } from 'vitest';
import { backoffMs, parseGoDuration, retryAfterMs } from '../../functions/shared/upstream/retry-facts.js';

describe('provider wait hints', () => {
  const now = Date.parse('2026-11-24T12:00:00Z');

  it('parses Go durations as OpenAI sends them', () => {
    expect(parseGoDuration('6m0s')).toBe(360_000);
    expect(parseGoDuration('2m59.56s')).toBe(179_560);
    expect(parseGoDuration('12ms')).toBe(12);
    expect(parseGoDuration('1h')).toBe(3_600_000);
    expect(parseGoDuration('soon')).toBeUndefined();
  });

  it('prefers retry-after-ms, then retry-after (seconds or date)', () => {
    expect(retryAfterMs({ 'retry-after-ms': '1500', 'retry-after': '9' }, now)).toBe(1500);
    expect(retryAfterMs({ 'retry-after': '2' }, now)).toBe(2000);
    expect(retryAfterMs({ 'retry-after': 'Tue, 24 Nov 2026 12:00:05 GMT' }, now)).toBe(5000);
  });

  it('falls back to the longest reset among rate-limit headers', () => {
    expect(retryAfterMs({ 'x-ratelimit-reset-requests': '1s', 'x-ratelimit-reset-tokens': '6m0s' }, now)).toBe(360_000);
    expect(retryAfterMs({ 'anthropic-ratelimit-requests-reset': '2026-11-24T12:00:30Z' }, now)).toBe(30_000);
    expect(retryAfterMs({}, now)).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(1, () => 0)).toBe(500);
    expect(backoffMs(1, () => 0.999)).toBeLessThanOrEqual(1000);
    expect(backoffMs(4, () => 0)).toBe(4000);
    expect(backoffMs(30, () => 1)).toBe(60_000);
  });
});
