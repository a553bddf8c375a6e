/**
 * Operator operations on a stage's store: gateway keys, upstreams and their keys, routes, price
 * overrides. The one implementation behind the `ezybus` CLI, the admin API (functions/admin.ts),
 * `npm start`'s first-run setup and the tests (so tests configure the gateway the way an operator
 * would). Every change is written to the audit trail with who made it (`by`; `system` when a
 * setup step or test calls without one). Refusals are OpError with the HTTP status they mean.
 */
import { crypto } from '../runtime/builtins.js';
import { gatewayConfig } from '../config.js';
import { keyring, upstreamKeyContext } from '../crypto/keyring.js';
import { hashKey } from '../gateway/auth.js';
import type { GatewayKey, Route, RouteTarget, Upstream, UpstreamKeyRecord } from '../store/records.js';
import { deletePriceOverride, listGatewayKeys, listUpstreamKeys, listUpstreams, putGatewayKey, putPriceOverride, putRoute, putUpstream, putUpstreamKey, type PriceOverride } from '../store/repo.js';
import type { ModelPrice } from '../usage/prices.js';
import { audit, SYSTEM, type Actor } from './audit.js';
import { OpError } from './errors.js';
import { PROTOCOL_SPELLINGS, wireProtocolOf, type LegacyProtocolName, type WireProtocol } from '../protocol/wire.js';
import { modelNameProblem } from '../gateway/bounds.js';

const { randomBytes, randomUUID } = crypto;

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `prefix` + 32 base62 characters (~190 bits of randomness). */
export function generateKey(prefix = 'sk-eb-'): string {
  const bytes = randomBytes(32);
  let s = '';
  for (const b of bytes) s += B62[b % 62];
  return `${prefix}${s}`;
}

/** `sk-eb-` + 32 base62 characters. */
export function generateGatewayKey(): string {
  return generateKey('sk-eb-');
}

export interface KeyLimits {
  allowedModels?: string[];
  expiresAt?: number;
  rpm?: number;
  tpm?: number;
  budgetMicros?: number;
}

export interface CreateKeyOptions extends KeyLimits {
  name: string;
}

function applyLimits(record: GatewayKey, opts: KeyLimits): void {
  if (opts.allowedModels !== undefined) {
    if (opts.allowedModels.length) record.allowedModels = opts.allowedModels;
    else delete record.allowedModels;
  }
  if (opts.expiresAt !== undefined) record.expiresAt = opts.expiresAt;
  if (opts.rpm !== undefined) record.rpm = opts.rpm;
  if (opts.tpm !== undefined) record.tpm = opts.tpm;
  if (opts.budgetMicros !== undefined) record.budgetMicros = opts.budgetMicros;
}

/** A gateway key as shown to operators: everything but the hash. */
export type GatewayKeyView = Omit<GatewayKey, 'hash'>;
export const keyView = ({ hash: _hash, ...k }: GatewayKey): GatewayKeyView => k;

