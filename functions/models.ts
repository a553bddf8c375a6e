/** Lambda entry: GET /v1/models (OpenAI list shape, or Anthropic's when anthropic-version is sent). */
// The environment, read once at init into the gateway's config (edge-config.ts).
import './shared/edge-config.js';
import { modelsHandler } from './shared/gateway/models.js';

export const handler = awslambda.streamifyResponse(modelsHandler());
