/**
 * The admin API (`/admin/*`): JSON over HTTP, authenticated by admin keys, one route per
 * operation of ops.ts (the same functions the CLI calls). A `read` key may only GET. Every
 * refusal is a 4xx with `{"error":{"type","message"}}`; only a fault of ours is a 5xx.
 *
 *   GET    /admin/whoami                         the calling key (id, name, scope)
 *   GET    /admin/overview?minutes=15            rates, TTFT, errors, failovers, hedging, spend today
 *   GET    /admin/keys                           gateway keys (no hashes)
 *   POST   /admin/keys                           create; the key is in the answer, once
 *   PATCH  /admin/keys/{id}                      update limits
 *   POST   /admin/keys/{id}/revoke
 *   GET    /admin/upstreams                      upstreams, their keys, health and cooldowns
 *   POST   /admin/upstreams                      add (optionally with a first provider key)
 *   PATCH  /admin/upstreams/{id}                 {disabled}
 *   POST   /admin/upstreams/{id}/keys            rotate: add a key {apiKey, retire?}
 *   PATCH  /admin/upstreams/{id}/keys/{keyId}    {disabled}
 *   GET    /admin/routes          PUT /admin/routes            {model, targets, …}
 *   GET    /admin/prices          PUT /admin/prices            {model, input, output, … USD/MTok}
 *   DELETE /admin/prices/{model}
 *   GET    /admin/usage?from&to&key&format=csv   per key, model and day
 *   GET    /admin/requests?minutes&before&limit&model&key&upstream&status&protocol
 *   GET    /admin/requests/{id}                  the whole usage record
 *   GET    /admin/audit?days=7&limit=100
 */
import { listGatewayKeys, listPriceOverrides, listRoutes, getUsageRecord, listTotals } from '../store/repo.js';
import { catalogRows, PRICE_CATALOG_VERSION, type ModelPrice, type PriceTier } from '../usage/prices.js';
import { listRecent, type RequestRow } from '../usage/recent.js';
import { PROTOCOL_SPELLINGS, wireProtocolOf } from '../protocol/wire.js';
import { listHealth } from '../upstream/health.js';
import { actorOf, authenticateAdmin, type AdminKey } from './admin-keys.js';
import { listAudit, type Actor } from './audit.js';
import { OpError } from './errors.js';
import {
  addUpstream,
  addUpstreamKey,
  createGatewayKey,
  keyView,
  listUpstreamViews,
  removePriceOverride,
  revokeGatewayKey,
  rotateUpstreamKey,
  setCheckedRoute,
  setPriceOverride,
  setUpstreamDisabled,
  setUpstreamKeyDisabled,
  updateGatewayKey,
  type KeyLimits,
  type RouteOptions,
} from './ops.js';
import { overview } from './overview.js';
import { toCsv, usageRows } from './usage-report.js';
import * as v from './validate.js';

