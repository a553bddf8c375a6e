/**
 * How one attempt talks to its upstream: the request to send and how to read the answer back
 * into the client's protocol. Same protocol → pass-through (only the model name edited, bytes
 * relayed untouched, usage read beside them). Different protocol → the translation modules in
 * ../protocol, through the canonical stream model.
 */
import { createStreamTranslator, planUpstreamRequest, translateErrorBody, translateResponseBody } from '../protocol/translate.js';
import { placeCacheBreakpoints } from '../protocol/cache-points.js';
import type { Route } from '../store/records.js';
import { completionPath, forwardedHeaders } from '../upstream/providers.js';
import type { Candidate } from '../upstream/pool.js';
import type { ClientProtocol, Protocol, TokenUsage } from '../usage/types.js';
import type { ClientRequest } from './request.js';
import { ensureIncludeUsage, rewriteModel } from './request.js';

export const DEFAULT_MAX_TOKENS = 4096;

export interface Leg {
  passThrough: boolean;
  /** EzyBus asked an OpenAI upstream for usage the client did not ask for: keep it from the client. */
  stripUsage: boolean;
  upstreamProtocol: Protocol;
  path: string;
  body: string;
  headers: Record<string, string>;
  notes: string[];
}

export function buildLeg(
  client: ClientProtocol,
  req: ClientRequest,
  clientHeaders: Record<string, string>,
  cand: Candidate,
  route: Route,
  rawQuery = '',
): Leg {
  const upstream = cand.upstream.protocol;
  const model = cand.target.model;
  if (upstream === client) {
    let body = rewriteModel(req.text, model);
    let stripUsage = false;
    if (upstream === 'openai' && req.stream) ({ text: body, stripUsage } = ensureIncludeUsage(body));
    return {
      passThrough: true,
      stripUsage,
      upstreamProtocol: upstream,
      // The client's query string (e.g. the Anthropic SDK's `?beta=true`) travels with it.
      path: completionPath(upstream, model, req.stream) + (rawQuery ? `?${rawQuery}` : ''),
      body,
      headers: { 'content-type': 'application/json', ...forwardedHeaders(upstream, clientHeaders) },
      notes: [],
    };
  }
  const plan = planUpstreamRequest(client, upstream, req.json, {
    upstreamModel: model,
    publicModel: req.model,
    stream: req.stream,
    maxTokensDefault: route.maxTokensDefault ?? DEFAULT_MAX_TOKENS,
    ...(route.thinkingBudgets ? { thinkingBudgets: route.thinkingBudgets } : {}),
  });
  if (route.autoCache && client === 'openai' && upstream === 'anthropic') {
    const body = JSON.parse(plan.body) as Record<string, unknown>;
    plan.notes.push(...placeCacheBreakpoints(body, route.autoCache));
    plan.body = JSON.stringify(body);
  }
  const headers: Record<string, string> = { 'content-type': 'application/json', ...plan.headers };
  if (upstream === 'anthropic') Object.assign(headers, forwardedHeaders('anthropic', clientHeaders), plan.headers);
  return { passThrough: false, stripUsage: false, upstreamProtocol: upstream, path: plan.path, body: plan.body, headers, notes: plan.notes };
}

export function translatedStream(
  client: ClientProtocol,
  leg: Leg,
  req: ClientRequest,
  cand: Candidate,
  route: Route,
  onUsage: (u: TokenUsage, stopReason: string | null, upstreamError: boolean) => void,
): TransformStream<Uint8Array, Uint8Array> {
  const so = req.json.stream_options as { include_usage?: unknown } | undefined;
  return createStreamTranslator(client, leg.upstreamProtocol, {
    upstreamModel: cand.target.model,
    publicModel: req.model,
    stream: true,
    maxTokensDefault: route.maxTokensDefault ?? DEFAULT_MAX_TOKENS,
    includeUsage: so?.include_usage === true,
    onUsage,
  });
}

export function translatedBody(
  client: ClientProtocol,
  leg: Leg,
  req: ClientRequest,
  cand: Candidate,
  route: Route,
  body: string,
): { body: string; usage: TokenUsage | null } {
  return translateResponseBody(client, leg.upstreamProtocol, body, {
    upstreamModel: cand.target.model,
    publicModel: req.model,
    stream: false,
    maxTokensDefault: route.maxTokensDefault ?? DEFAULT_MAX_TOKENS,
  });
}

export function translatedError(client: ClientProtocol, leg: Leg, status: number, body: string): { status: number; body: string } {
  if (leg.passThrough) return { status, body };
  return translateErrorBody(client, leg.upstreamProtocol, status, body);
}
