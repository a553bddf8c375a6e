/**
 * POST /v1/embeddings (OpenAI shape) for each upstream protocol (docs/protocols.md, Appendix
 * "Facts read from the new recordings"):
 * - OpenAI-compatible upstream: the client's body, model name edited, to `/v1/embeddings`; the
 *   answer passes through byte for byte (base64 output, `dimensions`, token-array input are the
 *   upstream's business).
 * - Gemini upstream: `batchEmbedContents` with one request per input (`dimensions` →
 *   `outputDimensionality`); the answer becomes OpenAI's list, vectors as floats or, when asked,
 *   base64 little-endian float32 (what OpenAI's `encoding_format: "base64"` means). Token-array
 *   input cannot be sent to Gemini (it takes text): a 400.
 * - Anthropic has no embeddings API: a 400 naming the route.
 * Usage: OpenAI's `usage.prompt_tokens`; Gemini's `usageMetadata.promptTokenCount`.
 */
import { TranslationError } from '../protocol/errors.js';
import { rewriteModel } from '../protocol/json-text.js';
import type { WireProtocol } from '../protocol/wire.js';
import type { UnaryLeg } from '../unary/call.js';
import { emptyUsage, type TokenUsage } from '../usage/types.js';

type J = Record<string, unknown>;

/** The inputs as texts; token arrays only where the upstream takes them. */
export function embeddingTexts(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.length && input.every((x) => typeof x === 'string')) return input as string[];
  if (Array.isArray(input) && input.length && input.every((x) => typeof x === 'number' || Array.isArray(x))) {
    throw new TranslationError('token-array input cannot be embedded by a Gemini model, which takes text; send strings', 'input');
  }
  throw new TranslationError("'input' must be a string or an array of strings.", 'input');
}

export function validateEmbeddings(body: J): void {
  if (typeof body.model !== 'string' || body.model === '') throw new TranslationError("'model' is required and must be a non-empty string.", 'model');
  const input = body.input;
  // OpenAI's four forms (anything else it answers 400): a string, strings, one token array, token arrays.
  const isTokens = (x: unknown): boolean => Array.isArray(x) && x.length > 0 && x.every((t) => Number.isInteger(t));
  const ok = typeof input === 'string' || (Array.isArray(input) && input.length > 0 && (input.every((x) => typeof x === 'string') || isTokens(input) || input.every(isTokens)));
  if (!ok) throw new TranslationError("'input' is required: a string, an array of strings, or token arrays.", 'input');
  if (body.encoding_format !== undefined && body.encoding_format !== 'float' && body.encoding_format !== 'base64') {
    throw new TranslationError("'encoding_format' must be 'float' or 'base64'.", 'encoding_format');
  }
}

export function embeddingsLeg(upstream: WireProtocol, text: string, body: J, model: string, publicModel: string): UnaryLeg {
  if (upstream === 'chat-completions') return { path: '/v1/embeddings', body: rewriteModel(text, model), headers: {} };
  if (upstream === 'messages') throw new TranslationError(`The model '${publicModel}' routes to an Anthropic upstream, which has no embeddings API.`, 'model');
  const dims = typeof body.dimensions === 'number' ? { outputDimensionality: body.dimensions } : {};
  const requests = embeddingTexts(body.input).map((t) => ({ model: `models/${model}`, content: { parts: [{ text: t }] }, ...dims }));
  return { path: `/v1beta/models/${encodeURIComponent(model)}:batchEmbedContents`, body: JSON.stringify({ requests }), headers: {} };
}

function float32Base64(v: number[]): string {
  const buf = Buffer.alloc(v.length * 4);
  v.forEach((x, i) => buf.writeFloatLE(x, i * 4));
  return buf.toString('base64');
}

