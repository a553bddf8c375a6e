/**
 * Upstream key pools: which (target, upstream, key) to try next for a route.
 *
 * Selection: the lowest priority number (highest tier) that still has a usable key, a weighted
 * pick among that tier's targets, then round-robin over the upstream's keys so load spreads and
 * no single key reaches its provider limit first. Key health (health.ts) decides what is usable:
 * a "hard" cooldown (the provider said how long) is skipped; a "soft" one (plain backoff) is
 * still tried as a last resort rather than failing the request outright; a key rejected with
 * 401/403 is out of rotation; a key disabled after repeated 5xx gets one probe at a time.
 *
 * Upstream keys are decrypted on first use only, once per execution environment, and kept in
 * memory only.
 */
import { gatewayConfig } from '../config.js';
import { perGateway } from '../context.js';
import { keyring, upstreamKeyContext } from '../crypto/keyring.js';
import { SwrValue } from '../store/cache.js';
import type { Route, RouteTarget, Upstream, UpstreamKeyRecord } from '../store/records.js';
import { listUpstreamKeys, listUpstreams } from '../store/repo.js';
import { healthOf, startProbe, usability, type Health, type Usability } from './health.js';

export interface Candidate {
  target: RouteTarget;
  upstream: Upstream;
  keyId: string;
  /** Plaintext provider key: memory only, never logged. */
  apiKey: string;
}

/** Upstreams and their key lists (cached), decrypted keys (as promises: one decrypt per key), round-robin counters. */
const pools = perGateway(
  (cfg) => ({
    upstreams: new SwrValue<Map<string, Upstream>>(async () => new Map((await listUpstreams()).map((u) => [u.id, u])), () => cfg.cacheTtlMs),
    keyLists: new Map<string, SwrValue<UpstreamKeyRecord[]>>(),
    plaintexts: new Map<string, { ciphertext: string; value: Promise<string>; plain?: string }>(),
    rr: new Map<string, number>(),
  }),
  true,
);

const keyRef = (upstreamId: string, keyId: string): string => `${upstreamId}/${keyId}`;

function keyListOf(upstreamId: string): SwrValue<UpstreamKeyRecord[]> {
  const { keyLists } = pools();
  let v = keyLists.get(upstreamId);
  if (!v) {
    v = new SwrValue(() => listUpstreamKeys(upstreamId), () => gatewayConfig().cacheTtlMs);
    keyLists.set(upstreamId, v);
  }
  return v;
}

async function keysOf(upstreamId: string): Promise<UpstreamKeyRecord[]> {
  const v = keyListOf(upstreamId);
  const keys = await v.get();
  // No keys in a stale list may mean keys were added since: look once more, fresh.
  return keys.length === 0 && v.isStale() ? v.refresh() : keys;
}

/** The cached key list when `keysOf` would answer without a read, else COLD. */
function keysNow(upstreamId: string): UpstreamKeyRecord[] | Cold {
  const v = keyListOf(upstreamId);
  const keys = v.peek();
  return keys === undefined || (keys.length === 0 && v.isStale()) ? COLD : keys;
}

const COLD = Symbol('cold');
type Cold = typeof COLD;

const missingUpstream = (route: Route, ups: Map<string, Upstream>): boolean => route.targets.some((t) => !ups.has(t.upstream));

/** The upstreams a route names: the cached map when warm (no promise), else the read. */
function upstreamsFor(route: Route): Map<string, Upstream> | Promise<Map<string, Upstream>> {
  const { upstreams } = pools();
  const warm = upstreams.peek();
  if (warm !== undefined && !(missingUpstream(route, warm) && upstreams.isStale())) return warm;
  return (async () => {
    const ups = warm ?? (await upstreams.get());
    // A route naming an upstream missing from a stale list: the upstream may be new.
    return missingUpstream(route, ups) && upstreams.isStale() ? upstreams.refresh() : ups;
  })();
}

/** The wire protocol of each of a route's targets (targets whose upstream is unknown are left out). */
export function targetProtocols(route: Route): { protocol: Upstream['protocol']; model: string }[] | Promise<{ protocol: Upstream['protocol']; model: string }[]> {
  const ups = pools().upstreams.current();
  return ups instanceof Promise ? ups.then((u) => protocolsWith(route, u)) : protocolsWith(route, ups);
}

function protocolsWith(route: Route, ups: Map<string, Upstream>): { protocol: Upstream['protocol']; model: string }[] {
  const out: { protocol: Upstream['protocol']; model: string }[] = [];
  for (const t of route.targets) {
    const u = ups.get(t.upstream);
    if (u) out.push({ protocol: u.protocol, model: t.model });
  }
  return out;
}

function decrypt(rec: UpstreamKeyRecord): string | Promise<string> {
  const { plaintexts } = pools();
  const ref = keyRef(rec.upstreamId, rec.id);
  const hit = plaintexts.get(ref);
  if (hit && hit.ciphertext === rec.ciphertext) return hit.plain ?? hit.value;
  const entry: { ciphertext: string; value: Promise<string>; plain?: string } = {
    ciphertext: rec.ciphertext,
    value: keyring().decrypt(rec.ciphertext, upstreamKeyContext(gatewayConfig().stage, rec.upstreamId, rec.id)),
  };
  entry.value.then(
    (plain) => (entry.plain = plain),
    () => plaintexts.delete(ref),
  );
  plaintexts.set(ref, entry);
  return entry.value;
}

/** A route's priority tiers, best first (routes are cached objects: worked out once per route). */
const tierCache = new WeakMap<Route, number[]>();
function tiersOf(route: Route): number[] {
  let tiers = tierCache.get(route);
  if (!tiers) {
    tiers = [...new Set(route.targets.map((t) => t.priority))].sort((a, b) => a - b);
    tierCache.set(route, tiers);
  }
  return tiers;
}

