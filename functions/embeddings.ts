/** Lambda entry: POST /v1/embeddings (OpenAI shape; Gemini batchEmbedContents behind Gemini routes). */
// The environment, read once at init into the gateway's config (edge-config.ts).
import './shared/edge-config.js';
import { embeddingsHandler } from './shared/embeddings/handler.js';

export const handler = awslambda.streamifyResponse(embeddingsHandler());
