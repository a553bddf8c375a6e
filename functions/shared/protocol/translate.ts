/**
 * PLACEHOLDER until the translation modules land (issue #4): every cross-protocol pairing is
 * refused with a clear error; same-protocol pass-through never calls this module.
 */
import type { ClientProtocol, Protocol, TokenUsage } from '../usage/types.js';

export interface TranslateOptions {
  upstreamModel: string;
  publicModel: string;
  stream: boolean;
  maxTokensDefault: number;
}
export interface UpstreamRequestPlan {
  path: string;
  body: string;
  headers: Record<string, string>;
  notes: string[];
}
export class TranslationError extends Error {
  override name = 'TranslationError';
  constructor(
    message: string,
    readonly status = 400,
    readonly param?: string,
  ) {
    super(message);
  }
}
const refuse = (client: ClientProtocol, upstream: Protocol): never => {
  throw new TranslationError(`This gateway build cannot translate ${client} requests for a ${upstream} upstream yet.`);
};
export function planUpstreamRequest(client: ClientProtocol, upstream: Protocol, _body: Record<string, unknown>, _opts: TranslateOptions): UpstreamRequestPlan {
  return refuse(client, upstream);
}
export function createStreamTranslator(
  client: ClientProtocol,
  upstream: Protocol,
  _opts: TranslateOptions & { includeUsage: boolean; onUsage(u: TokenUsage, stopReason: string | null): void },
): TransformStream<Uint8Array, Uint8Array> {
  return refuse(client, upstream);
}
export function translateResponseBody(client: ClientProtocol, upstream: Protocol, _body: string, _opts: TranslateOptions): { body: string; usage: TokenUsage | null } {
  return refuse(client, upstream);
}
export function translateErrorBody(_client: ClientProtocol, _upstream: Protocol, status: number, body: string): { status: number; body: string } {
  return { status, body };
}
