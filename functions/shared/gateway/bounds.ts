/**
 * Bounds on the client-controlled strings that reach a DynamoDB key or item, a Loki label or
 * structured-metadata value, or a log field. Each bound sits far above what real clients send
 * and far below what the store or log sink refuses, so a hostile value is refused (or cut) at
 * the edge instead of failing a ledger write or a Loki push later.
 *
 * - Model names: 256 bytes (UTF-8). The longest ids real providers hand out are well under it
 *   (OpenAI fine-tunes `ft:<base>:<org>:<suffix ≤ 64>:<id>`, Bedrock inference-profile ARNs
 *   ~110, Hugging Face `org/name` repos ≤ 96 + 96); DynamoDB refuses a sort key over 1,024 bytes
 *   and the per-day totals key embeds the model name. A longer name is a 400 in the client's
 *   protocol (param `model`) — no provider serves such a model, so nothing a provider accepts
 *   is refused. `ezybus routes set` refuses the same names, so every routable name fits.
 * - Notes (translation decisions recorded on the usage record): at most 32, each at most 300
 *   bytes; some quote a client-sent `type` value.
 */
import { badRequest } from './errors.js';

export const MAX_MODEL_NAME_BYTES = 256;
export const MAX_NOTES = 32;
export const MAX_NOTE_BYTES = 300;

const CUT = '…';

/** A string cut to at most `maxBytes` UTF-8 bytes (never splitting a character), marked when cut. */
export function cutBytes(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s) <= maxBytes) return s;
  const keep = Buffer.from(s).subarray(0, Math.max(0, maxBytes - Buffer.byteLength(CUT))).toString('utf8').replace(/\uFFFD+$/, '');
  return keep + CUT;
}

/** Throws the 400 for a model name no route can have. */
export function assertModelName(model: string): void {
  const bytes = Buffer.byteLength(model);
  if (bytes > MAX_MODEL_NAME_BYTES) {
    throw badRequest(`'model' is ${bytes} bytes long; model names are at most ${MAX_MODEL_NAME_BYTES} bytes.`, 'model');
  }
}

/** The same rule for an operator naming a route (a CLI error, not an HTTP one). */
export function modelNameProblem(model: string): string | undefined {
  const bytes = Buffer.byteLength(model);
  return bytes > MAX_MODEL_NAME_BYTES ? `model names are at most ${MAX_MODEL_NAME_BYTES} bytes (this one is ${bytes})` : undefined;
}

export function boundNotes(notes: readonly string[]): string[] {
  const out = notes.slice(0, MAX_NOTES).map((n) => cutBytes(n, MAX_NOTE_BYTES));
  if (notes.length > MAX_NOTES) out[MAX_NOTES - 1] = `${notes.length - MAX_NOTES + 1} more notes dropped`;
  return out;
}
