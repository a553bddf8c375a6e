/**
 * Server-sent events codec (WHATWG "event stream" rules, docs/protocols.md §6).
 *
 * The parser is incremental and never throws: bytes may be split anywhere (inside a UTF-8
 * sequence, between CR and LF), lines may end in CRLF, LF or a lone CR, and a partial event at
 * end of stream is discarded. It is used both to translate upstream streams and, beside a
 * pass-through stream, to read usage without delaying the bytes.
 *
 * It works on the bytes, once per relayed chunk: lines are found with the native
 * Buffer.indexOf, and only a field's value is decoded (a `data:` line's JSON, an `event:`
 * name), so a chunk of whole events costs no decode of the whole chunk, no string
 * concatenation and no slicing of line strings. A line is cut only by the end of a read; its
 * bytes wait (copied) and are joined before the line is decoded, so a UTF-8 character split
 * across reads decodes whole.
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
const COLON = 58;
const SPACE = 32;

const asBuffer = (chunk: Uint8Array | string): Buffer =>
  typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);

/** Whether `b[s..e)` is the field `name` (given as char codes): the name, then ':' or the line's end. */
function isField(b: Buffer, s: number, e: number, name: readonly number[]): boolean {
  const n = name.length;
  if (e - s < n || (e - s > n && b[s + n] !== COLON)) return false;
  for (let k = 0; k < n; k++) if (b[s + k] !== name[k]) return false;
  return true;
}

const DATA = [100, 97, 116, 97]; // data
const EVENT = [101, 118, 101, 110, 116]; // event
const BOM = [0xef, 0xbb, 0xbf];
// Every code point below 128 is one byte of the same value.
const ASCII = /^[\x00-\x7f]*$/;

export function createSseParser(onEvent: (event: SseEvent) => void): SseParser {
  /** The start of a line that a read cut off (its own copy). */
  let carry: Buffer | undefined;
  let pendingCR = false;
  /** Before the first bytes that are not a (possibly partial) BOM. */
  let atStart = true;
  let data: string | undefined;
  let eventType: string | undefined;

  /** Where the value of the field in `b[s..e)` whose name is `nameLength` long starts (after the colon and one space). */
  const valueStart = (b: Buffer, s: number, e: number, nameLength: number): number => {
    const v = s + nameLength + 1; // after the colon
    return v < e && b[v] === SPACE ? v + 1 : v;
  };
  /** The value of the field in `b[s..e)` whose name is `nameLength` long. */
  const value = (b: Buffer, s: number, e: number, nameLength: number): string => {
    const v = valueStart(b, s, e, nameLength);
    return v >= e ? '' : b.toString('utf8', v, e);
  };

  /** The last event name decoded, when it is ASCII (then its bytes are its char codes). */
  let lastName: string | undefined;
  /**
   * An `event:` field's value. A stream repeats a few names (every text delta of a Messages
   * stream is `content_block_delta`): the bytes equal to the last name's are that string, without
   * decoding them again.
   */
  const eventName = (b: Buffer, s: number, e: number): string => {
    const v = valueStart(b, s, e, 5);
    const n = e - v;
    if (lastName !== undefined && lastName.length === n) {
      let k = 0;
      while (k < n && b[v + k] === lastName.charCodeAt(k)) k++;
      if (k === n) return lastName;
    }
    const name = v >= e ? '' : b.toString('utf8', v, e);
    lastName = ASCII.test(name) ? name : undefined;
    return name;
  };

  function line(b: Buffer, s: number, e: number): void {
    if (s === e) {
      const d = data;
      const type = eventType;
      data = undefined;
      eventType = undefined;
      if (d !== undefined) onEvent({ event: type, data: d });
      return;
    }
    const c = b[s];
    if (c === COLON) return; // comment / heartbeat
    if (c === 100 /* d */ && isField(b, s, e, DATA)) {
      const v = value(b, s, e, 4);
      data = data === undefined ? v : `${data}\n${v}`;
    } else if (c === 101 /* e */ && isField(b, s, e, EVENT)) {
      eventType = eventName(b, s, e);
    }
    // id and retry are unused by every provider; other fields are ignored by the spec.
  }

  function feed(b: Buffer): void {
    const n = b.length;
    let s = 0;
    if (pendingCR) {
      pendingCR = false;
      if (b[0] === LF) s = 1; // the LF of a CRLF whose CR ended the last read
    }
    // Most streams end lines in LF alone: then one native search per line.
    let cr = b.indexOf(CR, s);
    while (s < n) {
      let i = b.indexOf(LF, s);
      if (cr !== -1 && cr < s) cr = b.indexOf(CR, s);
      if (cr !== -1 && (i === -1 || cr < i)) i = cr;
      if (i === -1) break;
      if (carry) {
        const whole = Buffer.concat([carry, b.subarray(s, i)]);
        carry = undefined;
        line(whole, 0, whole.length);
      } else line(b, s, i);
      if (b[i] === CR) {
        if (i + 1 < n) {
          if (b[i + 1] === LF) i++;
        } else pendingCR = true; // the LF of a CRLF may arrive in the next read
      }
      s = i + 1;
    }
    if (s < n) {
      // Copied: the caller's chunk is relayed on and must not be held onto (or seen changing).
      const rest = Buffer.from(b.subarray(s));
      carry = carry ? Buffer.concat([carry, rest]) : rest;
    }
  }

  return {
    push(chunk) {
      let b = asBuffer(chunk);
      if (atStart) {
        // One leading BOM is stripped (the spec's decode step), even when split across reads.
        if (carry) {
          b = Buffer.concat([carry, b]);
          carry = undefined;
        }
        let k = 0;
        while (k < b.length && k < 3 && b[k] === BOM[k]) k++;
        if (k === b.length && k < 3) {
          carry = Buffer.from(b);
          return;
        }
        atStart = false;
        if (k === 3) b = b.subarray(3);
      }
      if (b.length > 0) feed(b);
    },
    end() {
      carry = undefined;
      data = undefined;
      eventType = undefined;
      pendingCR = false;
    },
  };
}