export interface AdminRequest {
  method: string;
  /** Path below /admin, e.g. `/keys/gk_1/revoke`. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string | undefined;
}

export interface AdminResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const MAX_BODY = 64 * 1024;
const json = (status: number, value: unknown): AdminResponse => ({
  status,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(value),
});

type Handler = (req: AdminRequest, params: string[], who: Actor) => Promise<AdminResponse>;
interface Route {
  method: string;
  pattern: RegExp;
  write: boolean;
  run: Handler;
}

const routes: Route[] = [];
const on = (method: string, pattern: RegExp, run: Handler): void => {
  routes.push({ method, pattern, write: method !== 'GET', run });
};

export async function handleAdmin(req: AdminRequest, now = Date.now()): Promise<AdminResponse> {
  try {
    const matching = routes.filter((r) => r.pattern.test(req.path));
    if (!matching.length) throw new OpError(404, `No admin endpoint at /admin${req.path}.`);
    const route = matching.find((r) => r.method === req.method);
    if (!route) {
      const allow = matching.map((r) => r.method).join(', ');
      return { ...json(405, { error: { type: 'method_not_allowed', message: `Use ${allow} on /admin${req.path}.` } }), headers: { 'content-type': 'application/json', allow } };
    }
    const key: AdminKey = await authenticateAdmin(bearer(req.headers));
    if (route.write && key.scope !== 'write') throw new OpError(403, `The admin key '${key.name}' is read-only; ${req.method} /admin${req.path} needs a write key.`);
    if (route.write && req.body !== undefined && req.body.length > 0) {
      if (Buffer.byteLength(req.body) > MAX_BODY) throw new OpError(413, `Admin request bodies are limited to ${MAX_BODY / 1024} KiB.`);
      const ct = req.headers['content-type'] ?? '';
      if (!/^application\/json\b/i.test(ct)) throw new OpError(415, 'Send the body as application/json.');
    }
    const params = (route.pattern.exec(req.path) ?? []).slice(1).map((p) => decodeURIComponent(p));
    return await route.run({ ...req, query: { ...req.query, now: String(now) } }, params, actorOf(key));
  } catch (err) {
    if (err instanceof OpError) return json(err.status, { error: { type: errorType(err.status), message: err.message } });
    if (err instanceof URIError) return json(400, { error: { type: 'invalid_request', message: 'The path is not valid percent-encoding.' } });
    throw err;
  }
}

function errorType(status: number): string {
  return ({ 401: 'authentication', 403: 'permission', 404: 'not_found', 409: 'conflict', 413: 'too_large', 415: 'unsupported_media_type' } as Record<number, string>)[status] ?? 'invalid_request';
}

function bearer(h: Record<string, string>): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h.authorization ?? '');
  return m?.[1] ?? h['x-api-key'];
}

const nowOf = (req: AdminRequest): number => Number(req.query.now);
const dayOf = (t: number): string => new Date(t).toISOString().slice(0, 10);

// ---- who ----

on('GET', /^\/whoami$/, async (req) => {
  const k = await authenticateAdmin(bearer(req.headers));
  return json(200, { id: k.id, name: k.name, scope: k.scope });
});

// ---- overview ----

on('GET', /^\/overview$/, async (req) => {
  const minutes = Number(v.query(req.query, 'minutes', /^\d{1,4}$/, 'whole minutes from 1 to 1440') ?? 15);
  if (minutes < 1 || minutes > 1440) throw new OpError(400, '?minutes= must be from 1 to 1440.');
  const to = nowOf(req);
  const from = to - minutes * 60_000;
  const { rows, truncated } = await listRecent({ from, to, limit: 20_000, maxItems: 20_000 });
  const bucketMs = Math.max(10_000, Math.ceil((minutes * 60_000) / 60 / 10_000) * 10_000);
  const today = dayOf(to);
  // Spend today: the ledger's per-key day totals, one small Query per key (docs/console.md).
  const keys = await listGatewayKeys();
  let spendTodayMicros = 0;
  let requestsToday = 0;
  for (const t of (await Promise.all(keys.map((k) => listTotals(k.id, `day#${today}#`)))).flat()) {
    spendTodayMicros += t.values.costMicros ?? 0;
    requestsToday += t.values.requests ?? 0;
  }
  return json(200, { ...overview(rows, from, to, bucketMs), truncated, today, spendTodayMicros, requestsToday });
});

// ---- gateway keys ----

const KEY_FIELDS = ['name', 'models', 'expiresAt', 'rpm', 'tpm', 'budgetUsd'] as const;
function keyLimits(b: v.Json): KeyLimits {
  const out: KeyLimits = {};
  const models = v.strings(b, 'models');
  if (models) out.allowedModels = models;
  const exp = v.isoTime(b, 'expiresAt');
  if (exp !== undefined) out.expiresAt = exp;
  const rpm = v.int(b, 'rpm', { max: 1_000_000 });
  if (rpm !== undefined) out.rpm = rpm;
  const tpm = v.int(b, 'tpm', { max: 1_000_000_000 });
  if (tpm !== undefined) out.tpm = tpm;
  const budget = v.num(b, 'budgetUsd', { max: 10_000_000 });
  if (budget !== undefined) out.budgetMicros = Math.round(budget * 1e6);
  return out;
}

on('GET', /^\/keys$/, async () => json(200, { keys: (await listGatewayKeys()).map(keyView).sort((a, b) => a.createdAt - b.createdAt) }));
on('POST', /^\/keys$/, async (req, _p, who) => {
  const b = v.body(req.body, KEY_FIELDS);
  const name = v.str(b, 'name', { required: true, max: 100 });
  const { key, record } = await createGatewayKey({ name, ...keyLimits(b) }, who);
  return json(201, { key, record: keyView(record) });
});
on('PATCH', /^\/keys\/([^/]+)$/, async (req, [id], who) => {
  const b = v.body(req.body, KEY_FIELDS);
  const name = v.str(b, 'name', { max: 100 });
  return json(200, { record: keyView(await updateGatewayKey(id as string, { ...(name ? { name } : {}), ...keyLimits(b) }, who)) });
});
on('POST', /^\/keys\/([^/]+)\/revoke$/, async (_req, [id], who) => json(200, { record: keyView(await revokeGatewayKey(id as string, who)) }));

// ---- upstreams ----

on('GET', /^\/upstreams$/, async (req) => {
  const health = await listHealth();
  const now = nowOf(req);
  const upstreams = (await listUpstreamViews()).map((u) => ({
    ...u,
    keys: u.keys.map((k) => {
      const h = health.get(`${u.id}/${k.id}`);
      const state = k.disabled ? 'disabled' : h?.disabled ? 'disabled' : h?.probeAfter !== undefined ? 'probing' : h && h.until > now ? 'cooling' : 'ready';
      return { ...k, state, ...(h ? { health: h } : {}), ...(h && h.until > now ? { coolingForMs: h.until - now } : {}) };
    }),
  }));
  return json(200, { now, upstreams });
});
on('POST', /^\/upstreams$/, async (req, _p, who) => {
  const b = v.body(req.body, ['id', 'protocol', 'baseUrl', 'apiKey']);
  const id = v.str(b, 'id', { required: true, pattern: v.UPSTREAM_ID, hint: 'lower-case letters, digits and dashes' });
  const protocol = wireProtocolOf(v.str(b, 'protocol', { required: true, max: 40 }));
  if (!protocol) throw new OpError(400, `protocol: must be one of ${PROTOCOL_SPELLINGS}.`);
  const baseUrl = v.str(b, 'baseUrl', { required: true, max: 2048, pattern: /^https?:\/\/\S+$/, hint: 'an http(s) URL' });
  const apiKey = v.str(b, 'apiKey', { max: 4096 });
  const u = await addUpstream(id, protocol, baseUrl, who);
  const keyId = apiKey ? await addUpstreamKey(id, apiKey, undefined, who) : undefined;
  return json(201, { upstream: u, ...(keyId ? { keyId } : {}) });
});
on('PATCH', /^\/upstreams\/([^/]+)$/, async (req, [id], who) => {
  const b = v.body(req.body, ['disabled']);
  const disabled = v.bool(b, 'disabled');
  if (disabled === undefined) throw new OpError(400, 'disabled: must be true or false; it is required.');
  return json(200, { upstream: await setUpstreamDisabled(id as string, disabled, who) });
});
on('POST', /^\/upstreams\/([^/]+)\/keys$/, async (req, [id], who) => {
  const b = v.body(req.body, ['apiKey', 'retire']);
  const apiKey = v.str(b, 'apiKey', { required: true, max: 4096 });
  const keyId = await rotateUpstreamKey(id as string, apiKey, v.str(b, 'retire', { max: 100 }), who);
  return json(201, { keyId });
});
on('PATCH', /^\/upstreams\/([^/]+)\/keys\/([^/]+)$/, async (req, [id, keyId], who) => {
  const b = v.body(req.body, ['disabled']);
  const disabled = v.bool(b, 'disabled');
  if (disabled === undefined) throw new OpError(400, 'disabled: must be true or false; it is required.');
  await setUpstreamKeyDisabled(id as string, keyId as string, disabled ? 'disabled by operator' : undefined, who);
  return json(200, { ok: true });
});

// ---- routes ----

on('GET', /^\/routes$/, async () => json(200, { routes: (await listRoutes()).sort((a, b) => a.model.localeCompare(b.model)) }));
on('PUT', /^\/routes$/, async (req, _p, who) => {
  const b = v.body(req.body, ['model', 'targets', 'active', 'maxTokensDefault', 'hedgeAfterMs', 'failoverStatuses', 'earlyCommit', 'autoCache', 'thinkingBudgets']);
  const model = v.str(b, 'model', { required: true, pattern: v.MODEL_NAME, hint: 'a model name (letters, digits, . _ : / @ -)' });
  const raw = v.objects(b, 'targets', { min: 1, max: 20 });
  if (!raw) throw new OpError(400, 'targets: must be an array of 1–20 objects; it is required.');
  const targets = raw.map((t, i) => {
    // Field names in messages say which target is wrong: targets[1].upstream.
    const p = Object.fromEntries(Object.entries(t).map(([k, val]) => [`targets[${i}].${k}`, val]));
    const at = (f: string): string => `targets[${i}].${f}`;
    const unknown = Object.keys(t).filter((k) => !['upstream', 'model', 'weight', 'priority'].includes(k));
    if (unknown.length) throw new OpError(400, `${at(unknown[0] as string)}: unknown field (a target has upstream, model, weight, priority).`);
    return {
      upstream: v.str(p, at('upstream'), { required: true, pattern: v.UPSTREAM_ID, hint: 'an upstream id' }),
      model: v.str(p, at('model'), { required: true, max: 200 }),
      weight: v.num(p, at('weight'), { max: 1_000_000 }) ?? 1,
      priority: v.int(p, at('priority'), { max: 1000 }) ?? 0,
    };
  });
  const extra: RouteOptions = {};
  const active = v.bool(b, 'active');
  if (active !== undefined) extra.active = active;
  const mt = v.int(b, 'maxTokensDefault', { min: 1, max: 10_000_000 });
  if (mt !== undefined) extra.maxTokensDefault = mt;
  const hedge = v.int(b, 'hedgeAfterMs', { min: 1, max: 600_000 });
  if (hedge !== undefined) extra.hedgeAfterMs = hedge;
  const fs = b.failoverStatuses;
  if (fs !== undefined && fs !== null) {
    if (!Array.isArray(fs) || fs.some((x) => typeof x !== 'number' || !Number.isInteger(x) || x < 400 || x > 599)) throw new OpError(400, 'failoverStatuses: must be an array of HTTP statuses 400–599.');
    extra.failoverStatuses = fs as number[];
  }
  if (v.bool(b, 'earlyCommit')) extra.earlyCommit = true;
  const ac = v.str(b, 'autoCache', { pattern: /^(5m|1h)$/, hint: '5m or 1h' });
  if (ac) extra.autoCache = ac as '5m' | '1h';
  const tb = v.object(b, 'thinkingBudgets', ['low', 'medium', 'high']);
  if (tb) {
    const t = (f: string): number => {
      const n = v.int({ [`thinkingBudgets.${f}`]: tb[f] }, `thinkingBudgets.${f}`, { min: 1024, max: 1_000_000 });
      if (n === undefined) throw new OpError(400, `thinkingBudgets.${f}: must be an integer from 1024 to 1000000; it is required.`);
      return n;
    };
    extra.thinkingBudgets = { low: t('low'), medium: t('medium'), high: t('high') };
  }
  return json(200, { route: await setCheckedRoute(model, targets, extra, who) });
});

// ---- prices ----

const TIER = ['input', 'output', 'cacheRead', 'cacheWrite5m', 'cacheWrite1h'] as const;
/** USD per million tokens → integer micro-dollars; cache prices default to the input price. */
function tierFromUsd(o: v.Json, at: string): PriceTier {
  const usd = (f: string): number | undefined => {
    const n = v.num(o, f, { max: 100_000 });
    return n === undefined ? undefined : Math.round(n * 1e6);
  };
  const input = usd('input');
  const output = usd('output');
  if (input === undefined || output === undefined) throw new OpError(400, `${at}input and ${at}output: USD per million tokens are required.`);
  return { input, output, cacheRead: usd('cacheRead') ?? input, cacheWrite5m: usd('cacheWrite5m') ?? input, cacheWrite1h: usd('cacheWrite1h') ?? input };
}

on('GET', /^\/prices$/, async () => json(200, { catalogVersion: PRICE_CATALOG_VERSION, overrides: await listPriceOverrides(), catalog: catalogRows() }));
on('PUT', /^\/prices$/, async (req, _p, who) => {
  const b = v.body(req.body, ['model', ...TIER, 'longContext', 'note']);
  const model = v.str(b, 'model', { required: true, max: 200 });
  const price: ModelPrice = tierFromUsd(b, '');
  const lc = v.object(b, 'longContext', ['aboveInputTokens', ...TIER]);
  if (lc) {
    const above = v.int(lc, 'aboveInputTokens', { min: 1 });
    if (above === undefined) throw new OpError(400, 'longContext.aboveInputTokens: must be a positive integer; it is required.');
    price.longContext = { ...tierFromUsd(lc, 'longContext.'), aboveInputTokens: above };
  }
  return json(200, { override: await setPriceOverride(model, price, v.str(b, 'note', { max: 500 }), who) });
});
on('DELETE', /^\/prices\/(.+)$/, async (_req, [model], who) => {
  if (!(await listPriceOverrides()).some((o) => o.model === model)) throw new OpError(404, `no price override for '${model}'`);
  await removePriceOverride(model as string, who);
  return json(200, { ok: true });
});

// ---- usage ----

on('GET', /^\/usage$/, async (req) => {
  const from = v.query(req.query, 'from', v.DAY, 'YYYY-MM-DD');
  const to = v.query(req.query, 'to', v.DAY, 'YYYY-MM-DD');
  const key = v.query(req.query, 'key', /^[A-Za-z0-9_-]{1,64}$/, 'a gateway key id');
  const format = v.query(req.query, 'format', /^(json|csv)$/, 'json or csv');
  const rows = await usageRows(await listGatewayKeys(), { ...(from ? { from } : {}), ...(to ? { to } : {}), ...(key ? { keyId: key } : {}) });
  if (format === 'csv') return { status: 200, headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="ezybus-usage.csv"', 'cache-control': 'no-store' }, body: toCsv(rows) };
  return json(200, { rows });
});

// ---- recent requests ----

on('GET', /^\/requests$/, async (req) => {
  const q = req.query;
  const limit = Number(v.query(q, 'limit', /^\d{1,3}$/, 'a number from 1 to 500') ?? 100);
  if (limit < 1 || limit > 500) throw new OpError(400, '?limit= must be from 1 to 500.');
  const minutes = Number(v.query(q, 'minutes', /^\d{1,5}$/, 'whole minutes') ?? 24 * 60);
  const beforeRaw = v.query(q, 'before', /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/, 'an ISO time such as 2026-12-01T10:00:00.000Z');
  const to = beforeRaw ? Date.parse(beforeRaw) : nowOf(req) + 1;
  if (!Number.isFinite(to)) throw new OpError(400, '?before= is not a valid time.');
  const model = v.query(q, 'model', v.MODEL_NAME, 'a model name');
  const key = v.query(q, 'key', /^[A-Za-z0-9_-]{1,64}$/, 'a gateway key id');
  const upstream = v.query(q, 'upstream', v.UPSTREAM_ID, 'an upstream id');
  const status = v.query(q, 'status', /^(ok|error|\d{3})$/, 'ok, error or an HTTP status');
  const protocol = v.query(q, 'protocol', /^(openai|anthropic|gemini)$/, 'openai, anthropic or gemini');
  const match = (r: RequestRow): boolean =>
    (!model || r.model === model) &&
    (!key || r.keyId === key) &&
    (!upstream || r.upstreamId === upstream || r.attempts.some((a) => a.upstream === upstream)) &&
    (!protocol || r.clientProtocol === protocol) &&
    (!status || (status === 'ok' ? r.status < 400 : status === 'error' ? r.status >= 400 : r.status === Number(status)));
  const res = await listRecent({ from: to - minutes * 60_000, to, limit, match });
  const last = res.rows[res.rows.length - 1];
  return json(200, { rows: res.rows, ...(res.truncated && last ? { next: last.time } : {}) });
});
on('GET', /^\/requests\/([A-Za-z0-9_.:-]{1,128})$/, async (_req, [id]) => {
  const rec = await getUsageRecord(id as string);
  if (!rec) throw new OpError(404, `no usage record for request '${id}' (records land in the ledger when the request ends)`);
  const { pk: _pk, sk: _sk, ttl: _ttl, totals: _t, ...record } = rec;
  return json(200, { record });
});

// ---- audit ----

on('GET', /^\/audit$/, async (req) => {
  const days = Number(v.query(req.query, 'days', /^\d{1,3}$/, 'a number of days from 1 to 90') ?? 7);
  const limit = Number(v.query(req.query, 'limit', /^\d{1,4}$/, 'a number from 1 to 1000') ?? 100);
  if (days < 1 || days > 90 || limit < 1 || limit > 1000) throw new OpError(400, '?days= must be 1–90 and ?limit= 1–1000.');
  const now = nowOf(req);
  return json(200, { entries: await listAudit(Array.from({ length: days }, (_, i) => dayOf(now - i * 86_400_000)), limit) });
});
