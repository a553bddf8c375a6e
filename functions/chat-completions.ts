/** Lambda entry: POST /v1/chat/completions (the Chat Completions protocol). */
import { endpoint } from './endpoints.js';
import { completionHandler } from './shared/gateway/completion.js';

export const handler = awslambda.streamifyResponse(completionHandler(endpoint('chat-completions')));
