import { describe, expect, it } from 'vitest';
import { DEFAULT_TENANT_LIMITS, tenantLimits } from '../../functions/shared/loki/limits.js';

describe('Loki tenant limits from the environment', () => {
  it('defaults to Loki 3.7’s limits, in bytes and milliseconds', () => {
    expect(tenantLimits({})).toEqual(DEFAULT_TENANT_LIMITS);
    expect(DEFAULT_TENANT_LIMITS).toMatchObject({ maxLineBytes: 262_144, maxAgeMs: 604_800_000, maxBehindMs: 3_600_000 });
  });
  it('reads each setting, and refuses nonsense', () => {
    expect(tenantLimits({ EZYBUS_LOKI_MAX_AGE_HOURS: '24', EZYBUS_LOKI_MAX_LINE_BYTES: '65536' })).toMatchObject({ maxAgeMs: 86_400_000, maxLineBytes: 65_536 });
    expect(() => tenantLimits({ EZYBUS_LOKI_MAX_PUSH_BYTES: '-1' })).toThrow(/positive/);
    expect(() => tenantLimits({ EZYBUS_LOKI_MAX_PUSH_BYTES: '100000' })).toThrow(/must exceed/);
  });
});
