/**
 * GET /v1/models: the public models of active routes. OpenAI list shape by default; Anthropic
 * list shape when the request carries `anthropic-version` (as the Anthropic SDKs always do);
 * Gemini's shape on /v1beta/models, or when a Gemini-native client (x-goog-api-key) asks.
 */
import type { FunctionUrlEvent, LambdaContext, LambdaResponseStream, StreamingHandler } from '../runtime/awslambda.js';
import { ResponseWriter } from '../runtime/response.js';
import type { Route } from '../store/records.js';
import { authenticate, checkOrigin, extractKey } from './auth.js';
import { assertModelName, cutBytes } from './bounds.js';
import { GatewayError, badRequest } from './errors.js';
import { log } from '../logging/log.js';
import { asGatewayError } from './finish.js';
import { errorBody, errorHeaders } from './render.js';
import { activeRoutes, modelAllowed } from './routes.js';
import { codexModelList, isCodexModelsRequest } from './codex-models.js';
import type { ClientSide } from '../protocol/adapter.js';
import { errorBody as openaiErrorBody } from '../protocol/chat-completions/errors.js';
import { errorBody as geminiErrorBody } from '../protocol/generate-content/client-errors.js';
import { errorBody as anthropicErrorBody } from '../protocol/messages/errors.js';
import { geminiModel, geminiModelList } from '../protocol/generate-content/models.js';

export function modelsHandler(): StreamingHandler {
  return (event, stream, context) => handleModels(event, stream, context);
}

async function handleModels(event: FunctionUrlEvent, stream: LambdaResponseStream, context: LambdaContext): Promise<void> {
  const out = new ResponseWriter(stream);
  const anthropic = event.headers['anthropic-version'] !== undefined;
  const gemini = event.rawPath.startsWith('/v1beta/') || (!anthropic && event.headers['x-goog-api-key'] !== undefined);
  // Errors in the protocol of the SDK asking: Anthropic's SDKs always send anthropic-version.
  // Only the three error renderers, not the protocol registry: this function translates nothing,
  // so its bundle carries no adapter (a smaller bundle, a shorter init).
  const renderer: Pick<ClientSide, 'errorBody'> = { errorBody: gemini ? geminiErrorBody : anthropic ? anthropicErrorBody : openaiErrorBody };
  const requestId = context.awsRequestId;
  const startedAt = performance.now();
  let status = 200;
  let keyId: string | null = null;
  let errorType: string | null = null;
  try {
    const wanted = modelIdFromPath(event.rawPath);
    if (event.requestContext.http.method !== 'GET') {
      throw new GatewayError(405, 'method_not_allowed', `Method ${event.requestContext.http.method} is not allowed on ${event.rawPath}; use GET.`, {
        headers: { allow: 'GET' },
      });
    }
    checkOrigin(event.headers);
    const apiKey = extractKey(event.headers, event.queryStringParameters);
    if (!apiKey) throw new GatewayError(401, 'authentication', 'Missing API key. Send "Authorization: Bearer <key>", "x-api-key: <key>" or "x-goog-api-key: <key>".');
    const key = await authenticate(apiKey);
    keyId = key.id;
    const routes = (await activeRoutes()).filter((r) => modelAllowed(key, r.model)).sort((a, b) => a.model.localeCompare(b.model));
    const headers = { 'content-type': 'application/json', 'x-request-id': requestId, 'request-id': requestId };
    if (wanted !== undefined) {
      const route = routes.find((r) => r.model === wanted);
      if (!route) throw new GatewayError(404, 'not_found', `The model '${wanted}' does not exist or is not routed by this gateway.`);
      await out.send(200, headers, JSON.stringify(gemini ? geminiModel(route.model) : anthropic ? anthropicModel(route) : openaiModel(route)));
      return;
    }
    const q = event.queryStringParameters ?? {};
    const body = isCodexModelsRequest(event.queryStringParameters)
      ? codexModelList(routes)
      : gemini
        ? geminiModelList(routes.map((r) => r.model), q)
        : anthropic
          ? anthropicList(routes, q)
          : { object: 'list', data: routes.map(openaiModel) };
    await out.send(200, headers, JSON.stringify(body));
  } catch (err) {
    const ge = asGatewayError(err, requestId);
    status = ge.status;
    errorType = ge.kind;
    await out.send(ge.status, { ...errorHeaders(ge), 'x-request-id': requestId }, errorBody(renderer, ge, requestId));
  } finally {
    // One line per request, like the completion endpoints (no usage record: nothing is billed).
    log(status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info', 'request', {
      requestId,
      fn: 'models',
      status,
      keyId,
      errorType,
      durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
    });
  }
}

/**
 * `/v1/models/{id}` → id (ids may contain slashes, e.g. `openrouter/auto`). CloudFront sends
 * every path no other behaviour claims here, so anything outside /v1/models is a 404.
 */
function modelIdFromPath(path: string): string | undefined {
  const prefix = path.startsWith('/v1beta/') ? '/v1beta/models/' : '/v1/models/';
  if (path === prefix.slice(0, -1) || path === prefix) return undefined;
  if (!path.startsWith(prefix)) throw new GatewayError(404, 'not_found', `No endpoint ${cutBytes(path, 200)} here.`);
  let id: string;
  try {
    // Gemini names models as resources (`models/<id>`); clients pass either form.
    id = decodeURIComponent(path.slice(prefix.length)).replace(/^models\//, '');
  } catch {
    throw badRequest('The model id in the path has malformed percent-encoding.', 'model');
  }
  assertModelName(id);
  return id;
}

function openaiModel(r: Route): Record<string, unknown> {
  return { id: r.model, object: 'model', created: Math.floor(r.createdAt / 1000), owned_by: r.ownedBy ?? 'ezybus' };
}

function anthropicModel(r: Route): Record<string, unknown> {
  return { type: 'model', id: r.model, display_name: r.model, created_at: new Date(r.createdAt).toISOString() };
}

/** Anthropic's cursor pagination: limit (1–1000, default 20), after_id, before_id. */
function anthropicList(routes: Route[], q: Record<string, string>): Record<string, unknown> {
  const limit = Math.min(1000, Math.max(1, Number(q.limit ?? 20) || 20));
  let list = routes;
  if (q.after_id) {
    const i = list.findIndex((r) => r.model === q.after_id);
    list = i === -1 ? [] : list.slice(i + 1);
  } else if (q.before_id) {
    const i = list.findIndex((r) => r.model === q.before_id);
    list = i === -1 ? [] : list.slice(Math.max(0, i - limit), i);
  }
  const page = list.slice(0, limit);
  return {
    data: page.map(anthropicModel),
    has_more: list.length > page.length,
    first_id: page[0]?.model ?? null,
    last_id: page[page.length - 1]?.model ?? null,
  };
}
