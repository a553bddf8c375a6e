/**
 * Responses-shaped bodies that arrive at `/v1/chat/completions` (Cursor's agent mode sends
 * `input`, flat tools and `reasoning` there and reads a Chat Completions answer). Decision:
 * handled, not refused — such a body (it has `input` and no `messages`) is rewritten once into
 * the Chat Completions request it means, through the canonical model, and then served like any
 * other Chat Completions request (pass-through to a Chat upstream, translation elsewhere).
 * Fields of the original the rewrite does not carry are listed in `notes`.
 */
import type { CanonicalRequest } from '../canonical.js';
import type { J } from '../json.js';
import { fromResponses } from './request-in.js';

export const isResponsesShaped = (body: J): boolean => body.messages === undefined && (typeof body.input === 'string' || Array.isArray(body.input));

/**
 * `encodeChat` is the Chat Completions request encoder (canonical → body); the rewrite keeps the
 * client's `stream` and `stream_options` and lets the gateway ask for usage as it always does.
 */
export function chatBodyFromResponsesShape(body: J, encodeChat: (req: CanonicalRequest, o: { model: string; stream: boolean; maxTokensDefault: number }, notes: string[]) => J, notes: string[]): J {
  const { req } = fromResponses(body, notes);
  const stream = body.stream === true;
  const chat = encodeChat(req, { model: typeof body.model === 'string' ? body.model : '', stream, maxTokensDefault: 0 }, notes);
  delete chat.stream_options;
  if (body.stream_options !== undefined) chat.stream_options = body.stream_options;
  return chat;
}
