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
    removalPolicy: 'retain',
    originReadTimeoutSeconds: 60,
    priceClass: 'PriceClass_All',
    logLevel: 'info',
  },
};
