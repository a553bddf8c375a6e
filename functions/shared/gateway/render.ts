/**
 * GatewayError → the client's own protocol (design invariant 5), through the protocol's adapter.
 * After the response is committed, the same facts become one SSE error event.
 */
import type { ClientSide } from '../protocol/adapter.js';
import type { GatewayError } from './errors.js';

/** `protocol`: a client side, or just its error renderer (the models function carries no adapter). */
export function errorBody(protocol: Pick<ClientSide, 'errorBody'>, err: GatewayError, requestId?: string): string {
  return protocol.errorBody({ kind: err.kind, message: err.message, param: err.extra.param, code: err.extra.code }, requestId);
}

/** The error as one SSE event, for a stream whose 200 head is already out. */
export function errorEvent(protocol: ClientSide, err: GatewayError, requestId?: string): string {
  return protocol.errorEvent(errorBody(protocol, err, requestId));
}

export function errorHeaders(err: GatewayError): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json', ...err.extra.headers };
  if (err.extra.retryAfterS !== undefined) h['retry-after'] = String(Math.max(1, Math.ceil(err.extra.retryAfterS)));
  if (err.status === 405) h.allow = h.allow ?? 'POST';
  return h;
}
