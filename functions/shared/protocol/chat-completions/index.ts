/**
 * OpenAI Chat Completions (`POST /v1/chat/completions`), as OpenAI and every OpenAI-compatible
 * base URL serve it (OpenRouter, Gemini's OpenAI endpoint, vLLM …).
 */
import { leftOut, type Adapter } from '../adapter.js';
import { ensureIncludeUsage } from '../json-text.js';
import { obj } from '../json.js';
import { decodeBody, encodeBody } from './body.js';
import { errorBody, errorEvent, errorMessage, upstreamError } from './errors.js';
import { decodeRequest } from './request-in.js';
import { encodeRequest } from './request-out.js';
import { stopFromFinish } from './stop.js';
import { parser, streamEventKind } from './stream-in.js';
import { encoder } from './stream-out.js';
import { chatCompletionsUsage } from './usage.js';
import { chatBodyFromResponsesShape, isResponsesShaped } from '../responses/chat-shape.js';

const FORWARDED = ['openai-beta', 'openai-organization', 'openai-project'] as const;

export const chatCompletions = {
  protocol: 'chat-completions',
  recordName: 'openai',
  usage: chatCompletionsUsage,
  upstream: {
    path: () => '/v1/chat/completions',
    authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
    forwardedHeaders(clientHeaders) {
      const out: Record<string, string> = {};
      for (const name of FORWARDED) {
        const v = clientHeaders[name];
        if (v !== undefined) out[name] = v;
      }
      return out;
    },
    translatedHeaders: () => ({}),
    preparePassThrough: (text, stream) => (stream ? ensureIncludeUsage(text) : { text, stripUsage: false }),
    encodeRequest,
    parser,
    decodeBody,
    stopReason: stopFromFinish,
    errorMessage,
    streamEventKind,
  },
  // Only in the bundles that serve this protocol's clients (adapter.ts `leftOut`).
  client: process.env.EZYBUS_OMIT_CLIENT_CHAT_COMPLETIONS
    ? leftOut('chat-completions')
    : {
        // Cursor's agent mode sends Responses-shaped bodies here (responses/chat-shape.ts).
        normalize: (body) => (isResponsesShaped(body) ? chatBodyFromResponsesShape(body, encodeRequest, []) : undefined),
        // Routing needs only model and stream; the upstream validates the rest of what it is sent
        // (OpenAI's own `empty_array` for `messages: []`), and decodeRequest checks what is translated.
        validate: () => undefined,
        decodeRequest,
        includeUsage: (body) => obj(body.stream_options).include_usage === true,
        encoder,
        encodeBody,
        errorBody,
        errorEvent,
        upstreamError,
      },
} satisfies Adapter;
