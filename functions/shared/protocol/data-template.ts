/**
 * Reading a stream event's usage-relevant value without JSON.parse, exactly. A provider's
 * content events within one stream are the same text around one string (OpenAI's chunks repeat
 * id, model, fingerprint and framing; Anthropic's text deltas repeat type, index and delta
 * type): once one such event has been parsed, an event that is that text with only that string
 * different — and, optionally, the object's last member's string value (OpenAI's per-chunk
 * `obfuscation`), an integer member before the string (the Responses API's `sequence_number`),
 * and the run of spaces before its closing brace (Anthropic's padding) — parses to the same
 * object with only those values different, so its reader needs only the string.
 *
 * Exact, not heuristic: a template is learned only from an event text with no backslash at all,
 * so every `"` in it delimits a string and the one `"key":"` found is that key's value; a match
 * requires the same bytes before and after, and string values with no backslash, quote or
 * control character, so the matched text has the template's JSON structure token for token.
 * Anything else (an escape, another shape) returns undefined and the caller parses the event.
 */
export interface DataTemplate {
  /** The slot's string when `data` is the template's text with other string values, else undefined. */
  match(data: string): string | undefined;
}

const QUOTE = 34;
const BACKSLASH = 92;

/** The end of a plain string value starting at `from` (the index of its closing quote), or -1 on an escape, a control character or the end. */
function plainEnd(s: string, from: number): number {
  for (let j = from; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === QUOTE) return j;
    if (c === BACKSLASH || c < 32) return -1;
  }
  return -1;
}

/**
 * A template over `data` (an event's JSON text, already parsed by the caller, who checked what
 * the slot holds) whose slot is the string value of `key`, the key's only occurrence; undefined
 * when the text does not qualify. `varying`: a top-level key the caller's reader ignores whose
 * string value may differ when it is the object's last member. `counter`: a key the caller's
 * reader ignores whose value, a non-negative integer written before the slot, may differ.
 */
export function learnTemplate(data: string, key: string, varying?: string, counter?: string): DataTemplate | undefined {
  // A translated stream's parser and its usage reader learn from the same event: they get the
  // same template, whose one-entry memo (below) then answers the second reader's match of each
  // event without matching it again.
  if (last && last.data === data && last.key === key && last.varying === varying && last.counter === counter) return last.template;
  const template = learn(data, key, varying, counter);
  last = { data, key, varying, counter, template };
  return template;
}

/** The last template learned, by its arguments (module scope: one event at a time is learned). */
let last: { data: string; key: string; varying: string | undefined; counter: string | undefined; template: DataTemplate | undefined } | undefined;

/** The end of a JSON non-negative integer starting at `from` (no sign, fraction, exponent or leading zero), or -1. */
function integerEnd(s: string, from: number): number {
  let j = from;
  while (j < s.length && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
  if (j === from || (s.charCodeAt(from) === 48 && j > from + 1)) return -1;
  return j;
}

/**
 * The text before the slot (`before`) as the text up to the counter's digits and the text after
 * them; `rest` is undefined when there is no counter to let vary. The counter must occur once in
 * `data`, as a member (no quote can be escaped: there is no backslash) holding a plain integer;
 * any other counter stays part of the fixed text.
 */
function splitAtCounter(data: string, before: string, counter: string | undefined): [head: string, rest: string | undefined] {
  if (counter === undefined) return [before, undefined];
  const member = `"${counter}":`;
  const c = before.indexOf(member);
  if (c === -1 || data.indexOf(`"${counter}"`, c + 1) !== -1) return [before, undefined];
  const digits = integerEnd(before, c + member.length);
  return digits === -1 ? [before, undefined] : [before.slice(0, c + member.length), before.slice(digits)];
}

function learn(data: string, key: string, varying?: string, counter?: string): DataTemplate | undefined {
  if (data.indexOf('\\') !== -1) return undefined;
  const needle = `"${key}":"`;
  const at = data.indexOf(needle);
  if (at === -1 || data.indexOf(`"${key}"`, at + 1) !== -1) return undefined;
  const open = at + needle.length - 1;
  const close = plainEnd(data, open + 1);
  if (close === -1) return undefined;
  const [head, rest] = splitAtCounter(data, data.slice(0, open), counter);
  let fixed = data.slice(close + 1);
  // The spaces before the object's closing brace may differ too (Anthropic pads its events with
  // a varying run of them): insignificant whitespace, the same parse.
  const brace = fixed.endsWith('}');
  if (brace) {
    let k = fixed.length - 1;
    while (k > 0 && (fixed.charCodeAt(k - 1) === 32 || fixed.charCodeAt(k - 1) === 9)) k--;
    fixed = fixed.slice(0, k);
  }
  // The last member `"varying":"v"` may differ in v: the quote before v is the last one before
  // the end (no backslash anywhere, so no quote is escaped), and the member closes the object.
  let tail = false;
  if (brace && varying !== undefined && fixed.endsWith('"')) {
    const q = fixed.lastIndexOf('"', fixed.length - 2);
    const before = fixed.slice(0, q + 1);
    if (q > 0 && before.endsWith(`"${varying}":"`)) {
      fixed = before;
      tail = true;
    }
  }
  const min = head.length + (rest === undefined ? 0 : 1 + rest.length) + 2 + fixed.length;
  const after = head.length;
  let lastIn: string | undefined;
  let lastOut: string | undefined;
  /** The slot's string, given where its opening quote is in `s`. */
  const from = (s: string, slot: number): string | undefined => {
    const end = plainEnd(s, slot + 1);
    if (end === -1 || !s.startsWith(fixed, end + 1)) return undefined;
    let at = end + 1 + fixed.length;
    if (tail) {
      at = plainEnd(s, at) + 1;
      if (at === 0) return undefined;
    }
    if (brace) {
      for (let c = s.charCodeAt(at); c === 32 || c === 9; c = s.charCodeAt(at)) at++;
      if (s.charCodeAt(at) !== 125 /* } */) return undefined;
      at++;
    }
    if (at !== s.length) return undefined;
    return s.slice(slot + 1, end);
  };
  // Two shapes, so that a template without a counter runs no counter code per event.
  const match =
    rest === undefined
      ? (s: string): string | undefined => (s.length < min || !s.startsWith(head) || s.charCodeAt(after) !== QUOTE ? undefined : from(s, after))
      : (s: string): string | undefined => {
          if (s.length < min || !s.startsWith(head)) return undefined;
          const digits = integerEnd(s, after);
          if (digits === -1 || !s.startsWith(rest, digits)) return undefined;
          const slot = digits + rest.length;
          return s.charCodeAt(slot) !== QUOTE ? undefined : from(s, slot);
        };
  return {
    match(s) {
      if (s !== lastIn) {
        lastOut = match(s);
        lastIn = s;
      }
      return lastOut;
    },
  };
}
