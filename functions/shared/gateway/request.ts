/**
 * Reading a client request: body decoding and size limit, and lenient validation that peeks only
 * at what routing needs (model, stream) plus what the client's protocol adapter requires.
 * The text edits pass-through makes live in ../protocol/json-text.ts.
 */
import type { FunctionUrlEvent } from '../runtime/awslambda.js';
import type { ClientSide } from '../protocol/adapter.js';
import type { UpstreamRequestPlan } from '../protocol/translate.js';
import { TranslationError } from '../protocol/errors.js';
import { assertModelName } from './bounds.js';
import { GatewayError, badRequest } from './errors.js';

export interface ClientRequest {
  text: string;
  json: Record<string, unknown>;
  model: string;
  stream: boolean;
  /** Translated legs planned before commit (legs.ts planTranslations), by upstream protocol and model. */
  plans?: Map<string, UpstreamRequestPlan>;
  /** The path below the endpoint's own (`/compact`), or ''. Such operations answer JSON only. */
  subpath: string;
}

export function decodeBody(event: FunctionUrlEvent, maxBytes: number): string {
  const raw = event.body ?? '';
  const buf = event.isBase64Encoded ? Buffer.from(raw, 'base64') : undefined;
  const size = buf ? buf.length : Buffer.byteLength(raw);
  if (size > maxBytes) {
    throw new GatewayError(413, 'request_too_large', `Request body is ${size} bytes; the limit is ${maxBytes} bytes.`);
  }
  return buf ? buf.toString('utf8') : raw;
}

/**
 * `where`: the request's path and query, for a protocol that names model and stream there
 * (ClientSide.routing); the body's `model` and `stream` otherwise. `subpath`: an operation below
 * the endpoint's path (`/compact`), which answers JSON only.
 */
export function parseClientRequest(protocol: ClientSide, text: string, where?: { path: string; query: Record<string, string | undefined> }, subpath = ''): ClientRequest {
  if (text.trim() === '') throw badRequest('Request body is empty; expected a JSON object.');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw badRequest(`Request body is not valid JSON: ${err instanceof Error ? err.message : 'parse error'}`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw badRequest('Request body must be a JSON object.');
  let body = json as Record<string, unknown>;
  try {
    // A body in another protocol's shape that this endpoint understands, rewritten once.
    const normalized = protocol.normalize?.(body);
    if (normalized) {
      body = normalized;
      text = JSON.stringify(normalized);
    }
  } catch (err) {
    if (err instanceof TranslationError) throw badRequest(err.message, err.param);
    throw err;
  }
  const routed = protocol.routing && where ? protocol.routing(where.path, where.query) : undefined;
  const model = routed ? routed.model : body.model;
  if (typeof model !== 'string' || model === '') throw badRequest("'model' is required and must be a non-empty string.", 'model');
  assertModelName(model);
  try {
    protocol.validate(body);
  } catch (err) {
    if (err instanceof TranslationError) throw badRequest(err.message, err.param);
    throw err;
  }
  if (routed) return { text, json: body, model, stream: routed.stream, subpath: '' };
  const stream = body.stream;
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') throw badRequest("'stream' must be a boolean.", 'stream');
  return { text, json: body, model, stream: stream === true && subpath === '', subpath };
}

export { ensureIncludeUsage, rewriteModel, topLevelStringValue, topLevelValue } from '../protocol/json-text.js';
