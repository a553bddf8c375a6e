/** Lambda entry: POST /v1/embeddings (OpenAI shape; Gemini batchEmbedContents behind Gemini routes). */
import { embeddingsHandler } from './shared/embeddings/handler.js';

export const handler = awslambda.streamifyResponse(embeddingsHandler());
