/**
 * Server-sent events codec (WHATWG "event stream" rules, docs/protocols.md §6).
 *
 * The parser is incremental and never throws: bytes may be split anywhere (inside a UTF-8
 * sequence, between CR and LF), lines may end in CRLF, LF or a lone CR, and a partial event at
 * end of stream is discarded. It is used both to translate upstream streams and, beside a
 * pass-through stream, to read usage without delaying the bytes.
 */

export interface SseEvent {
  /** The `event:` field, or undefined when absent (the spec's default type "message"). */
  event: string | undefined;
  data: string;
}

export interface SseParser {
  push(chunk: Uint8Array | string): void;
  /** End of stream: an unterminated event is discarded, as the spec requires. */
  end(): void;
}

const LF = 10;
const CR = 13;

export function createSseParser(onEvent: (event: SseEvent) => void): SseParser {
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });
  let buffer = '';
  let pendingCR = false;
  let data: string[] = [];
  let eventType: string | undefined;
  let hasData = false;

  function line(text: string): void {
    if (text === '') {
      if (hasData) onEvent({ event: eventType, data: data.join('\n') });
      data = [];
      eventType = undefined;
      hasData = false;
      return;
    }
    if (text.charCodeAt(0) === 58 /* ':' */) return; // comment / heartbeat
    const colon = text.indexOf(':');
    let field: string;
    let value: string;
    if (colon === -1) {
      field = text;
      value = '';
    } else {
      field = text.slice(0, colon);
      value = text.charCodeAt(colon + 1) === 32 ? text.slice(colon + 2) : text.slice(colon + 1);
    }
    if (field === 'data') {
      data.push(value);
      hasData = true;
    } else if (field === 'event') {
      eventType = value;
    }
    // id and retry are unused by every provider; other fields are ignored by the spec.
  }

  function feed(text: string): void {
    let start = 0;
    let i = 0;
    if (pendingCR && text.length > 0) {
      pendingCR = false;
      if (text.charCodeAt(0) === LF) start = i = 1;
    }
    const n = text.length;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === LF || c === CR) {
        line(buffer + text.slice(start, i));
        buffer = '';
        if (c === CR) {
          if (i + 1 < n) {
            if (text.charCodeAt(i + 1) === LF) i++;
          } else {
            pendingCR = true; // the LF of a CRLF may arrive in the next read
          }
        }
        start = i + 1;
      }
    }
    if (start < n) buffer += text.slice(start);
  }

  return {
    push(chunk) {
      feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    },
    end() {
      const rest = decoder.decode();
      if (rest) feed(rest);
      buffer = '';
      data = [];
      hasData = false;
    },
  };
}
