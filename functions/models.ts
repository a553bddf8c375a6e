/** Lambda entry: GET /v1/models (OpenAI list shape, or Anthropic's when anthropic-version is sent). */
import { modelsHandler } from './shared/gateway/models.js';

export const handler = awslambda.streamifyResponse(modelsHandler());
