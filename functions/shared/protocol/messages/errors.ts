/** Messages errors: `{type:"error",error:{type,message}}`; in a stream, `event: error`. */
import type { ErrorFacts, ErrorKind } from '../errors.js';
import { obj, str, type J } from '../json.js';

const TYPES: Record<ErrorKind, string> = {
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

export function errorBody(e: ErrorFacts, requestId?: string): string {
  const body: J = { type: 'error', error: { type: TYPES[e.kind], message: e.message } };
  if (requestId) body.request_id = requestId;
  return JSON.stringify(body);
}

export const errorEvent = (body: string): string => `event: error\ndata: ${body}\n\n`;

const BY_STATUS: Record<number, string> = { 400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error', 413: 'request_too_large', 429: 'rate_limit_error', 529: 'overloaded_error' };

export function upstreamError(status: number, message: string): { status: number; body: string } {
  return { status, body: JSON.stringify({ type: 'error', error: { type: BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message } }) };
}

export const errorMessage = (d: J): string | undefined => str(obj(d.error).message);
