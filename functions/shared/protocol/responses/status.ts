/**
 * Stop reasons ↔ Responses status (docs/protocols.md §5.4). The Responses API has no stop
 * reason: a finished answer is `completed` (a tool call is told apart by its output items), a
 * cut one is `incomplete` with the reason, a broken one `failed`.
 */
import type { StopReason } from '../canonical.js';
import type { J } from '../json.js';

export interface ResponsesStatus {
  status: 'completed' | 'incomplete';
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
}

export function statusOfStop(stop: StopReason | null): ResponsesStatus {
  if (stop === 'max_tokens') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (stop === 'refusal') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

/** A finished Responses answer → the canonical stop reason (null while it is not finished). */
export function stopOfResponse(status: unknown, incompleteDetails: unknown, output: J[]): StopReason | null {
  if (status === 'incomplete') {
    const reason = (incompleteDetails as { reason?: unknown } | null | undefined)?.reason;
    return reason === 'content_filter' ? 'refusal' : 'max_tokens';
  }
  if (status !== 'completed') return null;
  return output.some((i) => i.type === 'function_call' || i.type === 'custom_tool_call') ? 'tool_use' : 'end_turn';
}
