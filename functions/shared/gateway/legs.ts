/**
 * How one attempt talks to its upstream: the request to send and how to read the answer back
 * into the client's protocol. Same protocol → pass-through (only the model name edited, bytes
 * relayed untouched, usage read beside them). Different protocol → the translation modules in
 * ../protocol, through the canonical stream model.
 */
import { rewriteModel } from '../protocol/json-text.js';
import { clientSide, upstreamSide } from '../protocol/registry.js';
import { createStreamTranslation, planUpstreamRequest, translateErrorBody, translateResponseBody, type StreamTranslation, type TranslateOptions, type UpstreamRequestPlan } from '../protocol/translate.js';
import type { WireProtocol } from '../protocol/wire.js';
import type { Route, RouteTarget, Upstream } from '../store/records.js';
import { routeUpstreams, type Candidate } from '../upstream/pool.js';
import type { TokenUsage } from '../usage/types.js';
import type { ClientRequest } from './request.js';
import { compactionAsRequest, compactionFromResponse } from '../protocol/responses/compaction.js';
import { stripOrgBoundReasoning } from '../protocol/responses/failover.js';

export const DEFAULT_MAX_TOKENS = 4096;

export interface Leg {
  client: WireProtocol;
  passThrough: boolean;
  /** EzyBus asked the upstream for usage the client did not ask for: keep it from the client. */
  stripUsage: boolean;
  upstreamProtocol: WireProtocol;
  path: string;
  body: string;
  headers: Record<string, string>;
  notes: string[];
  /** Options of a translated leg (what its stream, body and error translation need). */
  translate: TranslateOptions;
  /** A Responses `/compact` answered by the routed model itself (responses/compaction.ts). */
  compact?: boolean;
}

export function buildLeg(
  client: WireProtocol,
  req: ClientRequest,
  clientHeaders: Record<string, string>,
  cand: Candidate,
  route: Route,
  rawQuery = '',
  /** This attempt follows one on another upstream key (possibly another organisation). */
  retry = false,
): Leg {
  const upstream = cand.upstream.protocol;
  const side = upstreamSide(upstream);
  const model = cand.target.model;
  const translate = optionsFor(req, route, model);
  if (upstream === client) {
    const own = clientSide(client).passThrough?.(req.text, model, rawQuery) ?? { text: rewriteModel(req.text, model), query: rawQuery };
    const prepared = side.preparePassThrough(own.text, req.stream);
    const { stripUsage } = prepared;
    let body = prepared.text;
    const notes: string[] = [];
    if (retry && upstream === 'responses') {
      const s = stripOrgBoundReasoning(body);
      if (s.stripped) notes.push(`${s.stripped} encrypted reasoning item(s) removed: they are bound to the organisation of an earlier key`);
      body = s.text;
    }
    const path = side.path(model, req.stream) + req.subpath;
    return {
      client,
      passThrough: true,
      stripUsage,
      upstreamProtocol: upstream,
      // The client's query string (e.g. the Anthropic SDK's `?beta=true`) travels with it.
      path: own.query ? `${path}${path.includes('?') ? '&' : '?'}${own.query}` : path,
      body,
      headers: { 'content-type': 'application/json', ...side.forwardedHeaders(clientHeaders) },
      notes,
      translate,
    };
  }
  // Planned before the response was committed (planTranslations), so bad input was a 400 then.
  // A Responses /compact is answered by the model itself: its own request (responses/compaction.ts).
  const compact = client === 'responses' && req.subpath === '/compact';
  const plan = compact
    ? planUpstreamRequest(client, upstream, clientHeaders, { ...translate, request: compactionAsRequest(req.json) })
    : (req.plans?.get(planKey(upstream, model)) ?? planUpstreamRequest(client, upstream, clientHeaders, translate));
  translate.inputTokensEstimate = plan.inputTokensEstimate;
  return {
    client,
    passThrough: false,
    stripUsage: false,
    upstreamProtocol: upstream,
    path: plan.path,
    body: plan.body,
    headers: { 'content-type': 'application/json', ...plan.headers },
    notes: plan.notes,
    translate,
    ...(compact ? { compact } : {}),
  };
}

export function translatedStream(leg: Leg, onUsage: (u: TokenUsage, stopReason: string | null, upstreamError: boolean) => void): StreamTranslation {
  return createStreamTranslation(leg.client, leg.upstreamProtocol, { ...leg.translate, stream: true, onUsage });
}

const planKey = (upstream: WireProtocol, model: string): string => `${upstream}\n${model}`;

/**
 * Every translated leg a route can take, planned up front: input that cannot be translated is
 * a 400 in the client's protocol before the response is committed — never a 200 followed by an
 * error event — and failover reuses the plans. Same-protocol targets are not looked at: their
 * upstream validates what it owns.
 */
export function planTranslations(client: WireProtocol, req: ClientRequest, clientHeaders: Record<string, string>, route: Route): void | Promise<void> {
  const pairs = routeUpstreams(route);
  if (pairs instanceof Promise) return pairs.then((p) => planWith(client, req, clientHeaders, route, p));
  planWith(client, req, clientHeaders, route, pairs);
}

function planWith(client: WireProtocol, req: ClientRequest, clientHeaders: Record<string, string>, route: Route, pairs: Array<{ target: RouteTarget; upstream: Upstream }>): void {
  const plans = new Map<string, UpstreamRequestPlan>();
  for (const { target, upstream } of pairs) {
    const key = planKey(upstream.protocol, target.model);
    if (upstream.protocol === client || plans.has(key)) continue;
    plans.set(key, planUpstreamRequest(client, upstream.protocol, clientHeaders, optionsFor(req, route, target.model)));
  }
  req.plans = plans;
}

function optionsFor(req: ClientRequest, route: Route, model: string): TranslateOptions {
  return {
    upstreamModel: model,
    publicModel: req.model,
    stream: req.stream,
    maxTokensDefault: route.maxTokensDefault ?? DEFAULT_MAX_TOKENS,
    ...(route.thinkingBudgets ? { thinkingBudgets: route.thinkingBudgets } : {}),
    ...(route.autoCache ? { autoCache: route.autoCache } : {}),
    request: req.json,
  };
}

export function translatedBody(leg: Leg, body: string): { body: string; usage: TokenUsage | null } {
  const t = translateResponseBody(leg.client, leg.upstreamProtocol, body, { ...leg.translate, stream: false });
  if (!leg.compact) return t;
  return { ...t, body: JSON.stringify(compactionFromResponse(leg.translate.request ?? {}, JSON.parse(t.body) as Record<string, unknown>)) };
}

export function translatedError(leg: Leg, status: number, body: string): { status: number; body: string } {
  if (leg.passThrough) return { status, body };
  return translateErrorBody(leg.client, leg.upstreamProtocol, status, body);
}
