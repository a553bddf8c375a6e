/**
 * Edits on a request's original JSON text, so that pass-through changes only what it must and
 * every other byte (unknown fields, number spellings, key order) reaches the upstream as sent.
 */

/**
 * Replaces the value of the top-level "model" key in a JSON object text, leaving every other
 * byte as it was. Returns the text unchanged when the name is already right.
 */
export function rewriteModel(text: string, model: string): string {
  // JSON.parse keeps the last of duplicate keys, so the edit must too (`{"model":1,…,"model":"x"}`
  // is what the client asked for). Scanning to the end only when the name occurs twice keeps the
  // usual body to one short scan.
  const first = text.indexOf('"model"');
  const dup = first !== -1 && text.indexOf('"model"', first + 7) !== -1;
  const found = dup ? topLevelValue(text, 'model', true) : topLevelValue(text, 'model');
  const span = found && text.charCodeAt(found[0]) === 34 ? found : undefined;
  if (!span) throw new Error('no top-level model string');
  const current = JSON.parse(text.slice(span[0], span[1])) as string;
  if (current === model) return text;
  return text.slice(0, span[0]) + JSON.stringify(model) + text.slice(span[1]);
}

/** [start, end) of the JSON string value of a top-level key, scanning the text once. */
export function topLevelStringValue(text: string, key: string): [number, number] | undefined {
  const span = topLevelValue(text, key);
  return span && text.charCodeAt(span[0]) === 34 ? span : undefined;
}

/**
 * OpenAI streams report usage only when asked (`stream_options.include_usage`). EzyBus always
 * needs it for billing, so it asks on the client's behalf, editing only that one field's text;
 * `stripUsage` tells the relay to keep the extra usage chunk from a client that did not ask.
 */
export function ensureIncludeUsage(text: string): { text: string; stripUsage: boolean } {
  const span = topLevelValue(text, 'stream_options');
  if (!span) {
    const open = text.indexOf('{');
    return { text: `${text.slice(0, open + 1)}"stream_options":{"include_usage":true},${text.slice(open + 1)}`, stripUsage: true };
  }
  let current: unknown;
  try {
    current = JSON.parse(text.slice(span[0], span[1]));
  } catch {
    return { text, stripUsage: false };
  }
  if (!current || typeof current !== 'object' || Array.isArray(current)) return { text, stripUsage: false };
  const so = current as Record<string, unknown>;
  if (so.include_usage === true) return { text, stripUsage: false };
  return { text: text.slice(0, span[0]) + JSON.stringify({ ...so, include_usage: true }) + text.slice(span[1]), stripUsage: true };
}
/** [start, end) of the JSON value (any type) of a top-level key, scanning the text once. */
export function topLevelValue(text: string, key: string, last = false): [number, number] | undefined {
  let found: [number, number] | undefined;
  let depth = 0;
  let i = 0;
  const n = text.length;
  let expectKey = false;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const end = stringEnd(text, i);
      if (depth === 1 && expectKey) {
        const name = JSON.parse(text.slice(i, end)) as string;
        let j = end;
        while (j < n && isWs(text.charCodeAt(j))) j++;
        if (text.charCodeAt(j) === 58 /* : */) {
          j++;
          while (j < n && isWs(text.charCodeAt(j))) j++;
          if (name === key) {
            found = [j, valueEnd(text, j)];
            if (!last) return found;
          }
          expectKey = false;
          i = j;
          continue;
        }
      }
      i = end;
      continue;
    }
    if (c === 123 /* { */ || c === 91 /* [ */) {
      depth++;
      expectKey = c === 123 && depth === 1;
    } else if (c === 125 || c === 93) depth--;
    else if (c === 44 /* , */ && depth === 1) expectKey = true;
    i++;
  }
  return found;
}

/** End of the JSON value starting at `start` (string, object, array, number or literal). */
function valueEnd(text: string, start: number): number {
  const c = text.charCodeAt(start);
  if (c === 34) return stringEnd(text, start);
  if (c === 123 || c === 91) {
    let depth = 0;
    let i = start;
    while (i < text.length) {
      const d = text.charCodeAt(i);
      if (d === 34) {
        i = stringEnd(text, i);
        continue;
      }
      if (d === 123 || d === 91) depth++;
      else if (d === 125 || d === 93) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return text.length;
  }
  let i = start;
  while (i < text.length) {
    const d = text.charCodeAt(i);
    if (d === 44 || d === 125 || d === 93 || isWs(d)) break;
    i++;
  }
  return i;
}

function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i += 2;
    else if (c === 34) return i + 1;
    else i++;
  }
  return text.length;
}

function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}
