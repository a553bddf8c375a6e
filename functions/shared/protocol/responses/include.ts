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
 *   with a note (the answer's `logprobs` stay `[]`), as is every value about a hosted tool's output
 *   (those tools run only at OpenAI) and any value EzyBus does not know.
 *
 * A malformed `include` (not an array of strings) is a 400, as OpenAI answers it.
 */
import { TranslationError } from '../errors.js';

const HOSTED = new Set([
  'web_search_call.action.sources',
  'web_search_call.results',
  'file_search_call.results',
  'code_interpreter_call.outputs',
  'computer_call_output.output.image_url',
]);

/** The notes for a translated request's `include`, or a TranslationError for a malformed one. */
export function includeNotes(include: unknown): string[] {
  if (include === undefined || include === null) return [];
  if (!Array.isArray(include) || include.some((v) => typeof v !== 'string')) throw new TranslationError("'include' must be an array of strings.", 'include');
  const notes: string[] = [];
  for (const v of new Set(include as string[])) {
    if (v === 'reasoning.encrypted_content') continue;
    if (v === 'message.output_text.logprobs') notes.push("include 'message.output_text.logprobs' ignored: log probabilities are not available through translation to this model's provider");
    else if (v === 'message.input_image.image_url') notes.push("include 'message.input_image.image_url' ignored: EzyBus stores no input items to list");
    else if (HOSTED.has(v)) notes.push(`include '${v}' ignored: hosted tools run only at OpenAI`);
    else notes.push(`include '${v}' ignored: unknown to EzyBus, and only OpenAI's Responses API could honour it`);
  }
  return notes;
}
