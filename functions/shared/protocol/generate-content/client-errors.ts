/**
 * Errors for a Gemini-native client, in Google's shape (docs/protocols.md §3.5):
 * `{"error": {"code": <http status>, "message": …, "status": <canonical gRPC name>}}`.
 * Google reports a bad API key as 400 INVALID_ARGUMENT; EzyBus answers its own authentication
 * failures with 401 UNAUTHENTICATED (the SDKs surface either as an error with that status) and
 * adds the API_KEY_INVALID reason Google-aware clients look for.
 */
import type { ErrorFacts, ErrorKind } from '../errors.js';

type J = Record<string, unknown>;

/** The HTTP status the gateway answers each kind with (gateway/errors.ts), as Google's `code`. */
const KIND_STATUS: Record<ErrorKind, number> = {
  invalid_request: 400,
  authentication: 401,
  permission: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_too_large: 413,
  rate_limit: 429,
  budget_exceeded: 402,
  upstream: 502,
  overloaded: 503,
  timeout: 504,
  internal: 500,
};

const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  402: 'RESOURCE_EXHAUSTED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'INVALID_ARGUMENT',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
  529: 'UNAVAILABLE',
};

export function googleStatus(code: number): string {
  return STATUS[code] ?? (code >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
}

/** Google clients know no 529: an overload is 503 UNAVAILABLE there. */
export function googleCode(status: number): number {
  return status === 529 ? 503 : status;
}

export function googleError(status: number, message: string, reason?: string): J {
  const code = googleCode(status);
  const error: J = { code, message, status: googleStatus(code) };
  if (reason) error.details = [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'ezybus' }];
  return { error };
}

export function statusErrorBody(status: number, message: string, reason?: string): string {
  return JSON.stringify(googleError(status, message, reason));
}

export function errorBody(e: ErrorFacts): string {
  return statusErrorBody(KIND_STATUS[e.kind], e.message, e.kind === 'authentication' ? 'API_KEY_INVALID' : undefined);
}

/** In a stream: one more event holding the error object (Gemini frames with CRLF). */
export const errorEvent = (body: string): string => `data: ${body}\r\n\r\n`;

/** An upstream's refusal (any protocol's status and message) in Google's shape. */
export function upstreamError(status: number, message: string): { status: number; body: string } {
  return { status: googleCode(status), body: statusErrorBody(status, message) };
}

/** A mid-stream error: one more chunk holding the error object (SSE event or array element). */
export function errorChunk(status: number, message: string): J {
  return googleError(status, message);
}
