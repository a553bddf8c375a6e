/** Lambda entry: POST /v1/chat/completions (OpenAI Chat Completions protocol). */
import { completionHandler } from './shared/gateway/completion.js';

export const handler = awslambda.streamifyResponse(completionHandler('openai', 'chat-completions', '/v1/chat/completions'));
