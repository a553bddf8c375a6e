/** A Messages stream's events are canonical already; `ping` is dropped. */
import type { CanonicalEvent } from '../canonical.js';
import type { UpstreamParser } from '../adapter.js';

export function parser(): UpstreamParser {
  return {
    push({ json: d }) {
      if (!d || d.type === 'ping' || typeof d.type !== 'string') return [];
      return [d as unknown as CanonicalEvent];
    },
    end: () => [],
  };
}
