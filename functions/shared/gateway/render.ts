/**
 * GatewayError → the client's own protocol (design invariant 5).
 * OpenAI: `{error:{message,type,param,code}}`; Anthropic: `{type:"error",error:{type,message}}`.
 * After the response is committed, the same facts become one SSE error event.
 */
import type { ClientProtocol } from '../usage/types.js';
import type { ErrorKind, GatewayError } from './errors.js';

const ANTHROPIC_TYPES: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  method_not_allowed: 'invalid_request_error',
  request_too_large: 'request_too_large',
  rate_limit: 'rate_limit_error',
  budget_exceeded: 'billing_error',
  upstream: 'api_error',
  overloaded: 'overloaded_error',
  timeout: 'timeout_error',
  internal: 'api_error',
};

const OPENAI_TYPES: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'invalid_request_error',
  permission: 'invalid_request_error',
  not_found: 'invalid_request_error',
  method_not_allowed: 'invalid_request_error',
  request_too_large: 'invalid_request_error',
  rate_limit: 'requests',
  budget_exceeded: 'insufficient_quota',
  upstream: 'server_error',
  overloaded: 'server_error',
  timeout: 'server_error',
  internal: 'server_error',
};

const OPENAI_CODES: Partial<Record<ErrorKind, string>> = {
  authentication: 'invalid_api_key',
  permission: 'model_not_allowed',
  not_found: 'model_not_found',
  method_not_allowed: 'method_not_allowed',
  request_too_large: 'request_too_large',
  rate_limit: 'rate_limit_exceeded',
  budget_exceeded: 'insufficient_quota',
};

export function errorBody(protocol: ClientProtocol, err: GatewayError, requestId?: string): string {
  if (protocol === 'anthropic') {
    const body: Record<string, unknown> = {
      type: 'error',
      error: { type: ANTHROPIC_TYPES[err.kind], message: err.message },
    };
    if (requestId) body.request_id = requestId;
    return JSON.stringify(body);
  }
  return JSON.stringify({
    error: {
      message: err.message,
      type: OPENAI_TYPES[err.kind],
      param: err.extra.param ?? null,
      code: err.extra.code ?? OPENAI_CODES[err.kind] ?? null,
    },
  });
}

/** The error as one SSE event, for a stream whose 200 head is already out. */
export function errorEvent(protocol: ClientProtocol, err: GatewayError, requestId?: string): string {
  const body = errorBody(protocol, err, requestId);
  return protocol === 'anthropic' ? `event: error\ndata: ${body}\n\n` : `data: ${body}\n\n`;
}

export function errorHeaders(err: GatewayError): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json', ...err.extra.headers };
  if (err.extra.retryAfterS !== undefined) h['retry-after'] = String(Math.max(1, Math.ceil(err.extra.retryAfterS)));
  if (err.status === 405) h.allow = h.allow ?? 'POST';
  return h;
}