/** Gemini's batchEmbedContents answer → OpenAI's embeddings list. */
export function openaiListFromGemini(answer: J, publicModel: string, base64: boolean): J {
  const embeddings = Array.isArray(answer.embeddings) ? (answer.embeddings as J[]) : [];
  const tokens = geminiEmbeddingUsage(answer).inputTokens;
  return {
    object: 'list',
    data: embeddings.map((e, index) => {
      const values = Array.isArray(e.values) ? (e.values as number[]) : [];
      return { object: 'embedding', index, embedding: base64 ? float32Base64(values) : values };
    }),
    model: publicModel,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

export function geminiEmbeddingUsage(answer: J): TokenUsage {
  const u = answer.usageMetadata as J | undefined;
  const n = typeof u?.promptTokenCount === 'number' ? u.promptTokenCount : 0;
  return { ...emptyUsage(), inputTokens: n };
}

export function openaiEmbeddingUsage(answer: J): TokenUsage {
  const u = answer.usage as J | undefined;
  const n = typeof u?.prompt_tokens === 'number' ? u.prompt_tokens : 0;
  return { ...emptyUsage(), inputTokens: n };
}

// ---------------- Gemini-native clients (`:embedContent`, `:batchEmbedContents`) ----------------

export interface GeminiEmbedCall {
  method: 'embedContent' | 'batchEmbedContents';
  model: string;
}

const GEMINI_EMBED = /^\/(?:v1beta|v1)\/models\/([^:]+):(embedContent|batchEmbedContents)$/;

export function geminiEmbedCall(path: string): GeminiEmbedCall | undefined {
  const m = GEMINI_EMBED.exec(path);
  if (!m) return undefined;
  try {
    return { model: decodeURIComponent(m[1] as string).replace(/^models\//, ''), method: m[2] as GeminiEmbedCall['method'] };
  } catch {
    return undefined;
  }
}

/** The requests of either method, as `{content, outputDimensionality?}` objects. */
function geminiRequests(call: GeminiEmbedCall, body: J): J[] {
  return call.method === 'embedContent' ? [body] : Array.isArray(body.requests) ? (body.requests as J[]) : [];
}

const textOf = (r: J): string => {
  const parts = (r.content as J | undefined)?.parts;
  return Array.isArray(parts) ? (parts as J[]).map((p) => (typeof p.text === 'string' ? p.text : '')).join('') : '';
};

export function validateGeminiEmbed(call: GeminiEmbedCall, body: J): void {
  const reqs = geminiRequests(call, body);
  if (!reqs.length) throw new TranslationError('* BatchEmbedContentsRequest.requests: requests is required', 'requests');
  for (const r of reqs) {
    const parts = (r.content as J | undefined)?.parts;
    if (!Array.isArray(parts) || parts.length === 0) throw new TranslationError('* EmbedContentRequest.content: content.parts is required', 'content');
  }
}

export function geminiEmbedLeg(upstream: WireProtocol, call: GeminiEmbedCall, text: string, body: J, model: string): UnaryLeg {
  if (upstream === 'messages') throw new TranslationError(`The model '${call.model}' routes to an Anthropic upstream, which has no embeddings API.`, 'model');
  const reqs = geminiRequests(call, body);
  if (upstream === 'generate-content') {
    const path = `/v1beta/models/${encodeURIComponent(model)}:${call.method}`;
    // The nested requests name their model too, and Google requires it to match the path.
    const named = call.method === 'batchEmbedContents' ? reqs.some((r) => r.model !== undefined) : body.model !== undefined;
    if (!named) return { path, body: text, headers: {} };
    const fix = (r: J): J => (r.model !== undefined ? { ...r, model: `models/${model}` } : r);
    return { path, body: JSON.stringify(call.method === 'batchEmbedContents' ? { ...body, requests: reqs.map(fix) } : fix(body)), headers: {} };
  }
  const dims = reqs.find((r) => typeof r.outputDimensionality === 'number')?.outputDimensionality;
  return { path: '/v1/embeddings', body: JSON.stringify({ model, input: reqs.map(textOf), encoding_format: 'float', ...(typeof dims === 'number' ? { dimensions: dims } : {}) }), headers: {} };
}

/** OpenAI's embeddings list → Gemini's answer for the method the client called. */
export function geminiAnswerFromOpenAI(call: GeminiEmbedCall, answer: J): J {
  const data = Array.isArray(answer.data) ? (answer.data as J[]) : [];
  const values = data.map((d) => (Array.isArray(d.embedding) ? (d.embedding as number[]) : []));
  const n = openaiEmbeddingUsage(answer).inputTokens;
  if (call.method === 'embedContent') return { embedding: { values: values[0] ?? [] } };
  return { embeddings: values.map((v) => ({ values: v })), usageMetadata: { promptTokenCount: n, promptTokenDetails: [{ modality: 'TEXT', tokenCount: n }] } };
}

/** What a Gemini embedding request is billed: the reported count, else ~4 characters per token (flagged). */
export function geminiEmbedUsage(call: GeminiEmbedCall, body: J, answer: J): TokenUsage {
  const reported = geminiEmbeddingUsage(answer);
  if ((answer.usageMetadata as J | undefined)?.promptTokenCount !== undefined) return reported;
  const chars = geminiRequests(call, body).reduce((n, r) => n + textOf(r).length, 0);
  return { ...reported, inputTokens: Math.ceil(chars / 4), estimated: true };
}
