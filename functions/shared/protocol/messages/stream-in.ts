/**
 * A Messages stream's events are canonical already; `ping` is dropped, and so is a repeated
 * `message_start` (one message per stream: a second start would begin a second answer).
 */
import type { CanonicalEvent } from '../canonical.js';
import type { StreamEvent, StreamEventKind, UpstreamParser } from '../adapter.js';

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

/**
 * message_start, ping and the start of an empty text or thinking block are preamble; `error`
 * is an error; a delta, a tool_use or redacted block, message_delta and message_stop are content.
 */
export function streamEventKind(e: StreamEvent): StreamEventKind {
  const d = e.json;
  const type = d?.type ?? e.event;
  if (type === 'error') return 'error';
  if (!d || type === 'message_start' || type === 'ping') return 'preamble';
  if (type === 'content_block_start') {
    const b = d.content_block && typeof d.content_block === 'object' ? (d.content_block as Record<string, unknown>) : {};
    if ((b.type === 'text' && !b.text) || (b.type === 'thinking' && !b.thinking)) return 'preamble';
  }
  return 'content';
}
