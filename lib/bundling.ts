/**
 * The esbuild options every Lambda bundle is built with (scripts/build.ts for the Function URL
 * handlers, lib/web-gateway.ts for the Web Function): ESM, minified, node24. The AWS SDK stays
 * out: EzyBus talks to DynamoDB and KMS through its own lean client; the SDK is only the
 * credential chain off Lambda, and the nodejs24.x runtime ships it.
 */
import type { BuildOptions } from 'esbuild';

export const LAMBDA_BUNDLE = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  external: ['@aws-sdk/*', '@smithy/*'],
  logLevel: 'warning',
  legalComments: 'none',
} as const satisfies BuildOptions;
