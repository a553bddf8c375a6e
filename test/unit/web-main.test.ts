/** The Web Functions process settings: where to listen, the grace, and the deadline check. */
import { describe, expect, it } from 'vitest';
import { checkDeadlines, webSettings } from '../../functions/shared/runtime/web-main.js';

describe('webSettings', () => {
  it('reads host:port from AWS_LAMBDA_HTTP_ENDPOINT (IPv6 too) and the timeouts', () => {
    expect(webSettings({ AWS_LAMBDA_HTTP_ENDPOINT: '127.0.0.1:9001' })).toEqual({ host: '127.0.0.1', port: 9001, timeoutMs: 900_000, graceMs: 800 });
    expect(webSettings({ AWS_LAMBDA_HTTP_ENDPOINT: '[::1]:8080', EZYBUS_REVISION_TIMEOUT_MS: '300000', EZYBUS_SHUTDOWN_GRACE_MS: '500' })).toEqual({ host: '::1', port: 8080, timeoutMs: 300_000, graceMs: 500 });
  });
  it('refuses what is not host:port, and timeouts that are not positive numbers', () => {
    expect(() => webSettings({ AWS_LAMBDA_HTTP_ENDPOINT: '8080' })).toThrow(/host:port/);
    expect(() => webSettings({ AWS_LAMBDA_HTTP_ENDPOINT: 'h:99999' })).toThrow(/host:port/);
    expect(() => webSettings({ EZYBUS_SHUTDOWN_GRACE_MS: 'soon' })).toThrow(/EZYBUS_SHUTDOWN_GRACE_MS/);
  });
});

describe('checkDeadlines', () => {
  const s = { host: 'h', port: 1, timeoutMs: 900_000, graceMs: 800 };
  it('accepts a total deadline at least 30 s under the revision timeout', () => {
    expect(() => checkDeadlines(s, 840_000)).not.toThrow();
    expect(() => checkDeadlines(s, 870_000)).not.toThrow();
  });
  it('refuses one the platform would cut first', () => {
    expect(() => checkDeadlines(s, 880_000)).toThrow(/below the revision's timeout/);
  });
});
