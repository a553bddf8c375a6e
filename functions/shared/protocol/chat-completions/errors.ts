/** Chat Completions errors: `{error:{message,type,param,code}}`; in a stream, one `data:` event. */
import type { ErrorFacts, ErrorKind } from '../errors.js';
import { obj, str, type J } from '../json.js';

const TYPES: Record<ErrorKind, string> = {
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

const CODES: Partial<Record<ErrorKind, string>> = {
  authentication: 'invalid_api_key',
  permission: 'model_not_allowed',
  not_found: 'model_not_found',
  method_not_allowed: 'method_not_allowed',
  request_too_large: 'request_too_large',
  rate_limit: 'rate_limit_exceeded',
  budget_exceeded: 'insufficient_quota',
};

export function errorBody(e: ErrorFacts): string {
  return JSON.stringify({ error: { message: e.message, type: TYPES[e.kind], param: e.param ?? null, code: e.code ?? CODES[e.kind] ?? null } });
}

export const errorEvent = (body: string): string => `data: ${body}\n\n`;

/** Chat Completions clients know no 529; it is an overload, so 503 keeps the class and the meaning. */
export function upstreamError(status: number, message: string): { status: number; body: string } {
  const s = status === 529 ? 503 : status;
  const type = s === 429 ? 'requests' : s >= 500 ? 'server_error' : 'invalid_request_error';
  return { status: s, body: JSON.stringify({ error: { message, type, param: null, code: s === 429 ? 'rate_limit_exceeded' : null } }) };
}

export const errorMessage = (d: J): string | undefined => str(obj(d.error).message);
