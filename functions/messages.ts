/** Lambda entry: POST /v1/messages (Anthropic Messages protocol; any query string, e.g. ?beta=true). */
import { completionHandler } from './shared/gateway/completion.js';

export const handler = awslambda.streamifyResponse(completionHandler('anthropic', 'messages', '/v1/messages'));
