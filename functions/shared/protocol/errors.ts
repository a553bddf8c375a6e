/** Client input that the target protocol cannot express: a 400 in the client's protocol. */
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
