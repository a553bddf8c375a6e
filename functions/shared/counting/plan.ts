/**
 * Where a token count comes from, per upstream protocol (docs/protocols.md §2.13, §3.6):
 * - Anthropic upstream: its `POST /v1/messages/count_tokens` — the client's own body, model name
 *   edited, for an Anthropic client (byte-faithful, query string and betas kept); the translated
 *   request without `max_tokens` for a Gemini client.
 * - Gemini upstream: its `:countTokens` with a whole `generateContentRequest`, so system
 *   instruction and tools are counted too — the client's own body for a Gemini client (only a
 *   nested model name edited), the translated request for an Anthropic client.
 * - OpenAI Responses upstream: its `POST /v1/responses/input_tokens` — the client's own body,
 *   model name edited, for a Responses client; for the others the translated request, cut to the
 *   fields that endpoint takes (a generation's `max_output_tokens`, `stream`, `store`, `include`
 *   are not among them).
 * - OpenAI (Chat Completions) upstream: no such endpoint exists, so the gateway counts the
 *   translated request itself with the model's tokenizer (openai-tokens.ts).
 * Pure: no I/O; the handler sends what this returns.
 */
import type { OutOptions } from '../protocol/adapter.js';
import type { CanonicalRequest } from '../protocol/canonical.js';
import { decodeRequest as fromGemini } from '../protocol/generate-content/request-in.js';
import { rewriteModel } from '../protocol/json-text.js';
import { clientSide, upstreamSide } from '../protocol/registry.js';
import type { WireProtocol } from '../protocol/wire.js';
import type { UnaryLeg } from '../unary/call.js';

type J = Record<string, unknown>;

/** Who asks: Anthropic's count_tokens, Gemini's countTokens, OpenAI's /v1/responses/input_tokens. */
export type CountClient = 'anthropic' | 'gemini' | 'responses';

export interface CountInput {
  client: CountClient;
  /** The client's body text and its parse. */
  text: string;
  json: J;
  clientHeaders: Record<string, string>;
  rawQuery: string;
}

/** Gemini countTokens takes bare `contents` (+ tools, systemInstruction) or a whole `generateContentRequest`. */
export function geminiCountRequest(json: J): J {
  const g = json.generateContentRequest ?? json.generate_content_request;
  return g && typeof g === 'object' && !Array.isArray(g) ? (g as J) : json;
}

export function canonicalOf(input: CountInput, notes: string[]): CanonicalRequest {
  // A count request has no max_tokens (§2.13); the Messages decoder requires one, and it counts nothing.
  if (input.client === 'responses') return clientSide('responses').decodeRequest(input.json, notes);
  return input.client === 'anthropic' ? clientSide('messages').decodeRequest({ max_tokens: 1, ...input.json }, notes) : fromGemini(geminiCountRequest(input.json), notes);
}

const out = (model: string): OutOptions => ({ model, stream: false, maxTokensDefault: 1 });

/** The OpenAI request body whose tokens the gateway counts itself. */
export function openaiCountBody(input: CountInput, model: string, notes: string[]): J {
  return upstreamSide('chat-completions').encodeRequest(canonicalOf(input, notes), out(model), notes);
}

/** What `POST /v1/responses/input_tokens` takes (docs/protocols.md §2.13.1). */
const RESPONSES_COUNT_FIELDS = ['model', 'input', 'instructions', 'tools', 'tool_choice', 'parallel_tool_calls', 'reasoning', 'text', 'truncation', 'conversation', 'previous_response_id'];

export function countLeg(input: CountInput, upstream: WireProtocol, model: string, notes: string[]): UnaryLeg | 'local' {
  if (upstream === 'chat-completions') return 'local';
  if (upstream === 'responses') {
    const side = upstreamSide('responses');
    if (input.client === 'responses') return { path: '/v1/responses/input_tokens', body: rewriteModel(input.text, model), headers: side.forwardedHeaders(input.clientHeaders) };
    const full = side.encodeRequest(canonicalOf(input, notes), out(model), notes);
    const body = Object.fromEntries(Object.entries(full).filter(([k]) => RESPONSES_COUNT_FIELDS.includes(k)));
    return { path: '/v1/responses/input_tokens', body: JSON.stringify(body), headers: side.translatedHeaders({}) };
  }
  if (upstream === 'messages') {
    const side = upstreamSide('messages');
    if (input.client === 'anthropic') {
      return { path: `/v1/messages/count_tokens${input.rawQuery ? `?${input.rawQuery}` : ''}`, body: rewriteModel(input.text, model), headers: side.forwardedHeaders(input.clientHeaders) };
    }
    const { max_tokens: _m, stream: _s, ...body } = side.encodeRequest(canonicalOf(input, notes), out(model), notes);
    return { path: '/v1/messages/count_tokens', body: JSON.stringify(body), headers: side.translatedHeaders({}) };
  }
  const path = `/v1beta/models/${encodeURIComponent(model)}:countTokens`;
  if (input.client === 'gemini') {
    const g = input.json.generateContentRequest;
    if (g && typeof g === 'object' && typeof (g as J).model === 'string') {
      // The nested request names its model too; Google requires it to match the path.
      return { path, body: JSON.stringify({ ...input.json, generateContentRequest: { ...(g as J), model: `models/${model}` } }), headers: {} };
    }
    return { path, body: input.text, headers: {} };
  }
  const g = upstreamSide('generate-content').encodeRequest(canonicalOf(input, notes), out(model), notes);
  return { path, body: JSON.stringify({ generateContentRequest: { model: `models/${model}`, ...g } }), headers: {} };
}

/** The count in an upstream's success body, or undefined when the body holds none. */
export function countFromAnswer(upstream: WireProtocol, body: string): number | undefined {
  try {
    const d = JSON.parse(body) as J;
    const n = upstream === 'generate-content' ? d.totalTokens : d.input_tokens;
    return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The count in the client's own shape. */
export function countAnswer(client: CountClient, n: number): string {
  if (client === 'responses') return JSON.stringify({ object: 'response.input_tokens', input_tokens: n });
  return client === 'anthropic' ? JSON.stringify({ input_tokens: n }) : JSON.stringify({ totalTokens: n, promptTokensDetails: [{ modality: 'TEXT', tokenCount: n }] });
}
