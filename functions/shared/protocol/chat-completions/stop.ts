/** Chat Completions finish_reason ↔ canonical stop reason (the one map, used by bodies and streams). */
import type { StopReason } from '../canonical.js';

const IN: Record<string, StopReason> = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use', function_call: 'tool_use', content_filter: 'refusal' };
const OUT: Record<StopReason, string> = { end_turn: 'stop', stop_sequence: 'stop', max_tokens: 'length', tool_use: 'tool_calls', refusal: 'content_filter', pause_turn: 'stop' };

export const stopFromFinish = (finish: string): StopReason => IN[finish] ?? 'end_turn';
/** `legacy`: the client used `functions`, so a call finishes as `function_call`. */
export const finishFromStop = (stop: StopReason | null, legacy = false): string => (stop === 'tool_use' && legacy ? 'function_call' : stop ? OUT[stop] : 'stop');
