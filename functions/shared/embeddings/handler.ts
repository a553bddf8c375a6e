/**
 * Embeddings, routed like chat models (plan.ts for what each upstream gets), billed at the
 * embedding model's input price with one usage record per request, like a generation:
 * POST /v1/embeddings (OpenAI shape) and POST /v1beta/models/{model}:embedContent |
 * :batchEmbedContents (Gemini shape, also /v1/; what the google-genai SDKs call).
 */
import type { FunctionUrlEvent, StreamingHandler } from '../runtime/awslambda.js';
import { GatewayError } from '../gateway/errors.js';
import { errorBody } from '../gateway/render.js';
import { adapterFor, clientSide } from '../protocol/registry.js';
import { translateErrorBody } from '../protocol/translate.js';
import { callWithFailover, type UnaryLeg } from '../unary/call.js';
import type { Candidate } from '../upstream/pool.js';
import type { WireProtocol } from '../protocol/wire.js';
import type { TokenUsage } from '../usage/types.js';
import { unaryHandler, type UnaryContext, type UnaryReply } from '../unary/edge.js';
import { statusErrorBody } from '../protocol/generate-content/client-errors.js';
import {
  embeddingsLeg,
  geminiAnswerFromOpenAI,
  geminiEmbedCall,
  geminiEmbedLeg,
  geminiEmbedUsage,
  geminiEmbeddingUsage,
  openaiEmbeddingUsage,
  openaiListFromGemini,
  validateEmbeddings,
  validateGeminiEmbed,
} from './plan.js';

type J = Record<string, unknown>;

type Client = 'openai' | 'gemini';

function client(event: FunctionUrlEvent): Client {
  if (event.rawPath === '/v1/embeddings') return 'openai';
  if (geminiEmbedCall(event.rawPath)) return 'gemini';
  throw new GatewayError(404, 'not_found', `No endpoint ${event.rawPath} here; this function serves /v1/embeddings and /v1beta/models/{model}:embedContent | :batchEmbedContents.`);
}

/**
 * What differs between the two client shapes: the protocol whose upstreams are passed through,
 * the leg each upstream gets, and how an answer is billed and (when translated) re-shaped.
 */
interface Side {
  same: WireProtocol;
  leg(cand: Candidate): UnaryLeg;
  /** Usage of an answer passed through as it came. */
  usageSame(answer: J): TokenUsage;
  /** Usage and the client-shaped body of an answer from the other protocol. */
  translated(answer: J): { usage: TokenUsage; body: unknown };
}

function sideOf(c: Client, ctx: UnaryContext): Side {
  if (c === 'gemini') {
    const call = geminiEmbedCall(ctx.event.rawPath) as NonNullable<ReturnType<typeof geminiEmbedCall>>;
    return {
      same: 'generate-content',
      leg: (cand) => geminiEmbedLeg(cand.upstream.protocol, call, ctx.text, ctx.json, cand.target.model),
      usageSame: (answer) => geminiEmbedUsage(call, ctx.json, answer),
      translated: (answer) => ({ usage: openaiEmbeddingUsage(answer), body: geminiAnswerFromOpenAI(call, answer) }),
    };
  }
  return {
    same: 'chat-completions',
    leg: (cand) => embeddingsLeg(cand.upstream.protocol, ctx.text, ctx.json, cand.target.model, ctx.model),
    usageSame: openaiEmbeddingUsage,
    translated: (answer) => ({ usage: geminiEmbeddingUsage(answer), body: openaiListFromGemini(answer, ctx.model, ctx.json.encoding_format === 'base64') }),
  };
}

async function run(c: Client, ctx: UnaryContext): Promise<UnaryReply> {
  const side = sideOf(c, ctx);
  const notes: string[] = [];
  const r = await callWithFailover(ctx.route, ctx.model, side.leg, ctx.signal);
  if (r.local) throw new Error('embeddings have no local answer');
  const upstream = r.cand.upstream.protocol;
  const log = { provider: adapterFor(upstream).recordName, upstreamId: r.cand.upstream.id, upstreamModel: r.cand.target.model };
  if (r.status < 200 || r.status >= 300) {
    const e = upstream === side.same ? { status: r.status, body: r.body } : translateErrorBody(side.same, upstream, r.status, r.body);
    return { status: e.status, body: e.body, contentType: 'application/json', tokens: null, log: { ...log, upstreamStatus: r.status }, billed: { cand: r.cand, usage: null, notes } };
  }
  let answer: J;
  try {
    answer = JSON.parse(r.body) as J;
  } catch {
    throw new GatewayError(502, 'upstream', `The ${adapterFor(upstream).recordName} upstream answered the embeddings request with a body that is not JSON.`);
  }
  if (upstream === side.same) {
    const usage = side.usageSame(answer);
    return { status: 200, body: r.body, contentType: r.contentType, tokens: usage.inputTokens, log, billed: { cand: r.cand, usage, notes } };
  }
  const { usage, body } = side.translated(answer);
  return { status: 200, body: JSON.stringify(body), contentType: 'application/json', tokens: usage.inputTokens, log, billed: { cand: r.cand, usage, notes } };
}

export function embeddingsHandler(): StreamingHandler {
  return unaryHandler<Client>({
    fn: 'embeddings',
    recordAs: 'openai',
    client,
    errorBody: (c, err, requestId) => (c === 'gemini' ? statusErrorBody(err.status, err.message, err.status === 401 ? 'API_KEY_INVALID' : undefined) : errorBody(clientSide('chat-completions'), err, requestId)),
    parse: (c, event, json) => {
      if (c === 'gemini') {
        const call = geminiEmbedCall(event.rawPath) as NonNullable<ReturnType<typeof geminiEmbedCall>>;
        validateGeminiEmbed(call, json);
        return { model: call.model };
      }
      validateEmbeddings(json);
      return { model: json.model as string };
    },
    estimate: (text) => Math.ceil(text.length / 4),
    run,
  });
}
