/**
 * Lambda entry: token counting for every route — POST /v1/messages/count_tokens (Anthropic
 * shape) and POST /v1beta/models/{model}:countTokens (Gemini shape, also under /v1/). Its own
 * function, so the OpenAI tokenizer tables load only where counts are asked for.
 */
// The environment, read once at init into the gateway's config (edge-config.ts).
import './shared/edge-config.js';
import { countTokensHandler } from './shared/counting/handler.js';

export const handler = awslambda.streamifyResponse(countTokensHandler());
