/**
 * Web Functions entry: one Node HTTP server for every endpoint (the compute mode a stage picks
 * with `compute: { mode: 'web-functions' }`). The endpoint handlers are the same modules the Function URL
 * mode deploys one by one; the global they expect is installed first.
 */
import './shared/runtime/web-global.js';
import { handler as chatCompletions } from './chat-completions.js';
import { handler as countTokens } from './count-tokens.js';
import { handler as embeddings } from './embeddings.js';
import { routeTable, type EndpointKey } from './endpoints.js';
import { handler as generateContent } from './generate-content.js';
import { handler as messages } from './messages.js';
import { handler as models } from './models.js';
import { handler as responses } from './responses.js';
import type { StreamingHandler } from './shared/runtime/awslambda.js';
import { runWebFunction } from './shared/runtime/web-main.js';

const HANDLERS: Record<EndpointKey, StreamingHandler> = { chat: chatCompletions, count: countTokens, messages, gemini: generateContent, embeddings, models, responses };
const web = await runWebFunction(routeTable((e) => HANDLERS[e.key as EndpointKey]));
// A local parent (`ezybus serve --mode web`, the tests) learns the port it got from this line.
if (process.env.EZYBUS_REPORT_LISTEN === '1') process.stdout.write(`${JSON.stringify({ listening: web.url })}\n`);
