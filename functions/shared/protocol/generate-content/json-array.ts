/**
 * Reads Google's default (non-SSE) stream framing — one JSON array written element by element,
 * `[{…}\n,\r\n{…}\n]` (docs/protocols.md §3.4) — incrementally: bytes in, each complete
 * top-level element's text out as soon as its closing brace arrives. Used beside a pass-through
 * stream to read usage without holding back any byte. Never throws; whitespace, commas and
 * brackets between elements are skipped, whatever the chunking (strings with braces, escapes
 * and UTF-8 sequences split across reads included).
 */
export interface JsonArrayReader {
  push(chunk: Uint8Array | string): void;
  end(): void;
}

export function createJsonArrayReader(onElement: (text: string) => void): JsonArrayReader {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let depth = 0;
  let inString = false;
  let escaped = false;
  let element = '';
  const feed = (text: string): void => {
    let start = depth >= 2 ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 92 /* \ */) escaped = true;
        else if (c === 34 /* " */) inString = false;
        continue;
      }
      if (c === 34) inString = depth >= 2;
      else if (c === 123 /* { */ || c === 91 /* [ */) {
        depth++;
        if (depth === 2) start = i;
      } else if (c === 125 /* } */ || c === 93 /* ] */) {
        depth = Math.max(0, depth - 1);
        if (depth === 1 && start !== -1) {
          onElement(element + text.slice(start, i + 1));
          element = '';
          start = -1;
        }
      }
    }
    if (start !== -1) element += text.slice(start);
  };
  return {
    push(chunk) {
      feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    },
    end() {
      const rest = decoder.decode();
      if (rest) feed(rest);
      element = '';
    },
  };
}
