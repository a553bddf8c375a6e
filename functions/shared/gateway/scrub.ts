/**
 * Keeps an upstream's own key out of what EzyBus relays on error paths (design invariant 6). An
 * upstream — or a proxy in front of it — may echo the request's Authorization header in an error
 * body, an error event or a header; relayed unchanged, that hands the provider key to the client.
 *
 * What counts as the key: the key itself, `Bearer <key>`, its URL encoding, its base64 and
 * base64url encodings at any alignment inside a longer encoded text (an encoded header line, a
 * `user:key` pair), and any prefix of the key of at least 12 characters (a truncated echo such
 * as `sk-proj-abc123…`). Short prefixes that every key of a provider shares (`sk-ant-api03-`)
 * count too once they reach 12 characters; replacing them in an error message costs nothing.
 *
 * Success-path chunks are not touched: `errorChunk` changes a streamed chunk only when it holds
 * an error marker and the key, so a normal answer's bytes reach the client exactly as sent.
 */
const REDACTED = '[redacted upstream key]';
const MIN_PREFIX = 12;

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** A regex source matching `s[0..min)` followed by as much of the rest of `s` as is present. */
function prefixPattern(s: string, min: number): string {
  if (s.length <= min) return escape(s);
  let tail = '';
  for (let i = s.length - 1; i >= min; i--) tail = `(?:${escape(s[i] as string)}${tail})?`;
  return escape(s.slice(0, min)) + tail;
}

/** Base64 texts that appear verbatim in any base64 encoding of a text that contains `key`. */
function base64Needles(key: string): string[] {
  const out: string[] = [];
  const bytes = Buffer.from(key, 'utf8');
  for (let skip = 0; skip < 3; skip++) {
    const aligned = bytes.subarray(skip);
    const whole = aligned.subarray(0, aligned.length - (aligned.length % 3));
    if (whole.length < 9) continue; // too short to be the key rather than chance
    out.push(whole.toString('base64'), whole.toString('base64url'));
  }
  return out;
}

export interface Scrubber {
  text(s: string): string;
  /** A streamed chunk: returned as is (the same object) unless it is an error that holds the key. */
  errorChunk(chunk: Uint8Array): Uint8Array;
  headers(h: Record<string, string>): Record<string, string>;
}

const ERROR = Buffer.from('error');
const IDENTITY: Scrubber = { text: (s) => s, errorChunk: (c) => c, headers: (h) => h };
const compiled = new Map<string, Scrubber>();

export function scrubberFor(key: string | undefined): Scrubber {
  if (!key || key.length < 8) return IDENTITY;
  const hit = compiled.get(key);
  if (hit) return hit;
  const needles = new Set<string>([...base64Needles(key)]);
  const encoded = encodeURIComponent(key);
  if (encoded !== key) needles.add(encoded);
  const sources = [
    `(?:Bearer\\s+)?${prefixPattern(key, Math.min(MIN_PREFIX, key.length))}`,
    ...[...needles].sort((a, b) => b.length - a.length).map(escape),
  ];
  const re = new RegExp(sources.join('|'), 'g');
  const first = Buffer.from(key.slice(0, Math.min(MIN_PREFIX, key.length)));
  const b64 = [...needles].map((n) => Buffer.from(n));
  const text = (s: string): string => s.replace(re, REDACTED);
  const scrubber: Scrubber = {
    text,
    errorChunk(chunk) {
      // Once per relayed chunk: a Buffer needle and no wrapping of what already is a Buffer.
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (buf.indexOf(ERROR) === -1) return chunk;
      if (!buf.includes(first) && !b64.some((n) => buf.includes(n))) return chunk;
      return Buffer.from(text(buf.toString('utf8')));
    },
    headers(h) {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(h)) out[k] = text(v);
      return out;
    },
  };
  // A handful of keys per execution environment; the bound only guards against growth.
  if (compiled.size >= 256) compiled.clear();
  compiled.set(key, scrubber);
  return scrubber;
}
