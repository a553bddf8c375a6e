/**
 * The request path of the endpoints beside generation (token counting, embeddings): check,
 * authenticate, route, admit (rate limits and budget, like every request), do the one job, and
 * log one line. These are not generations: no usage record is billed for a count, and an
 * embedding's usage is priced and recorded by its own endpoint (`run` returns it).
 */
import { gatewayConfig } from '../config.js';
import { log } from '../logging/log.js';
import type { FunctionUrlEvent, LambdaContext, LambdaResponseStream, StreamingHandler } from '../runtime/awslambda.js';
import { ResponseWriter } from '../runtime/response.js';
import type { GatewayKey, Route } from '../store/records.js';
import { authenticate, checkOrigin, extractKey } from '../gateway/auth.js';
import { GatewayError, badRequest } from '../gateway/errors.js';
import { admit, type Admission } from '../gateway/limits.js';
import { asGatewayError, newRecord, persist, seal } from '../gateway/finish.js';
import { priceUsage } from '../gateway/pricing.js';
import type { Candidate } from '../upstream/pool.js';
import { adapterFor } from '../protocol/registry.js';
import type { ClientProtocol, TokenUsage } from '../usage/types.js';
import { decodeBody } from '../gateway/request.js';
import { flushHealthWrites } from '../upstream/health.js';
import { assertModelAllowed, findRoute } from '../gateway/routes.js';

type J = Record<string, unknown>;

export interface UnaryContext {
  event: FunctionUrlEvent;
  text: string;
  json: J;
  model: string;
  route: Route;
  key: GatewayKey;
  requestId: string;
  signal: AbortSignal;
}

export interface UnaryReply {
  status: number;
  body: string;
  contentType: string;
  /** Tokens to settle the key's TPM window with (null: leave the admission estimate). */
  tokens: number | null;
  /** Facts for the request's log line. */
  log: Record<string, unknown>;
  /** A billed call (embeddings): its usage, priced and written to the ledger like a generation's. */
  billed?: { cand: Candidate; usage: TokenUsage | null; notes: string[] };
}

export interface UnaryEndpoint<C> {
  fn: string;
  /** Billed endpoints write a usage record (in the client protocol named here) instead of a plain log line. */
  recordAs?: ClientProtocol;
  /** Which client protocol a request speaks (from its path), or a 404 GatewayError. */
  client(event: FunctionUrlEvent): C;
  errorBody(client: C, err: GatewayError, requestId: string): string;
  /** Lenient validation; the model comes from the body or (Gemini) the path. */
  parse(client: C, event: FunctionUrlEvent, json: J): { model: string };
  /** The token estimate admission charges before the work (counts charge none). */
  estimate(text: string): number;
  run(client: C, ctx: UnaryContext): Promise<UnaryReply>;
}

export function parseJsonObject(text: string): J {
  if (text.trim() === '') throw badRequest('Request body is empty; expected a JSON object.');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw badRequest(`Request body is not valid JSON: ${err instanceof Error ? err.message : 'parse error'}`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw badRequest('Request body must be a JSON object.');
  return v as J;
}

export function unaryHandler<C>(ep: UnaryEndpoint<C>): StreamingHandler {
  return (event, stream, context) => handle(ep, event, stream, context);
}

async function handle<C>(ep: UnaryEndpoint<C>, event: FunctionUrlEvent, stream: LambdaResponseStream, context: LambdaContext): Promise<void> {
  const startedAt = performance.now();
  const cfg = gatewayConfig();
  const requestId = context.awsRequestId;
  const out = new ResponseWriter(stream);
  const line: Record<string, unknown> = { requestId, fn: ep.fn, path: event.rawPath };
  let client: C | undefined;
  let status = 500;
  let settle: Admission['settle'] | undefined;
  let tokens: number | null = null;
  const rec = ep.recordAs ? newRecord(requestId, event, ep.fn, ep.recordAs) : undefined;
  try {
    client = ep.client(event);
    const method = event.requestContext.http.method;
    if (method !== 'POST') throw new GatewayError(405, 'method_not_allowed', `Method ${method} is not allowed on ${event.rawPath}; use POST.`);
    checkOrigin(event.headers);
    const apiKey = extractKey(event.headers, event.queryStringParameters);
    if (!apiKey) throw new GatewayError(401, 'authentication', 'Missing API key. Send "Authorization: Bearer <key>", "x-api-key: <key>" or "x-goog-api-key: <key>".');
    const auth = authenticate(apiKey);
    if (auth instanceof Promise) auth.catch(() => undefined); // awaited below; decoding runs meanwhile
    const text = decodeBody(event, cfg.maxBodyBytes);
    const key = auth instanceof Promise ? await auth : auth;
    line.keyId = key.id;
    if (rec) rec.keyId = key.id;
    const json = parseJsonObject(text);
    const { model } = ep.parse(client, event, json);
    line.model = model;
    if (rec) rec.model = model;
    const route = await findRoute(model);
    assertModelAllowed(key, model);
    const admission = admit(key, ep.estimate(text));
    settle = admission.settle;
    await admission.ready;
    const reply = await ep.run(client, { event, text, json, model, route, key, requestId, signal: AbortSignal.timeout(cfg.totalTimeoutMs) });
    status = reply.status;
    tokens = reply.tokens;
    Object.assign(line, reply.log);
    if (rec && reply.billed) {
      const { cand, usage } = reply.billed;
      Object.assign(rec, { provider: adapterFor(cand.upstream.protocol).recordName, upstreamId: cand.upstream.id, upstreamModel: cand.target.model, upstreamKeyId: cand.keyId, usage, notes: reply.billed.notes });
      const priced = await priceUsage(adapterFor(cand.upstream.protocol).recordName, cand.target.model, usage, new Date(rec.time));
      Object.assign(rec, { costMicros: priced.costMicros, priceSource: priced.priceSource, priceVersion: priced.priceVersion });
    }
    await out.send(reply.status, { 'content-type': reply.contentType, 'x-request-id': requestId, 'request-id': requestId }, reply.body, { end: false });
  } catch (err) {
    const ge = asGatewayError(err, requestId);
    status = ge.status;
    line.errorType = ge.kind;
    if (rec) rec.errorType = ge.kind;
    const body = client === undefined ? JSON.stringify({ error: { code: ge.status, message: ge.message } }) : ep.errorBody(client, ge, requestId);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': requestId, 'request-id': requestId, ...ge.extra.headers };
    if (ge.extra.retryAfterS !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(ge.extra.retryAfterS)));
    if (ge.status === 405) headers.allow = 'POST';
    if (!out.isCommitted) await out.send(ge.status, headers, body, { end: false });
  } finally {
    if (rec) {
      rec.status = status;
      seal(rec, startedAt); // the record's log line, before the last byte (finish.ts)
    }
    await out.end();
    await settle?.(tokens)?.catch(() => undefined);
    if (rec) await persist(rec);
    else {
      // Key-health writes ran beside the call; Lambda freezes at return, so they end here.
      await flushHealthWrites();
      log(status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info', 'request', { ...line, status, durationMs: Math.round((performance.now() - startedAt) * 10) / 10 });
    }
  }
}
