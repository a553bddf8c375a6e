/**
 * One error type for everything that ends a request early. It carries the facts the edge needs
 * (status, protocol-neutral kind, retry-after) and is rendered into the client's protocol only
 * at the edge (render.ts), never where it is thrown.
 */
import type { ErrorKind } from '../protocol/errors.js';

export type { ErrorKind };

export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly kind: ErrorKind,
    message: string,
    readonly extra: { code?: string; param?: string; retryAfterS?: number; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

export const badRequest = (message: string, param?: string): GatewayError =>
  new GatewayError(400, 'invalid_request', message, param === undefined ? {} : { param });
