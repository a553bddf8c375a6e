/**
 * `include` (docs/protocols.md §5.2) on a translated upstream: what each value asks for, and
 * what EzyBus does with it when the model is served by another provider. To an OpenAI Responses
 * upstream `include` passes through untouched, unknown values too: OpenAI judges them.
 *
 * - `reasoning.encrypted_content` is always honoured: every reasoning item that carries the
 *   upstream's signed thinking has it in `encrypted_content` (reasoning.ts), asked for or not,
 *   because EzyBus stores nothing and the next turn can only give the upstream its signature back
 *   from that item (LangChain sends the items back without ever asking for it).
 * - `message.output_text.logprobs` cannot be given: Anthropic has no log probabilities, and the
 *   translation through the canonical model does not carry Chat Completions' or Gemini's. Ignored
 *   with a note (the answer's `logprobs` stay `[]`), as is every other value: hosted tools' outputs
 *   (those tools run only at OpenAI), stored input items, and values EzyBus does not know.
 *
 * A malformed `include` (not an array of strings) is a 400, as OpenAI answers it.
 */
import { TranslationError } from '../errors.js';

/** The notes for a translated request's `include`, or a TranslationError for a malformed one. */
export function includeNotes(include: unknown): string[] {
  if (include === undefined || include === null) return [];
  if (!Array.isArray(include) || include.some((v) => typeof v !== 'string')) throw new TranslationError("'include' must be an array of strings.", 'include');
  return [...new Set(include as string[])]
    .filter((v) => v !== 'reasoning.encrypted_content')
    .map((v) => `include '${v}' ignored: ${v === 'message.output_text.logprobs' ? 'not available through translation' : 'only OpenAI can give it'}`);
}
