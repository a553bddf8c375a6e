/** Anthropic Messages (`POST /v1/messages`, any query string such as the SDK's `?beta=true`). */
import { leftOut, type Adapter } from '../adapter.js';
import { placeCacheBreakpoints } from '../cache-points.js';
import { decodeBody, encodeBody } from './body.js';
import { errorBody, errorEvent, errorMessage, upstreamError } from './errors.js';
import { decodeRequest } from './request-in.js';
import { encodeRequest } from './request-out.js';
import { stopFromNative } from './stop.js';
import { parser, streamEventKind } from './stream-in.js';
import { encoder } from './stream-out.js';
import { messagesUsage } from './usage.js';

const FORWARDED = ['anthropic-version', 'anthropic-beta', 'anthropic-dangerous-direct-browser-access'] as const;
export const ANTHROPIC_DEFAULT_VERSION = '2023-06-01';

function forwardedHeaders(clientHeaders: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FORWARDED) {
    const v = clientHeaders[name];
    if (v !== undefined) out[name] = v;
  }
  if (!out['anthropic-version']) out['anthropic-version'] = ANTHROPIC_DEFAULT_VERSION;
  return out;
}

export const messages = {
  protocol: 'messages',
  recordName: 'anthropic',
  usage: messagesUsage,
  upstream: {
    path: () => '/v1/messages',
    authHeaders: (apiKey) => ({ 'x-api-key': apiKey }),
    forwardedHeaders,
    // The version this translation was written against, whatever a client of another protocol sent.
    translatedHeaders: (clientHeaders) => ({ ...forwardedHeaders(clientHeaders), 'anthropic-version': ANTHROPIC_DEFAULT_VERSION }),
    preparePassThrough: (text) => ({ text, stripUsage: false }),
    encodeRequest,
    placeCachePoints: placeCacheBreakpoints,
    parser,
    decodeBody,
    stopReason: stopFromNative,
    errorMessage,
    streamEventKind,
  },
  // Only in the bundles that serve this protocol's clients (adapter.ts `leftOut`).
  client: process.env.EZYBUS_OMIT_CLIENT_MESSAGES
    ? leftOut('messages')
    : {
        // Routing needs only model and stream; Anthropic validates the rest of what it is sent, and
        // decodeRequest checks what is translated.
        validate: () => undefined,
        decodeRequest,
        // Messages streams always carry usage.
        includeUsage: () => true,
        encoder,
        encodeBody,
        errorBody,
        errorEvent,
        upstreamError,
      },
} satisfies Adapter;
