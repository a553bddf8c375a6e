/**
 * The OpenAI Responses API (`POST /v1/responses`, and `/v1/responses/compact`), as a client
 * protocol (Codex CLI, the AI SDK's `openai(...)`, `openai.responses.create`) and as an upstream
 * protocol (OpenAI's `/v1/responses`). Its error object is Chat Completions' (`{error: {message,
 * type, param, code}}`), so those pieces are shared; its stream ends in `error` +
 * `response.failed`.
 */
import { leftOut, type Adapter } from '../adapter.js';
import { chatCompletions } from '../chat-completions/index.js';
import { errorBody, errorMessage, upstreamError } from '../chat-completions/errors.js';
import { TranslationError } from '../errors.js';
import { messageFromResponses, messageToResponses } from './body.js';
import { responsesErrorEvents } from './errors.js';
import { obj, str } from '../json.js';
import { responseEcho } from './output.js';
import { fromResponses } from './request-in.js';
import { toResponses } from './request-out.js';
import { responsesParser, streamEventKind } from './stream-in.js';
import { responsesEncoder } from './stream-out.js';
import { toolKindsOf } from './tools.js';
import { responsesUsageModel } from './usage.js';

export const responses = {
  protocol: 'responses',
  // Vendor name in usage records, log lines and the price catalog: OpenAI bills both of its
  // protocols alike. The record's `fn` (responses) tells the protocol apart.
  recordName: 'openai',
  usage: responsesUsageModel,
  upstream: {
    path: () => '/v1/responses',
    authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
    forwardedHeaders: chatCompletions.upstream.forwardedHeaders,
    translatedHeaders: () => ({}),
    // Responses streams always carry usage in their terminal event: nothing to ask for.
    preparePassThrough: (text) => ({ text, stripUsage: false }),
    encodeRequest: toResponses,
    parser: responsesParser,
    decodeBody: messageFromResponses,
    stopReason: (native) => (native === 'incomplete' ? 'max_tokens' : 'end_turn'),
    errorMessage,
    streamEventKind,
  },
  // Only in the bundles that serve this protocol's clients (adapter.ts `leftOut`).
  client: process.env.EZYBUS_OMIT_CLIENT_RESPONSES
    ? leftOut('responses')
    : {
        validate(body) {
          if (typeof body.input !== 'string' && !Array.isArray(body.input)) throw new TranslationError("'input' is required and must be a string or an array of input items.", 'input');
        },
        decodeRequest: (body, notes) => fromResponses(body, notes).req,
        // Every Responses stream ends with its usage.
        includeUsage: () => true,
        encoder: (o) => responsesEncoder({ publicModel: o.publicModel, echo: responseEcho(o.request), kinds: toolKindsOf(o.request) }),
        encodeBody: (m, o) => messageToResponses(m, { publicModel: o.publicModel, echo: responseEcho(o.request), kinds: toolKindsOf(o.request) }),
        errorBody,
        errorEvent(body) {
          const e = obj(obj(JSON.parse(body) as unknown).error);
          return responsesErrorEvents({ message: str(e.message) ?? 'error', type: str(e.type) ?? 'server_error', code: str(e.code) ?? null, param: str(e.param) ?? null });
        },
        upstreamError,
      },
} satisfies Adapter;
