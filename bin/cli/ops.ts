/**
 * Operator operations on a stage's store: gateway keys, upstreams and their keys, routes.
 * Used by the `ezybus` CLI, by `npm start`'s first-run setup and by tests (so tests configure
 * the gateway the way an operator would).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { gatewayConfig } from '../../functions/shared/config.js';
import { keyring, upstreamKeyContext } from '../../functions/shared/crypto/keyring.js';
import { hashKey } from '../../functions/shared/gateway/auth.js';
import type { GatewayKey, Route, RouteTarget, Upstream, UpstreamKeyRecord } from '../../functions/shared/store/records.js';
import { listUpstreamKeys, putGatewayKey, putRoute, putUpstream, putUpstreamKey } from '../../functions/shared/store/repo.js';
import { PROTOCOL_SPELLINGS, wireProtocolOf, type LegacyProtocolName, type WireProtocol } from '../../functions/shared/protocol/wire.js';
import { modelNameProblem } from '../../functions/shared/gateway/bounds.js';

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `sk-eb-` + 32 base62 characters (~190 bits of randomness). */
export function generateGatewayKey(): string {
  const bytes = randomBytes(32);
  let s = '';
  for (const b of bytes) s += B62[b % 62];
  return `sk-eb-${s}`;
}

export interface CreateKeyOptions {
  name: string;
  allowedModels?: string[];
  expiresAt?: number;
  rpm?: number;
  tpm?: number;
  budgetMicros?: number;
}

/** Creates a gateway key; the plaintext is returned once and stored nowhere. */
export async function createGatewayKey(opts: CreateKeyOptions): Promise<{ key: string; record: GatewayKey }> {
  const key = generateGatewayKey();
  const record: GatewayKey = {
    id: `gk_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
    hash: hashKey(key),
    prefix: key.slice(0, 10),
    name: opts.name,
    createdAt: Date.now(),
  };
  if (opts.allowedModels?.length) record.allowedModels = opts.allowedModels;
  if (opts.expiresAt !== undefined) record.expiresAt = opts.expiresAt;
  if (opts.rpm !== undefined) record.rpm = opts.rpm;
  if (opts.tpm !== undefined) record.tpm = opts.tpm;
  if (opts.budgetMicros !== undefined) record.budgetMicros = opts.budgetMicros;
  await putGatewayKey(record);
  return { key, record };
}

/** `protocol`: a wire protocol, or its name from before the rename (openai, anthropic, gemini). */
export async function addUpstream(id: string, protocolName: WireProtocol | LegacyProtocolName, baseUrl: string): Promise<Upstream> {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) throw new Error(`upstream id '${id}': use lower-case letters, digits and dashes`);
  const protocol = wireProtocolOf(protocolName);
  if (!protocol) throw new Error(`unknown protocol '${String(protocolName)}': use one of ${PROTOCOL_SPELLINGS}`);
  const url = new URL(baseUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`upstream base URL must be http(s): ${baseUrl}`);
  const u: Upstream = { id, protocol, baseUrl: url.toString().replace(/\/+$/, ''), createdAt: Date.now() };
  await putUpstream(u);
  return u;
}

/** Encrypts the provider key under the stage keyring with a context naming the record. */
export async function addUpstreamKey(upstreamId: string, apiKey: string, keyId?: string): Promise<string> {
  const id = keyId ?? `uk_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const ciphertext = await keyring().encrypt(apiKey, upstreamKeyContext(gatewayConfig().stage, upstreamId, id));
  await putUpstreamKey({ upstreamId, id, ciphertext, hint: apiKey.slice(-4), createdAt: Date.now() });
  return id;
}

export async function setRoute(
  model: string,
  targets: Array<Partial<RouteTarget> & Pick<RouteTarget, 'upstream' | 'model'>>,
  extra: Partial<Pick<Route, 'active' | 'ownedBy' | 'maxTokensDefault' | 'hedgeAfterMs' | 'failoverStatuses' | 'earlyCommit' | 'autoCache' | 'thinkingBudgets'>> = {},
): Promise<Route> {
  if (!targets.length) throw new Error('a route needs at least one target');
  const tooLong = modelNameProblem(model);
  if (tooLong) throw new Error(tooLong);
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
  return route;
}

export async function setUpstreamKeyDisabled(upstreamId: string, keyId: string, reason: string | undefined): Promise<void> {
  const k = (await listUpstreamKeys(upstreamId)).find((x) => x.id === keyId);
  if (!k) throw new Error(`no key '${keyId}' on upstream '${upstreamId}'`);
  const next: UpstreamKeyRecord = { ...k };
  if (reason) {
    next.disabled = true;
    next.disabledReason = reason;
  } else {
    delete next.disabled;
    delete next.disabledReason;
  }
  await putUpstreamKey(next);
}

/** Decrypts with the current keyring and encrypts again (after a KMS key change or rotation). */
export async function reencryptUpstreamKey(k: UpstreamKeyRecord, from = keyring(), to = keyring()): Promise<void> {
  const ctx = upstreamKeyContext(gatewayConfig().stage, k.upstreamId, k.id);
  const plain = await from.decrypt(k.ciphertext, ctx);
  await putUpstreamKey({ ...k, ciphertext: await to.encrypt(plain, ctx) });
}
