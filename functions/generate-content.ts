/**
 * Lambda entry: the Gemini native API for Gemini-native clients (Gemini CLI, the google-genai
 * SDKs) — POST /v1beta/models/{model}:generateContent and :streamGenerateContent (also under
 * /v1/). Model and stream are in the path; `?alt=sse` streams SSE, without it Google's JSON array.
 */
// The environment, read once at init into the gateway's config (edge-config.ts).
import './shared/edge-config.js';
import { endpoint } from './endpoints.js';
import { completionHandler } from './shared/gateway/completion.js';

export const handler = awslambda.streamifyResponse(completionHandler(endpoint('generate-content')));
