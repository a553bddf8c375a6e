/**
 * Reading a client request: body decoding and size limit, lenient validation that peeks only at
 * what routing needs (model, stream, and each protocol's required fields), and the one edit
 * pass-through makes to the body — the model name — done on the original text so that every
 * other byte (unknown fields, number spellings, key order) reaches the upstream as sent.
 */
import type { FunctionUrlEvent } from '../runtime/awslambda.js';
import type { ClientProtocol } from '../usage/types.js';
import { assertModelName } from './bounds.js';
import { GatewayError, badRequest } from './errors.js';

export interface ClientRequest {
  text: string;
  json: Record<string, unknown>;
  model: string;
  stream: boolean;
}

export function decodeBody(event: FunctionUrlEvent, maxBytes: number): string {
  const raw = event.body ?? '';
  const buf = event.isBase64Encoded ? Buffer.from(raw, 'base64') : undefined;
  const size = buf ? buf.length : Buffer.byteLength(raw);
  if (size > maxBytes) {
    throw new GatewayError(413, 'request_too_large', `Request body is ${size} bytes; the limit is ${maxBytes} bytes.`);
  }
  return buf ? buf.toString('utf8') : raw;
}

export function parseClientRequest(protocol: ClientProtocol, text: string): ClientRequest {
  if (text.trim() === '') throw badRequest('Request body is empty; expected a JSON object.');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw badRequest(`Request body is not valid JSON: ${err instanceof Error ? err.message : 'parse error'}`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw badRequest('Request body must be a JSON object.');
  const body = json as Record<string, unknown>;
  const model = body.model;
  if (typeof model !== 'string' || model === '') throw badRequest("'model' is required and must be a non-empty string.", 'model');
  assertModelName(model);
  const messages = body.messages;
  if (!Array.isArray(messages)) throw badRequest("'messages' is required and must be an array.", 'messages');
  if (protocol === 'openai' && messages.length === 0) throw badRequest("'messages' must contain at least one message.", 'messages');
  if (protocol === 'anthropic') {
    const mt = body.max_tokens;
    if (typeof mt !== 'number' || !Number.isInteger(mt) || mt < 1) {
      throw badRequest("'max_tokens' is required and must be a positive integer.", 'max_tokens');
    }
  }
  const stream = body.stream;
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') throw badRequest("'stream' must be a boolean.", 'stream');
  return { text, json: body, model, stream: stream === true };
}

/**
 * Replaces the value of the top-level "model" key in a JSON object text, leaving every other
 * byte as it was. Returns the text unchanged when the name is already right.
 */
export function rewriteModel(text: string, model: string): string {
  const span = topLevelStringValue(text, 'model');
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
export function topLevelValue(text: string, key: string): [number, number] | undefined {
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
          if (name === key) return [j, valueEnd(text, j)];
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
  return undefined;
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
