/**
 * A Messages stream's events are canonical already; `ping` is dropped, and so is a repeated
 * `message_start` (one message per stream: a second start would begin a second answer).
 */
import type { CanonicalEvent } from '../canonical.js';
import type { UpstreamParser } from '../adapter.js';

export function parser(): UpstreamParser {
  let started = false;
  return {
    push({ json: d }) {
      if (!d || d.type === 'ping' || typeof d.type !== 'string') return [];
      if (d.type === 'message_start') {
        if (started) return [];
        started = true;
      }
      return [d as unknown as CanonicalEvent];
    },
    end: () => [],
  };
}
