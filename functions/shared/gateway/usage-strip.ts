import { stringDecoder } from '../runtime/builtins.js';

const { StringDecoder } = stringDecoder;

const LF = 10;
const USAGE = Buffer.from('"usage"');
const isSpace = (c: number | undefined): boolean => c === 32 || c === 9 || c === 10 || c === 13;

/**
 * Whether a chunk may hold a usage object: some `"usage"` not followed by `: null`. With
 * include_usage every other chunk carries `"usage": null` (docs/protocols.md §1.9, usage-chunk
 * nuance), so "has the key" alone would send every chunk down the slow path. A key cut off by
 * the end of the chunk counts as a maybe; an unescaped `"usage"` cannot sit inside a JSON string.
 */
function mayHoldUsage(chunk: Buffer): boolean {
  for (let i = chunk.indexOf(USAGE); i !== -1; i = chunk.indexOf(USAGE, i + USAGE.length)) {
    let j = i + USAGE.length;
    while (isSpace(chunk[j])) j++;
    if (chunk[j] !== 58 /* : */) return true;
    j++;
    while (isSpace(chunk[j])) j++;
    if (chunk[j] !== 110 || chunk[j + 1] !== 117 || chunk[j + 2] !== 108 || chunk[j + 3] !== 108) return true; // null
  }
  return false;
}

/**
 * Keeps the usage chunk that EzyBus asked for on a client's behalf out of that client's
 * OpenAI stream. Bytes pass through as they arrive except that an event is held until its
 * blank line arrives (events are single JSON lines and almost always arrive whole in one read,
 * so this holds nothing back in practice), and the one event with `"choices":[]` and a usage
 * object is dropped. Only used when the client did not ask for usage itself.
 */
export function createUsageStripper(): { push(chunk: Buffer): Buffer | null; end(): Buffer | null } {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const isUsageEvent = (event: string): boolean => {
    if (!event.includes('"usage"') || !event.includes('"choices"')) return false;
    const data = event.split(/\r?\n/).find((l) => l.startsWith('data:'));
    if (!data) return false;
    try {
      const obj = JSON.parse(data.slice(5)) as { choices?: unknown; usage?: unknown };
      return Array.isArray(obj.choices) && obj.choices.length === 0 && !!obj.usage;
    } catch {
      return false;
    }
  };
  // Nothing held (no text, no partial UTF-8 sequence): the last chunk ended at an event's blank line.
  let clean = true;
  return {
    push(chunk) {
      // The usual chunk — whole events, no usage object — goes out as the same bytes, with no
      // decode and re-encode.
      const n = chunk.length;
      if (clean && n >= 2 && chunk[n - 1] === LF && chunk[n - 2] === LF && !mayHoldUsage(chunk)) return chunk;
      pending += decoder.write(chunk);
      let out = '';
      for (;;) {
        const m = /\r?\n\r?\n/.exec(pending);
        if (!m) break;
        const end = m.index + m[0].length;
        const event = pending.slice(0, end);
        pending = pending.slice(end);
        if (!isUsageEvent(event)) out += event;
      }
      clean = pending === '' && chunk[n - 1] === LF;
      return out ? Buffer.from(out, 'utf8') : null;
    },
    end() {
      const rest = pending + decoder.end();
      pending = '';
      clean = true;
      return rest ? Buffer.from(rest, 'utf8') : null;
    },
  };
}
