/**
 * Token counting for every route, in the client's own shape: `POST /v1/messages/count_tokens`
 * (Anthropic: `{input_tokens}`), `POST /v1beta/models/{model}:countTokens` (also under
 * `/v1/`; Gemini: `{totalTokens}`) and `POST /v1/responses/input_tokens` (OpenAI Responses:
 * `{object: "response.input_tokens", input_tokens}`). Where the count comes from is plan.ts. Counting requests are
 * authenticated and admitted like generations (RPM, budget) but charge no tokens and bill nothing.
 */
import type { FunctionUrlEvent, StreamingHandler } from '../runtime/awslambda.js';
import { GatewayError, badRequest } from '../gateway/errors.js';
import { errorBody as openaiAnthropicErrorBody } from '../gateway/render.js';
import { adapterFor, clientSide } from '../protocol/registry.js';
import { translateErrorBody } from '../protocol/translate.js';
import { statusErrorBody as googleErrorBody } from '../protocol/generate-content/client-errors.js';
import { geminiCall } from '../protocol/generate-content/framing.js';
import { validate as validateGemini } from '../protocol/generate-content/request-in.js';
import type { WireProtocol } from '../protocol/wire.js';
import { callWithFailover } from '../unary/call.js';
import { unaryHandler, type UnaryContext, type UnaryReply } from '../unary/edge.js';
import { countAnswer, countFromAnswer, countLeg, geminiCountRequest, openaiCountBody, type CountClient, type CountInput } from './plan.js';

type J = Record<string, unknown>;

const WIRE = { anthropic: 'messages', gemini: 'generate-content', responses: 'responses' } as const satisfies Record<CountClient, WireProtocol>;

export function countClient(event: FunctionUrlEvent): CountClient {
  if (event.rawPath === '/v1/messages/count_tokens') return 'anthropic';
  if (event.rawPath === '/v1/responses/input_tokens') return 'responses';
  if (geminiCall(event.rawPath, {})?.method === 'countTokens') return 'gemini';
  throw new GatewayError(404, 'not_found', `No endpoint ${event.rawPath} here; this function serves /v1/messages/count_tokens, /v1beta/models/{model}:countTokens and /v1/responses/input_tokens.`);
}

export function gatewayErrorBody(client: CountClient, err: GatewayError, requestId: string): string {
  if (client !== 'gemini') return openaiAnthropicErrorBody(clientSide(WIRE[client]), err, requestId);
  return googleErrorBody(err.status, err.message, err.status === 401 ? 'API_KEY_INVALID' : undefined);
}

function parse(client: CountClient, event: FunctionUrlEvent, json: J): { model: string } {
  if (client === 'gemini') {
    validateGemini(geminiCountRequest(json));
    return { model: geminiCall(event.rawPath, {})?.model ?? '' };
  }
  if (typeof json.model !== 'string' || json.model === '') throw badRequest("'model' is required and must be a non-empty string.", 'model');
  if (client === 'responses') {
    // OpenAI counts a request without `input` (instructions and tools alone) too.
    if (json.input !== undefined && json.input !== null && typeof json.input !== 'string' && !Array.isArray(json.input)) throw badRequest("'input' must be a string or an array of input items.", 'input');
    return { model: json.model };
  }
  if (!Array.isArray(json.messages)) throw badRequest("'messages' is required and must be an array.", 'messages');
  return { model: json.model };
}

async function run(client: CountClient, ctx: UnaryContext): Promise<UnaryReply> {
  const input: CountInput = { client, text: ctx.text, json: ctx.json, clientHeaders: ctx.event.headers, rawQuery: client === 'anthropic' ? ctx.event.rawQueryString : '' };
  const notes: string[] = [];
  const r = await callWithFailover(ctx.route, ctx.model, (cand) => countLeg(input, cand.upstream.protocol, cand.target.model, notes), ctx.signal);
  const upstream = r.cand.upstream.protocol;
  const log = { provider: adapterFor(upstream).recordName, upstreamId: r.cand.upstream.id, upstreamModel: r.cand.target.model, notes };
  if (r.local) {
    const { countChatTokens } = await import('./openai-tokens.js');
    const n = await countChatTokens(openaiCountBody(input, r.cand.target.model, notes), r.cand.target.model);
    return { status: 200, body: countAnswer(client, n), contentType: 'application/json', tokens: null, log: { ...log, inputTokens: n, counted: 'local' } };
  }
  const same = WIRE[client] === upstream;
  if (r.status < 200 || r.status >= 300) {
    if (same) return { status: r.status, body: r.body, contentType: r.contentType, tokens: null, log: { ...log, upstreamStatus: r.status } };
    const e = translateErrorBody(WIRE[client], upstream, r.status, r.body);
    return { status: e.status, body: e.body, contentType: 'application/json', tokens: null, log: { ...log, upstreamStatus: r.status } };
  }
  const n = countFromAnswer(upstream, r.body);
  if (n === undefined) throw new GatewayError(502, 'upstream', `The ${adapterFor(upstream).recordName} upstream answered the count without a token count.`);
  // Same protocol: the upstream's own bytes (Gemini adds per-part details a client may read).
  const body = same ? r.body : countAnswer(client, n);
  return { status: 200, body, contentType: 'application/json', tokens: null, log: { ...log, inputTokens: n } };
}

export function countTokensHandler(): StreamingHandler {
  return unaryHandler<CountClient>({ fn: 'count-tokens', client: countClient, errorBody: gatewayErrorBody, parse, estimate: () => 0, run });
}
