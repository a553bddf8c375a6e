/**
 * The esbuild options every Lambda bundle is built with (scripts/build.ts for the Function URL
 * handlers, lib/web-gateway.ts for the Web Function): ESM, minified, node24. The AWS SDK stays
 * out: EzyBus talks to DynamoDB and KMS through its own lean client; the SDK is only the
 * credential chain off Lambda, and the nodejs24.x runtime ships it.
 */
import type { BuildOptions } from 'esbuild';
import type { WireProtocol } from '../functions/shared/protocol/wire.js';

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

/** The name each protocol adapter's client side is conditioned on (protocol/adapter.ts `leftOut`). */
const OMIT_CLIENT: Record<WireProtocol, string> = {
  'chat-completions': 'process.env.EZYBUS_OMIT_CLIENT_CHAT_COMPLETIONS',
  messages: 'process.env.EZYBUS_OMIT_CLIENT_MESSAGES',
  'generate-content': 'process.env.EZYBUS_OMIT_CLIENT_GENERATE_CONTENT',
  responses: 'process.env.EZYBUS_OMIT_CLIENT_RESPONSES',
};

/**
 * esbuild `define`s for a bundle that serves the client protocol `own` (a completion function):
 * every other protocol's client side is left out. `own` undefined (token counting, embeddings,
 * models, the Web Function: they answer or render errors in several protocols): every side stays.
 * Both ways the names become constants, so no bundle reads them from its environment.
 */
export function clientDefines(own: WireProtocol | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(OMIT_CLIENT).map(([p, name]) => [name, own === undefined || p === own ? '""' : '"1"']));
}
