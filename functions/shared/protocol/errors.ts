/**
 * Protocol-neutral error facts and the 400 for client input. Each adapter's client side renders
 * them in its own protocol (design invariant 5).
 */
export type ErrorKind =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'method_not_allowed'
  | 'request_too_large'
  | 'rate_limit'
  | 'budget_exceeded'
  | 'upstream'
  | 'overloaded'
  | 'timeout'
  | 'internal';

export interface ErrorFacts {
  kind: ErrorKind;
  message: string;
  param?: string | undefined;
  code?: string | undefined;
}

/** Client input that is wrong, or that the target protocol cannot express: a 400 in the client's protocol. */
export class TranslationError extends Error {
  override name = 'TranslationError';
  readonly status = 400;
  constructor(
    message: string,
    readonly param?: string,
  ) {
    super(message);
  }
}
