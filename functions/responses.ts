/** Lambda entry: POST /v1/responses and /v1/responses/compact (the OpenAI Responses API). */
// The environment, read once at init into the gateway's config (edge-config.ts).
import './shared/edge-config.js';
import { endpoint } from './endpoints.js';
import { completionHandler } from './shared/gateway/completion.js';

export const handler = awslambda.streamifyResponse(completionHandler(endpoint('responses')));
