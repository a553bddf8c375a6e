/**
 * Gemini-native request facts that live outside the body, and the one response framing that is
 * not SSE (docs/protocols.md §3.1, §3.4):
 * - the model and the method are in the path (`/v1beta/models/{model}:{method}`, also `/v1/`);
 *   a stream is `:streamGenerateContent`, with `?alt=sse` for SSE and Google's JSON array
 *   without it; the key may be in the query (`?key=`), which never travels upstream;
 * - a JSON-array client gets the same stream EzyBus produces for SSE, re-framed at the edge:
 *   each event's data becomes an array element, with Google's own separators (JSON_ARRAY, as
 *   recorded from generativelanguage.googleapis.com: `[{…}`, `\n,\r\n{…}`, `\n]`), and a
 *   heartbeat comment becomes a space (JSON allows whitespace between elements), so keep-alives,
 *   mid-stream error objects and a clean end all fit the client's framing.
 */
import { createSseParser } from '../sse.js';

export type GeminiMethod = 'generateContent' | 'streamGenerateContent' | 'countTokens';

export interface GeminiCall {
  version: 'v1beta' | 'v1';
  model: string;
  method: GeminiMethod;
  stream: boolean;
  /** `?alt=sse` (or a non-stream call); false: the JSON-array stream. */
  sse: boolean;
}

const PATH = /^\/(v1beta|v1)\/models\/([^:]+):(generateContent|streamGenerateContent|countTokens)$/;

/** The call a path names, or undefined when it names none. */
export function geminiCall(path: string, query: Record<string, string | undefined>): GeminiCall | undefined {
  const m = PATH.exec(path);
  if (!m) return undefined;
  let model: string;
  try {
    model = decodeURIComponent(m[2] as string);
  } catch {
    return undefined;
  }
  const method = m[3] as GeminiMethod;
  const stream = method === 'streamGenerateContent';
  return { version: m[1] as 'v1beta' | 'v1', model: model.replace(/^models\//, ''), method, stream, sse: !stream || query.alt === 'sse' };
}

/**
 * What of the client's query string travels upstream (without `?`): not its key, which stays
 * here, and not `alt`, because the upstream path asks for SSE itself.
 */
export function upstreamQuery(rawQuery: string): string {
  const q = new URLSearchParams(rawQuery);
  q.delete('key');
  q.delete('alt');
  return q.toString();
}

/** Google's JSON-array stream framing, byte for byte (test/fixtures/real/gemini-native/stream-json-array-*). */
export const JSON_ARRAY = { open: '[', between: '\n,\r\n', close: '\n]', empty: '[]' } as const;

export interface Reframer {
  chunk(text: string): string;
  end(): string;
}

/** SSE text (as the gateway writes it) → Google's JSON-array stream. */
export function sseToJsonArray(): Reframer {
  let first = true;
  let out = '';
  const sse = createSseParser((e) => {
    out += (first ? JSON_ARRAY.open : JSON_ARRAY.between) + e.data;
    first = false;
  });
  return {
    chunk(text) {
      sse.push(text);
      const piece = out || ' '; // a heartbeat (or a partial event): whitespace keeps the connection warm
      out = '';
      return piece;
    },
    end() {
      sse.end();
      const rest = out + (first ? JSON_ARRAY.empty : JSON_ARRAY.close);
      out = '';
      return rest;
    },
  };
}
