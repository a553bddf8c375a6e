/**
 * Gemini generateContent (`/v1beta/models/{model}:generateContent`, and
 * `:streamGenerateContent?alt=sse` for streams), upstream and, for Gemini-native clients (Gemini
 * CLI, the google-genai SDKs), client side. Gemini's OpenAI-compatible endpoint is the Chat
 * Completions adapter, not this one.
 */
import { leftOut, type Adapter } from '../adapter.js';
import { decodeBody } from './body.js';
import { encodeBody } from './client-body.js';
import { errorBody, errorEvent, upstreamError } from './client-errors.js';
import { errorMessage } from './errors.js';
import { geminiCall, sseToJsonArray, upstreamQuery } from './framing.js';
import { decodeRequest, validate } from './request-in.js';
import { encoder } from './stream-out.js';
import { encodeRequest } from './request-out.js';
import { stopFromFinish } from './stop.js';
import { parser, streamEventKind } from './stream-in.js';
import { generateContentUsage } from './usage.js';

export const generateContent = {
  protocol: 'generate-content',
  recordName: 'gemini',
  usage: generateContentUsage,
  upstream: {
    path: (model, stream) => `/v1beta/models/${encodeURIComponent(model)}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
    authHeaders: (apiKey) => ({ 'x-goog-api-key': apiKey }),
    forwardedHeaders: () => ({}),
    translatedHeaders: () => ({}),
    preparePassThrough: (text) => ({ text, stripUsage: false }),
    encodeRequest,
    parser,
    decodeBody,
    stopReason: stopFromFinish,
    errorMessage,
    streamEventKind,
  },
  // Only in the bundles that serve this protocol's clients (adapter.ts `leftOut`).
  client: process.env.EZYBUS_OMIT_CLIENT_GENERATE_CONTENT
    ? leftOut('generate-content')
    : {
        validate,
        decodeRequest,
        // Gemini streams always carry usageMetadata.
        includeUsage: () => true,
        encoder,
        encodeBody,
        errorBody,
        errorEvent,
        upstreamError,
        routing(path, query) {
          const call = geminiCall(path, query);
          return call && call.method !== 'countTokens' ? { model: call.model, stream: call.stream } : undefined;
        },
        // The model is in the path, not the body: the body travels as sent; the key in the query stays here.
        passThrough: (text, _model, rawQuery) => ({ text, query: upstreamQuery(rawQuery) }),
        // Google's SDKs read SSE with /^\s*data: (.*)/ and stall on a `: ping` comment (Gemini CLI 0.61).
        streamHeartbeat: 'sse-blank',
        // Without ?alt=sse Google streams one JSON array (§3.4).
        streamFraming: (query) => (query.alt === 'sse' ? undefined : { ...sseToJsonArray(), contentType: 'application/json; charset=UTF-8' }),
      },
} satisfies Adapter;