type Next = { candidate: Candidate | null; soonestRetryMs: number | undefined };

/** Reads a selection waited for (the cold key lists and health entries of this one call). */
interface Waited {
  keys: Map<string, UpstreamKeyRecord[]>;
  health: Map<string, Health | undefined>;
}

/**
 * The next candidate for a route, skipping keys already tried in this request. Returns null
 * when nothing is left; `soonestRetryMs` then says when a hard-cooling key frees up. When every
 * cache it reads is warm the answer is a value (no promise on the warm path); otherwise the
 * selection waits for the reads it reaches, one at a time and only those, and runs again.
 */
export function nextCandidate(route: Route, tried: ReadonlySet<string>, random: () => number = Math.random): Next | Promise<Next> {
  const now = Date.now();
  const ups = upstreamsFor(route);
  const waited: Waited = { keys: new Map(), health: new Map() };
  return ups instanceof Promise ? ups.then((u) => selectFrom(route, u, tried, random, now, waited)) : selectFrom(route, ups, tried, random, now, waited);
}

function selectFrom(route: Route, ups: Map<string, Upstream>, tried: ReadonlySet<string>, random: () => number, now: number, waited: Waited): Next | Promise<Next> {
  const { rr } = pools();
  const tiers = tiersOf(route);
  let soonest: number | undefined;
  const states = new Map<string, Usability>();
  let wait: Promise<void> | undefined;
  const stateOf = (ref: string): Usability | Cold => {
    let u = states.get(ref);
    if (u === undefined) {
      const h = waited.health.has(ref) ? waited.health.get(ref) : healthOf(ref);
      if (h instanceof Promise) {
        wait = h.then((v) => void waited.health.set(ref, v));
        return COLD;
      }
      u = usability(h, ref, now);
      if (u === 'no' && h && !h.disabled) {
        const free = h.probeAfter ?? h.until;
        if (free > now) soonest = Math.min(soonest ?? Infinity, free - now);
      }
      states.set(ref, u);
    }
    return u;
  };
  // Ready keys (and keys due for a probe, one request at a time) first, then softly cooling ones.
  for (const pass of ['ready', 'soft'] as const) {
    for (const tier of tiers) {
      const options: { target: RouteTarget; upstream: Upstream; keys: UpstreamKeyRecord[] }[] = [];
      for (const target of route.targets) {
        if (target.priority !== tier) continue;
        const upstream = ups.get(target.upstream);
        if (!upstream || upstream.disabled) continue;
        const keys: UpstreamKeyRecord[] = [];
        const list = waited.keys.get(upstream.id) ?? keysNow(upstream.id);
        if (list === COLD) {
          const id = upstream.id;
          return keysOf(id).then((l) => {
            waited.keys.set(id, l);
            return selectFrom(route, ups, tried, random, now, waited);
          });
        }
        for (const k of list) {
          if (k.disabled) continue;
          const ref = keyRef(upstream.id, k.id);
          if (tried.has(ref)) continue;
          const state = stateOf(ref);
          if (state === COLD) return (wait as Promise<void>).then(() => selectFrom(route, ups, tried, random, now, waited));
          if (state === pass || (pass === 'ready' && state === 'probe')) keys.push(k);
        }
        if (keys.length) options.push({ target, upstream, keys });
      }
      if (!options.length) continue;
      const chosen = weightedPick(options, (o) => o.target.weight, random);
      const n = rr.get(chosen.upstream.id) ?? 0;
      rr.set(chosen.upstream.id, n + 1);
      const key = chosen.keys[n % chosen.keys.length] as UpstreamKeyRecord;
      if (states.get(keyRef(chosen.upstream.id, key.id)) === 'probe') startProbe(keyRef(chosen.upstream.id, key.id));
      const { target, upstream } = chosen;
      const apiKey = decrypt(key);
      if (apiKey instanceof Promise) return apiKey.then((k) => ({ candidate: { target, upstream, keyId: key.id, apiKey: k }, soonestRetryMs: soonest }));
      return { candidate: { target, upstream, keyId: key.id, apiKey }, soonestRetryMs: soonest };
    }
  }
  return { candidate: null, soonestRetryMs: soonest };
}

function weightedPick<T>(items: T[], weight: (t: T) => number, random: () => number): T {
  let total = 0;
  for (const i of items) total += Math.max(0, weight(i));
  if (total <= 0) return items[0] as T;
  let r = random() * total;
  for (const i of items) {
    r -= Math.max(0, weight(i));
    if (r < 0) return i;
  }
  return items[items.length - 1] as T;
}

export function candidateRef(c: Candidate): string {
  return keyRef(c.upstream.id, c.keyId);
}

/** Each target of a route with its upstream (targets naming no known upstream are left out); a value when warm. */
export function routeUpstreams(route: Route): Array<{ target: RouteTarget; upstream: Upstream }> | Promise<Array<{ target: RouteTarget; upstream: Upstream }>> {
  const ups = upstreamsFor(route);
  return ups instanceof Promise ? ups.then((u) => pairsWith(route, u)) : pairsWith(route, ups);
}

function pairsWith(route: Route, ups: Map<string, Upstream>): Array<{ target: RouteTarget; upstream: Upstream }> {
  const out: Array<{ target: RouteTarget; upstream: Upstream }> = [];
  for (const target of route.targets) {
    const upstream = ups.get(target.upstream);
    if (upstream) out.push({ target, upstream });
  }
  return out;
}
