/**
 * OpenAI Chat Completions (`POST /v1/chat/completions`), as OpenAI and every OpenAI-compatible
 * base URL serve it (OpenRouter, Gemini's OpenAI endpoint, vLLM …).
 */
import type { Adapter } from '../adapter.js';
import { TranslationError } from '../errors.js';
import { ensureIncludeUsage } from '../json-text.js';
import { obj } from '../json.js';
import { decodeBody, encodeBody } from './body.js';
import { errorBody, errorEvent, errorMessage, upstreamError } from './errors.js';
import { decodeRequest } from './request-in.js';
import { encodeRequest } from './request-out.js';
import { stopFromFinish } from './stop.js';
import { parser } from './stream-in.js';
import { encoder } from './stream-out.js';
import { chatCompletionsUsage } from './usage.js';

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
  },
  client: {
    validate(body) {
      const messages = body.messages;
      if (!Array.isArray(messages)) throw new TranslationError("'messages' is required and must be an array.", 'messages');
      if (messages.length === 0) throw new TranslationError("'messages' must contain at least one message.", 'messages');
    },
    decodeRequest,
    includeUsage: (body) => obj(body.stream_options).include_usage === true,
    encoder,
    encodeBody,
    errorBody,
    errorEvent,
    upstreamError,
  },
} satisfies Adapter;