/** Creates a gateway key; the plaintext is returned once and stored nowhere. */
export async function createGatewayKey(opts: CreateKeyOptions, by: Actor = SYSTEM): Promise<{ key: string; record: GatewayKey }> {
  const key = generateGatewayKey();
  const record: GatewayKey = {
    id: `gk_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
    hash: hashKey(key),
    prefix: key.slice(0, 10),
    name: opts.name,
    createdAt: Date.now(),
  };
  applyLimits(record, opts);
  await putGatewayKey(record);
  await audit(by, 'keys.create', record.id, keyView(record));
  return { key, record };
}

async function findGatewayKey(id: string): Promise<GatewayKey> {
  const found = (await listGatewayKeys()).find((k) => k.id === id);
  if (!found) throw new OpError(404, `no gateway key with id '${id}'`);
  return found;
}

export async function updateGatewayKey(id: string, patch: KeyLimits & { name?: string }, by: Actor = SYSTEM): Promise<GatewayKey> {
  const found = await findGatewayKey(id);
  if (patch.name) found.name = patch.name;
  applyLimits(found, patch);
  await putGatewayKey(found);
  await audit(by, 'keys.update', id, patch);
  return found;
}

export async function revokeGatewayKey(id: string, by: Actor = SYSTEM): Promise<GatewayKey> {
  const found = await findGatewayKey(id);
  found.disabled = true;
  await putGatewayKey(found);
  await audit(by, 'keys.revoke', id, {});
  return found;
}

/** `protocol`: a wire protocol, or its name from before the rename (openai, anthropic, gemini). */
export async function addUpstream(id: string, protocolName: WireProtocol | LegacyProtocolName, baseUrl: string, by: Actor = SYSTEM): Promise<Upstream> {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) throw new OpError(400, `upstream id '${id}': use lower-case letters, digits and dashes`);
  const protocol = wireProtocolOf(protocolName);
  if (!protocol) throw new OpError(400, `unknown protocol '${String(protocolName)}': use one of ${PROTOCOL_SPELLINGS}`);
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new OpError(400, `upstream base URL is not a URL: ${baseUrl}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new OpError(400, `upstream base URL must be http(s): ${baseUrl}`);
  const u: Upstream = { id, protocol, baseUrl: url.toString().replace(/\/+$/, ''), createdAt: Date.now() };
  await putUpstream(u);
  await audit(by, 'upstreams.add', id, { protocol, baseUrl: u.baseUrl });
  return u;
}

async function findUpstream(id: string): Promise<Upstream> {
  const u = (await listUpstreams()).find((x) => x.id === id);
  if (!u) throw new OpError(404, `unknown upstream '${id}'`);
  return u;
}

/** Encrypts the provider key under the stage keyring with a context naming the record. */
export async function addUpstreamKey(upstreamId: string, apiKey: string, keyId?: string, by: Actor = SYSTEM): Promise<string> {
  const id = keyId ?? `uk_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const ciphertext = await keyring().encrypt(apiKey, upstreamKeyContext(gatewayConfig().stage, upstreamId, id));
  await putUpstreamKey({ upstreamId, id, ciphertext, hint: apiKey.slice(-4), createdAt: Date.now() });
  await audit(by, 'upstreams.key.add', `${upstreamId}/${id}`, { hint: `…${apiKey.slice(-4)}` });
  return id;
}

/** Adds a new provider key to a known upstream and, optionally, retires an old one. */
export async function rotateUpstreamKey(upstreamId: string, apiKey: string, retire: string | undefined, by: Actor = SYSTEM): Promise<string> {
  await findUpstream(upstreamId);
  if (retire) await findUpstreamKey(upstreamId, retire);
  const keyId = await addUpstreamKey(upstreamId, apiKey, undefined, by);
  if (retire) await setUpstreamKeyDisabled(upstreamId, retire, 'retired by rotation', by);
  return keyId;
}

export async function setUpstreamDisabled(id: string, disabled: boolean, by: Actor = SYSTEM): Promise<Upstream> {
  const u = await findUpstream(id);
  const next: Upstream = { ...u };
  if (disabled) next.disabled = true;
  else delete next.disabled;
  await putUpstream(next);
  await audit(by, disabled ? 'upstreams.disable' : 'upstreams.enable', id, {});
  return next;
}

async function findUpstreamKey(upstreamId: string, keyId: string): Promise<UpstreamKeyRecord> {
  const k = (await listUpstreamKeys(upstreamId)).find((x) => x.id === keyId);
  if (!k) throw new OpError(404, `no key '${keyId}' on upstream '${upstreamId}'`);
  return k;
}

export async function setUpstreamKeyDisabled(upstreamId: string, keyId: string, reason: string | undefined, by: Actor = SYSTEM): Promise<void> {
  const k = await findUpstreamKey(upstreamId, keyId);
  const next: UpstreamKeyRecord = { ...k };
  if (reason) {
    next.disabled = true;
    next.disabledReason = reason;
  } else {
    delete next.disabled;
    delete next.disabledReason;
  }
  await putUpstreamKey(next);
  await audit(by, reason ? 'upstreams.key.disable' : 'upstreams.key.enable', `${upstreamId}/${keyId}`, reason ? { reason } : {});
}

/** Upstreams with their keys as operators see them (hint only, never ciphertext). */
export async function listUpstreamViews(): Promise<Array<Upstream & { keys: { id: string; hint: string; disabled: boolean; reason?: string }[] }>> {
  const rows = [];
  for (const u of await listUpstreams()) {
    const keys = (await listUpstreamKeys(u.id)).map((k) => ({
      id: k.id,
      hint: `…${k.hint}`,
      disabled: k.disabled ?? false,
      ...(k.disabledReason ? { reason: k.disabledReason } : {}),
    }));
    rows.push({ ...u, keys });
  }
  return rows;
}

/** Decrypts with the current keyring and encrypts again (after a KMS key change or rotation). */
export async function reencryptUpstreamKey(k: UpstreamKeyRecord, from = keyring(), to = keyring(), by: Actor = SYSTEM): Promise<void> {
  const ctx = upstreamKeyContext(gatewayConfig().stage, k.upstreamId, k.id);
  const plain = await from.decrypt(k.ciphertext, ctx);
  await putUpstreamKey({ ...k, ciphertext: await to.encrypt(plain, ctx) });
  await audit(by, 'upstreams.key.reencrypt', `${k.upstreamId}/${k.id}`, {});
}

export type RouteOptions = Partial<Pick<Route, 'active' | 'ownedBy' | 'maxTokensDefault' | 'hedgeAfterMs' | 'failoverStatuses' | 'earlyCommit' | 'autoCache' | 'thinkingBudgets'>>;

export async function setRoute(
  model: string,
  targets: Array<Partial<RouteTarget> & Pick<RouteTarget, 'upstream' | 'model'>>,
  extra: RouteOptions = {},
  by: Actor = SYSTEM,
): Promise<Route> {
  if (!targets.length) throw new OpError(400, 'a route needs at least one target');
  const tooLong = modelNameProblem(model);
  if (tooLong) throw new OpError(400, tooLong);
  const route: Route = {
    model,
    targets: targets.map((t) => ({ upstream: t.upstream, model: t.model, weight: t.weight ?? 1, priority: t.priority ?? 0 })),
    active: extra.active ?? true,
    createdAt: Date.now(),
  };
  if (extra.ownedBy) route.ownedBy = extra.ownedBy;
  if (extra.maxTokensDefault !== undefined) route.maxTokensDefault = extra.maxTokensDefault;
  if (extra.hedgeAfterMs !== undefined) route.hedgeAfterMs = extra.hedgeAfterMs;
  if (extra.failoverStatuses?.length) route.failoverStatuses = extra.failoverStatuses;
  if (extra.earlyCommit) route.earlyCommit = true;
  if (extra.autoCache) route.autoCache = extra.autoCache;
  if (extra.thinkingBudgets) route.thinkingBudgets = extra.thinkingBudgets;
  await putRoute(route);
  await audit(by, 'routes.set', model, { targets: route.targets, ...extra });
  return route;
}

/** Like setRoute, but every target must name an upstream that exists (operators' entry point). */
export async function setCheckedRoute(model: string, targets: Parameters<typeof setRoute>[1], extra: RouteOptions, by: Actor): Promise<Route> {
  const known = new Set((await listUpstreams()).map((u) => u.id));
  for (const t of targets) if (!known.has(t.upstream)) throw new OpError(400, `unknown upstream '${t.upstream}' in target ${t.upstream}:${t.model}`);
  return setRoute(model, targets, extra, by);
}

export async function setPriceOverride(model: string, price: ModelPrice, note: string | undefined, by: Actor = SYSTEM): Promise<PriceOverride> {
  const o: PriceOverride = { model, price, updatedAt: Date.now(), ...(note ? { note } : {}) };
  await putPriceOverride(o);
  await audit(by, 'prices.set', model, { price, ...(note ? { note } : {}) });
  return o;
}

export async function removePriceOverride(model: string, by: Actor = SYSTEM): Promise<void> {
  await deletePriceOverride(model);
  await audit(by, 'prices.unset', model, {});
}
