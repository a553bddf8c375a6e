/**
 * The simulator's non-generation endpoints: token counting (Anthropic `count_tokens`, Gemini
 * `countTokens`) and embeddings (OpenAI `/v1/embeddings`, Gemini `embedContent` /
 * `batchEmbedContents`). Counts come from the simulator's tokenizer (tokenizer.ts), so a count
 * equals the input a generation of the same prompt reports; vectors are deterministic per text.
 */
import { errorBody } from './protocols.js';
import { hash, prng } from './text.js';
import { embeddingTokens, geminiCountBody, promptTokens } from './tokenizer.js';

type J = Record<string, unknown>;

export interface ExtraAnswer {
  status: number;
  json: string;
}

/** A unit vector of `dims` floats, the same for the same text. */
export function simVector(text: string, dims: number): number[] {
  const r = prng(hash(text));
  const v = Array.from({ length: dims }, () => r() * 2 - 1);
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => Math.round((x / norm) * 1e6) / 1e6);
}

function float32Base64(v: number[]): string {
  const buf = Buffer.alloc(v.length * 4);
  v.forEach((x, i) => buf.writeFloatLE(x, i * 4));
  return buf.toString('base64');
}

const textOfParts = (content: unknown): string =>
  (((content as J | undefined)?.parts as J[] | undefined) ?? []).map((p) => (typeof p.text === 'string' ? p.text : '')).join('');

function openaiEmbeddings(body: J): ExtraAnswer {
  const raw = body.input;
  const inputs: (string | number[])[] =
    typeof raw === 'string' ? [raw] : Array.isArray(raw) && raw.every((x) => typeof x === 'number') ? [raw as number[]] : Array.isArray(raw) ? (raw as (string | number[])[]) : [];
  if (!inputs.length || !inputs.every((x) => typeof x === 'string' || (Array.isArray(x) && x.every((t) => typeof t === 'number')))) return { status: 400, json: errorBody('openai', 400, "'input' must be a string, an array of strings, or token arrays.") };
  const dims = typeof body.dimensions === 'number' ? body.dimensions : 8;
  const base64 = body.encoding_format === 'base64';
  const tokens = inputs.reduce((n, x) => n + embeddingTokens(x), 0);
  const data = inputs.map((x, index) => {
    const v = simVector(typeof x === 'string' ? x : x.join(','), dims);
    return { object: 'embedding', index, embedding: base64 ? float32Base64(v) : v };
  });
  return { status: 200, json: JSON.stringify({ object: 'list', data, model: String(body.model ?? 'sim'), usage: { prompt_tokens: tokens, total_tokens: tokens } }) };
}

function geminiEmbedding(req: J): { values: number[]; tokens: number } {
  const text = textOfParts(req.content);
  const dims = typeof req.outputDimensionality === 'number' ? req.outputDimensionality : 8;
  return { values: simVector(text, dims), tokens: embeddingTokens(text) };
}

/** Answers the request when it is one of these endpoints; undefined otherwise. */
export function serveExtra(method: string, path: string, body: J): ExtraAnswer | undefined {
  if (method !== 'POST') return undefined;
  if (path === '/v1/messages/count_tokens') {
    if (!Array.isArray(body.messages)) return { status: 400, json: errorBody('anthropic', 400, 'messages: Field required') };
    return { status: 200, json: JSON.stringify({ input_tokens: promptTokens('anthropic', body) }) };
  }
  if (path === '/v1/embeddings') return openaiEmbeddings(body);
  const m = /^\/v1beta\/models\/([^/:]+):(countTokens|embedContent|batchEmbedContents)$/.exec(path);
  if (!m) return undefined;
  if (m[2] === 'countTokens') {
    const total = promptTokens('gemini', geminiCountBody(body));
    return { status: 200, json: JSON.stringify({ totalTokens: total, promptTokensDetails: [{ modality: 'TEXT', tokenCount: total }] }) };
  }
  if (m[2] === 'embedContent') {
    const e = geminiEmbedding(body);
    return { status: 200, json: JSON.stringify({ embedding: { values: e.values } }) };
  }
  const requests = Array.isArray(body.requests) ? (body.requests as J[]) : [];
  if (!requests.length) return { status: 400, json: errorBody('gemini', 400, '* BatchEmbedContentsRequest.requests: requests is required') };
  const all = requests.map(geminiEmbedding);
  const tokens = all.reduce((n, e) => n + e.tokens, 0);
  return {
    status: 200,
    json: JSON.stringify({ embeddings: all.map((e) => ({ values: e.values })), usageMetadata: { promptTokenCount: tokens, promptTokenDetails: [{ modality: 'TEXT', tokenCount: tokens }] } }),
  };
}
