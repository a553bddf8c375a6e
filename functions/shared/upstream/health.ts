/**
 * Upstream key health shared by every execution environment of a stage.
 *
 * In Lambda many environments serve at once; what one learns about a key (429 with retry-after,
 * 401, repeated 5xx) must reach the others. Health entries live in the state table under one
 * partition (pk=`keyhealth`, sk=`<upstream>/<key>`) so one Query reads them all; each
 * environment reads that partition through a short stale-while-revalidate cache and merges it
 * with what it saw itself. The cache is fresh for SHARED_TTL_MS and served stale for at most
 * SHARED_MAX_STALE_MS more while a refresh runs beside the request; a view older than both (an
 * environment thawed after an idle spell) is never served while the store answers — that request
 * waits for one Query, for at most SHARED_MAX_WAIT_MS (a slower store leaves that request the
 * older view, or none: a stalled DynamoDB must not hold traffic). So another instance's cooldown
 * is seen within 2 s of its write, busy or idle, while the store answers within that wait
 * (README, "Limits"). Writes are conditional so a shorter
 * cooldown never overwrites a longer one, expiry is checked on read (TTL deletion lags by
 * hours), and they run beside the request: the failover never waits for them, the handler
 * awaits them before it returns.
 *
 * States: cooling (until a time; "hard" when the provider said how long), disabled (401/403:
 * out of rotation until an operator re-enables it), and probing (disabled after repeated 5xx;
 * after `probeAfter` one request at a time may try it, and a success brings it back).
 */
import { gatewayConfig } from '../config.js';
import { perGateway } from '../context.js';
import { dynamo, marshal, unmarshal } from '../store/dynamo.js';
import { SwrValue } from '../store/cache.js';
import { backoffMs } from './retry-facts.js';

export interface Health {
  until: number;
  hard: boolean;
  failures: number;
  disabled?: string;
  probeAfter?: number;
}

const SHARED_TTL_MS = 1_000;
const SHARED_MAX_STALE_MS = 1_000;
/** The longest a request waits for that Query; a slower store leaves it the older view. */
const SHARED_MAX_WAIT_MS = 250;
const PARTITION = 'keyhealth';

/** This environment's own view (`local`), the probes in flight, and the shared view's cache. */
const views = perGateway(
  () => ({
    local: new Map<string, Health>(),
    probing: new Set<string>(),
    shared: new SwrValue<Map<string, Health>>(loadShared, () => SHARED_TTL_MS, Date.now, SHARED_MAX_STALE_MS, { ms: SHARED_MAX_WAIT_MS, fallback: () => new Map() }),
  }),
  true,
);
/** Writes started by this request, awaited by finish() before the handler returns. */
const pending = perGateway(() => new Set<Promise<void>>());

async function loadShared(): Promise<Map<string, Health>> {
  const { client, sdk } = await dynamo();
  const res = await client.send(
    new sdk.QueryCommand({
      TableName: gatewayConfig().tables.state,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: PARTITION } },
    }),
  );
  const out = new Map<string, Health>();
  for (const item of res.Items ?? []) {
    const r = unmarshal(item);
    const h: Health = {
      until: typeof r.until === 'number' ? r.until : 0,
      hard: r.hard === true,
      failures: typeof r.failures === 'number' ? r.failures : 0,
    };
    if (typeof r.disabled === 'string') h.disabled = r.disabled;
    if (typeof r.probeAfter === 'number') h.probeAfter = r.probeAfter;
    out.set(String(r.sk), h);
  }
  return out;
}

/**
 * Local knowledge wins when it is at least as restrictive; otherwise the shared entry. The entry
 * itself when the shared view is cached (the warm path: no promise), else a promise of it.
 */
export function healthOf(ref: string): Health | undefined | Promise<Health | undefined> {
  const warm = views().shared.peek();
  if (warm !== undefined) return merged(ref, warm.get(ref));
  return views().shared.get().then(
    (m) => merged(ref, m.get(ref)),
    () => merged(ref, undefined), // the store being unreachable must not stop traffic
  );
}

function merged(ref: string, remote: Health | undefined): Health | undefined {
  const mine = views().local.get(ref);
  if (!remote) return mine;
  if (!mine) return remote;
  if (remote.disabled && !mine.disabled) return remote;
  return mine.until >= remote.until ? mine : remote;
}

export type Usability = 'ready' | 'soft' | 'probe' | 'no';

