/** An operation refused for a reason the caller can fix; `status` is the HTTP status it means. */
export class OpError extends Error {
  override name = 'OpError';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}
