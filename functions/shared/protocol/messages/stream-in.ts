/**
 * A Messages stream's events are canonical already; `ping` is dropped, and so is a repeated
 * `message_start` (one message per stream: a second start would begin a second answer).
 */
import type { CanonicalEvent } from '../canonical.js';
import type { StreamEvent, StreamEventKind, UpstreamParser } from '../adapter.js';
import { learnTemplate, type DataTemplate } from '../data-template.js';
import type { J } from '../json.js';

interface Template {
  t: DataTemplate;
  index: unknown;
  kind: 'text_delta' | 'thinking_delta';
}

const only = (o: J, keys: readonly string[]): boolean => Object.keys(o).every((k) => keys.includes(k));

/**
 * A template for a text or thinking delta that holds nothing but `type`, `index` and a delta of
 * `type` and its string: the event a match stands for is then built from those values alone,
 * with the same properties a parse of it would have.
 */
function learn(data: string, d: J): Template | undefined {
  const delta = d.delta;
  if (!delta || typeof delta !== 'object' || Array.isArray(delta) || !only(d, ['type', 'index', 'delta'])) return undefined;
  const dj = delta as J;
  const kind = dj.type;
  const key = kind === 'text_delta' ? 'text' : kind === 'thinking_delta' ? 'thinking' : undefined;
  if (!key || typeof dj[key] !== 'string' || !only(dj, ['type', key]) || (d.index !== null && typeof d.index === 'object')) return undefined;
  const t = learnTemplate(data, key);
  return t && t.match(data) === dj[key] ? { t, index: d.index, kind: kind as Template['kind'] } : undefined;
}

export function parser(): UpstreamParser {
  let started = false;
  /** The open block's plain text or thinking delta, once one has been parsed: later ones need no JSON.parse. */
  let template: Template | undefined;
  return {
    push({ data, json: d }) {
      if (!d || d.type === 'ping' || typeof d.type !== 'string') return [];
      if (d.type === 'message_start') {
        if (started) return [];
        started = true;
      }
      if (d.type === 'content_block_delta') template = learn(data, d) ?? template;
      return [d as unknown as CanonicalEvent];
    },
    fromText(data) {
      const text = template?.t.match(data);
      if (text === undefined || !template) return undefined;
      const { index, kind } = template;
      const delta = kind === 'text_delta' ? { type: kind, text } : { type: kind, thinking: text };
      return [{ type: 'content_block_delta', index, delta } as CanonicalEvent];
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
