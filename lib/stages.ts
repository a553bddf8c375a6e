/**
 * Default stage settings. dev is cheap to tear down; prod keeps its data and logs. Any other
 * stage named in the overrides file starts from dev's settings.
 */
import type { StageConfig } from './config.js';

export const DEFAULT_STAGES: Record<string, Omit<StageConfig, 'name'>> = {
  dev: {
    compute: { mode: 'function-urls' },
    memoryMb: { chat: 1024, messages: 1024, models: 256, shipper: 256 },
    logRetentionDays: 7,
    provisionedConcurrency: {},
    // A developer's stage: enough for a team trying it, small enough that a leaked URL costs little.
    reservedConcurrency: { chat: 20, messages: 20, models: 5, shipper: 2, admin: 2, ledger: 5 },
    originSecretRotation: 0,
    removalPolicy: 'destroy',
    originReadTimeoutSeconds: 60,
    priceClass: 'PriceClass_100',
    logLevel: 'info',
  },
  prod: {
    compute: { mode: 'function-urls' },
    memoryMb: { chat: 1024, messages: 1024, models: 256, shipper: 256 },
    logRetentionDays: 90,
    provisionedConcurrency: {},
    // One environment per stream: 200 concurrent streams per completion endpoint (an endpoint
    // without its own entry takes chat's cap if it streams, models' otherwise). The sum over every
    // function (~670) leaves the default 1,000-execution account quota room (100 stay unreserved).
    reservedConcurrency: { chat: 200, messages: 200, models: 20, shipper: 5, admin: 5, ledger: 20 },
    originSecretRotation: 0,
    removalPolicy: 'retain',
    originReadTimeoutSeconds: 60,
    priceClass: 'PriceClass_All',
    logLevel: 'info',
  },
};
