/**
 * Web Functions entry: one Node HTTP server for every endpoint (the compute mode a stage picks
 * with `compute: { mode: 'web' }`). The endpoint handlers are the same modules the Function URL
 * mode deploys one by one; the global they expect is installed first.
 */
import './shared/runtime/web-global.js';
import { handler as chatCompletions } from './chat-completions.js';
import { handler as countTokens } from './count-tokens.js';
import { handler as embeddings } from './embeddings.js';
import { handler as messages } from './messages.js';
import { handler as models } from './models.js';
import { runWebFunction } from './shared/runtime/web-main.js';

const web = await runWebFunction({
  '/v1/chat/completions': chatCompletions,
  '/v1/messages/count_tokens': countTokens,
  '/v1beta/models/*:countTokens': countTokens,
  '/v1/models/*:countTokens': countTokens,
  '/v1/messages': messages,
  '/v1/embeddings': embeddings,
  '/v1/models': models,
});
// A local parent (`ezybus serve --mode web`, the tests) learns the port it got from this line.
if (process.env.EZYBUS_REPORT_LISTEN === '1') process.stdout.write(`${JSON.stringify({ listening: web.url })}\n`);
