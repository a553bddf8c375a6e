/**
 * The configuration object (config.ts) and the gateway that owns what is built from it
 * (context.ts): parsed from a record, frozen, and every cache belonging to one gateway, so a new
 * gateway — a second local gateway in a test process — starts with nothing of the last one's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readConfig } from '../../functions/shared/config.js';
import { createGateway, forgetStoreViews, gateway, gatewayConfig, installGateway, installGatewayOnce, perGateway, type Gateway } from '../../functions/shared/context.js';

const before = gateway();
afterEach(() => void installGateway(before));

describe('readConfig', () => {
  it('defaults name the stage’s tables and leave AWS endpoints and static credentials unset', () => {
    const c = readConfig({});
    expect(c.stage).toBe('local');
    expect(c.tables).toEqual({ keys: 'ezybus-local-keys', config: 'ezybus-local-config', state: 'ezybus-local-state', usage: 'ezybus-local-usage', admin: 'ezybus-local-admin' });
    expect(c.endpoints).toEqual({ dynamodb: undefined, kms: undefined, sqs: undefined });
    expect(c.aws).toEqual({ region: 'us-east-1', credentials: undefined });
    expect(c.heartbeatMs).toBe(15_000);
    expect(c.logLevel).toBe('info');
  });

  it('reads every setting from the record it is given, never from process.env', () => {
    const env = {
      EZYBUS_STAGE: 'prod',
      EZYBUS_USAGE_TABLE: 'custom-usage',
      EZYBUS_DYNAMODB_ENDPOINT: 'http://127.0.0.1:1',
      EZYBUS_HEARTBEAT_MS: '250.9',
      EZYBUS_LOG_LEVEL: 'debug',
      EZYBUS_KMS_KEY_ARN: '',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
    };
    const c = readConfig(env);
    expect(c.tables.usage).toBe('custom-usage');
    expect(c.tables.keys).toBe('ezybus-prod-keys');
    expect(c.endpoints.dynamodb).toBe('http://127.0.0.1:1');
    expect(c.heartbeatMs).toBe(250);
    expect(c.logLevel).toBe('debug');
    expect(c.kmsKeyArn).toBeUndefined(); // an empty variable is an unset one
    expect(c.aws).toEqual({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: undefined } });
    expect(readConfig({ AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE' }).aws.credentials).toBeUndefined(); // half a pair: the default chain
  });

  it('refuses a malformed number, naming the variable', () => {
    expect(() => readConfig({ EZYBUS_MAX_ATTEMPTS: 'four' })).toThrow('EZYBUS_MAX_ATTEMPTS must be a non-negative number, got "four"');
    expect(() => readConfig({ EZYBUS_IDLE_TIMEOUT_MS: '-1' })).toThrow(/EZYBUS_IDLE_TIMEOUT_MS/);
  });

  it('is frozen, nested objects included', () => {
    const c = readConfig({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' });
    for (const o of [c, c.tables, c.aws, c.aws.credentials, c.endpoints]) expect(Object.isFrozen(o)).toBe(true);
    expect(() => {
      (c as { stage: string }).stage = 'other';
    }).toThrow(TypeError);
  });
});

describe('the gateway owns the caches', () => {
  const made: string[] = [];
  const counter = perGateway((cfg) => {
    made.push(cfg.stage);
    return { n: 0 };
  });
  const view = perGateway(() => ({ n: 0 }), true);
  const use = (g: Gateway): Gateway => installGateway(g);

  it('a slot is made once per gateway, from that gateway’s config', () => {
    made.length = 0;
    use(createGateway(readConfig({ EZYBUS_STAGE: 'a' })));
    counter().n++;
    counter().n++;
    expect(counter().n).toBe(2);
    use(createGateway(readConfig({ EZYBUS_STAGE: 'b' })));
    expect(counter().n).toBe(0); // a new gateway: nothing of the last one's
    expect(made).toEqual(['a', 'b']);
    expect(gatewayConfig().stage).toBe('b');
  });

  it('going back to a gateway finds its own state again (two local gateways, one process)', () => {
    const a = createGateway(readConfig({}));
    const b = createGateway(readConfig({}));
    use(a);
    counter().n = 7;
    use(b);
    counter().n = 1;
    use(a);
    expect(counter().n).toBe(7);
  });

  it('forgetStoreViews drops cached store views and keeps the rest', () => {
    use(createGateway(readConfig({})));
    view().n = 5;
    counter().n = 5;
    forgetStoreViews();
    expect(view().n).toBe(0);
    expect(counter().n).toBe(5);
  });

  it('an edge installs its gateway only when no local edge installed one first', () => {
    const local = installGateway(createGateway(readConfig({ EZYBUS_STAGE: 'local-edge' })));
    installGatewayOnce(() => createGateway(readConfig({ EZYBUS_STAGE: 'from-env' })));
    expect(gateway()).toBe(local);
  });
});
