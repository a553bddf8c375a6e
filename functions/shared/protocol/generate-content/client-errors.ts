/**
 * Errors for a Gemini-native client, in Google's shape (docs/protocols.md §3.5):
 * `{"error": {"code": <http status>, "message": …, "status": <canonical gRPC name>}}`.
 * Google reports a bad API key as 400 INVALID_ARGUMENT with reason API_KEY_INVALID; EzyBus
 * answers 401 UNAUTHENTICATED for its own keys (the SDKs surface both as an ApiError with the
 * status) — except that the reason detail is added so Google-aware clients recognise it.
 */
type J = Record<string, unknown>;

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

export function errorBody(status: number, message: string, reason?: string): string {
  return JSON.stringify(googleError(status, message, reason));
}

/** An upstream's refusal (any protocol's status and message) in Google's shape. */
export function upstreamError(status: number, message: string): { status: number; body: string } {
  return { status: googleCode(status), body: errorBody(status, message) };
}

/** A mid-stream error: one more chunk holding the error object (SSE event or array element). */
export function errorChunk(status: number, message: string): J {
  return googleError(status, message);
}
