/** Lambda entry: POST /v1/messages (the Messages protocol; any query string, e.g. ?beta=true). */
// The environment, read once at init into the gateway's config (edge-config.ts).
import './shared/edge-config.js';
import { endpoint } from './endpoints.js';
import { completionHandler } from './shared/gateway/completion.js';

export const handler = awslambda.streamifyResponse(completionHandler(endpoint('messages')));
