/**
 * Lambda entry: the admin API (`/admin/*`, functions/shared/admin/api.ts) and the operator's
 * console (`/console*`, static files bundled beside this handler). The only function that may
 * write gateway keys, upstreams, routes and prices (lib/admin-console.ts grants it; the gateway
 * functions' roles cannot).
 */
// The environment, read once at init into the gateway's config (edge-config.ts).
import './shared/edge-config.js';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { handleAdmin } from './shared/admin/api.js';
import { serveConsole } from './shared/admin/static.js';
import { checkOrigin } from './shared/gateway/auth.js';
import { log } from './shared/logging/log.js';
import type { FunctionUrlEvent, LambdaContext, LambdaResponseStream } from './shared/runtime/awslambda.js';
import { ResponseWriter } from './shared/runtime/response.js';

async function handle(consoleDir: string, event: FunctionUrlEvent, stream: LambdaResponseStream, context: LambdaContext): Promise<void> {
  const out = new ResponseWriter(stream);
  const started = performance.now();
  const method = event.requestContext.http.method;
  const path = event.rawPath;
  let status = 500;
  try {
    try {
      checkOrigin(event.headers);
    } catch {
      status = 403;
      await out.send(403, { 'content-type': 'application/json' }, JSON.stringify({ error: { type: 'permission', message: 'Requests must come through the EzyBus distribution.' } }));
      return;
    }
    if (path === '/console' || path.startsWith('/console/')) {
      const r = method === 'GET' || method === 'HEAD' ? serveConsole(path, consoleDir, event.headers['accept-encoding']) : { status: 405, headers: { allow: 'GET, HEAD' }, body: '' };
      status = r.status;
      await out.send(r.status, r.headers, method === 'HEAD' ? '' : r.body);
      return;
    }
    const body = event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    const r = await handleAdmin({ method, path: path.replace(/^\/admin/, '') || '/', query: event.queryStringParameters ?? {}, headers: event.headers, body });
    status = r.status;
    await out.send(r.status, { ...r.headers, 'x-request-id': context.awsRequestId }, r.body);
  } catch (err) {
    status = 500;
    log('error', 'admin request failed', { path, error: err instanceof Error ? err.message : String(err) });
    if (!out.isCommitted) await out.send(500, { 'content-type': 'application/json' }, JSON.stringify({ error: { type: 'internal', message: `Internal error (request ${context.awsRequestId}).` } }));
    else await out.end();
  } finally {
    log('info', 'admin', { method, path, status, ms: Math.round(performance.now() - started), requestId: context.awsRequestId });
  }
}

/**
 * The admin function serving the console's files from `consoleDir`: in Lambda the folder beside
 * the bundle; locally the one the local gateway builds the console into (local/gateway.ts).
 */
export function adminHandler(consoleDir: string): (event: FunctionUrlEvent, stream: LambdaResponseStream, context: LambdaContext) => Promise<void> {
  return (event, stream, context) => handle(consoleDir, event, stream, context);
}

export const handler = awslambda.streamifyResponse(adminHandler(join(fileURLToPath(new URL('.', import.meta.url)), 'console')));
