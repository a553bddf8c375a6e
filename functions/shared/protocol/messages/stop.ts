/** Messages stop reasons are the canonical ones; an unknown one (a newer API) reads as end_turn. */
import type { StopReason } from '../canonical.js';

const KNOWN = new Set<string>(['end_turn', 'max_tokens', 'stop_sequence', 'tool_use', 'refusal', 'pause_turn']);
export const stopFromNative = (r: string): StopReason => (KNOWN.has(r) ? (r as StopReason) : 'end_turn');
