/**
 * Gemini generateContent (`/v1beta/models/{model}:generateContent`, and
 * `:streamGenerateContent?alt=sse` for streams). Gemini's OpenAI-compatible endpoint is the
 * Chat Completions adapter, not this one.
 */
import type { Adapter } from '../adapter.js';
import { decodeBody } from './body.js';
import { errorMessage } from './errors.js';
import { encodeRequest } from './request-out.js';
import { stopFromFinish } from './stop.js';
import { parser } from './stream-in.js';
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
  },
  client: { notYet: 'generateContent as a client protocol (an ingress endpoint) is issue 15' },
} satisfies Adapter;
