/** Lambda entry: POST /v1/responses and /v1/responses/compact (the OpenAI Responses API). */
import { endpoint } from './endpoints.js';
import { completionHandler } from './shared/gateway/completion.js';

export const handler = awslambda.streamifyResponse(completionHandler(endpoint('responses')));