export function usability(h: Health | undefined, ref: string, now: number): Usability {
  if (!h) return 'ready';
  if (h.disabled) return 'no';
  if (h.probeAfter !== undefined) {
    if (h.probeAfter > now || views().probing.has(ref)) return 'no';
    return 'probe';
  }
  if (h.until <= now) return 'ready';
  return h.hard ? 'no' : 'soft';
}

function persist(ref: string, h: Health, now: number): void {
  const p = (async () => {
    const { client, sdk } = await dynamo();
    const item: Record<string, string | number | boolean | undefined> = {
      pk: PARTITION,
      sk: ref,
      until: h.until,
      hard: h.hard,
      failures: h.failures,
      disabled: h.disabled,
      probeAfter: h.probeAfter,
      // DynamoDB TTL tidies up a day after the entry stopped mattering; reads check `until`.
      ttl: h.disabled ? undefined : Math.ceil(Math.max(h.until, h.probeAfter ?? 0, now) / 1000) + 86_400,
    };
    try {
      await client.send(
        new sdk.PutItemCommand({
          TableName: gatewayConfig().tables.state,
          Item: marshal(item),
          // Never shorten what another environment recorded, unless this is a disable.
          ConditionExpression: h.disabled ? undefined : 'attribute_not_exists(pk) OR #u < :u OR attribute_exists(probeAfter)',
          ...(h.disabled ? {} : { ExpressionAttributeNames: { '#u': 'until' }, ExpressionAttributeValues: { ':u': { N: String(h.until) } } }),
        }),
      );
    } catch (err) {
      if (!(err instanceof Error && err.name === 'ConditionalCheckFailedException')) throw err;
    }
  })().catch(() => undefined);
  track(p);
}

function track(p: Promise<void>): void {
  const writes = pending();
  writes.add(p);
  void p.finally(() => writes.delete(p));
}

/** A retryable failure: rest the key for the provider's hint or a jittered backoff. */
export function recordFailure(ref: string, hintMs: number | undefined, serverError: boolean, now = Date.now()): void {
  const { local, probing } = views();
  const prev = local.get(ref);
  const failures = (prev && prev.until > now - 60_000 ? prev.failures : 0) + 1;
  const h: Health = { until: now + (hintMs ?? backoffMs(failures)), hard: hintMs !== undefined, failures };
  const { failuresBeforeProbe, probeAfterMs } = gatewayConfig();
  if (serverError && failures >= failuresBeforeProbe) {
    h.probeAfter = now + Math.min(10 * 60_000, probeAfterMs * 2 ** (failures - failuresBeforeProbe));
  }
  probing.delete(ref);
  local.set(ref, h);
  persist(ref, h, now);
}

/** 401/403: the key itself is refused by its provider. */
export function recordRejected(ref: string, reason: string, now = Date.now()): void {
  const h: Health = { until: now, hard: true, failures: 0, disabled: reason };
  views().local.set(ref, h);
  persist(ref, h, now);
}

export function startProbe(ref: string): void {
  views().probing.add(ref);
}

/** A success: forget the failures (and tell the others, if anyone had recorded any). */
export function recordSuccess(ref: string, known: Health | undefined): void {
  const { local, probing } = views();
  probing.delete(ref);
  if (!known && !local.has(ref)) return;
  local.delete(ref);
  const p = (async () => {
    const { client, sdk } = await dynamo();
    await client.send(
      new sdk.DeleteItemCommand({
        TableName: gatewayConfig().tables.state,
        Key: { pk: { S: PARTITION }, sk: { S: ref } },
        // A disable recorded meanwhile by another environment stays.
        ConditionExpression: 'attribute_not_exists(disabled)',
      }),
    );
  })().catch(() => undefined);
  track(p);
}

/** Proactive steering: a key about to hit its limit rests (softly) until its window resets. */
export function recordNearLimit(ref: string, resetMs: number, now = Date.now()): void {
  const { local } = views();
  const prev = local.get(ref);
  if (prev && prev.until >= now + resetMs) return;
  local.set(ref, { until: now + resetMs, hard: false, failures: prev?.failures ?? 0 });
}

/** Waits for this request's health writes; undefined when there are none (the usual case: nothing to await). */
export function flushHealthWrites(): Promise<void> | undefined {
  const writes = pending();
  if (!writes.size) return undefined;
  return (async () => {
    while (writes.size) await Promise.all([...writes]);
  })();
}

export async function listHealth(): Promise<Map<string, Health>> {
  return loadShared();
}
