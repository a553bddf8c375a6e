/**
 * Small in-memory caches that keep AWS calls off the warm path.
 *
 * `TtlCache`: a value is served until its TTL ends, then loaded again before use (gateway keys:
 * a revoked key stops working within one TTL); with a refresh point, a key in use is read again
 * beside a request before its TTL ends, so its requests do not wait for that read. `SwrValue`: a value is served fresh for its TTL
 * and stale after it while one background refresh runs, so no request waits on DynamoDB for a
 * list that merely aged (routes, upstreams). With `maxStaleMs`, staleness is bounded: a value older
 * than ttl + maxStale (an execution environment thawed after an idle spell) is not served while a
 * refresh can replace it — the caller waits for that one read, unless it fails (key health: what
 * another instance learned must reach this one within a stated time). With `maxWait`, that wait
 * (and a first load) is bounded too: a store that answers slower than `maxWait.ms` gets the old
 * value (or the fallback) for this caller while its read goes on for the next — a slow DynamoDB
 * must never hold requests (key health, once more).
 */
export class TtlCache<V> {
  private readonly map = new Map<string, { value: V; expires: number; refreshAt: number }>();
  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The live value, or undefined. `onRefreshDue`: called once per entry, with the key, on the
   * first get past the entry's refresh point (set's `refreshAfterMs`) — the caller starts one
   * read beside the request; the entry answers on until its TTL.
   */
  get(key: string, onRefreshDue?: (key: string) => void): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    const now = this.now();
    if (hit.expires <= now) {
      this.map.delete(key);
      return undefined;
    }
    if (onRefreshDue && hit.refreshAt <= now) {
      hit.refreshAt = hit.expires;
      onRefreshDue(key);
    }
    return hit.value;
  }

  /**
   * `refreshAfterMs` (< ttlMs): from then on the entry still answers until it expires, and `get`
   * says — once — that it is time to read it again beside the request. A value is never served
   * past its TTL from the read that produced it, so the bound a TTL states (a revoked key stops
   * within it) holds; a key in steady use just never reaches that bound.
   */
  set(key: string, value: V, ttlMs: number, refreshAfterMs = ttlMs): void {
    if (this.map.size >= this.maxEntries) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    const now = this.now();
    this.map.set(key, { value, expires: now + ttlMs, refreshAt: now + Math.min(refreshAfterMs, ttlMs) });
  }

  clear(): void {
    this.map.clear();
  }
}

export class SwrValue<V> {
  private value: V | undefined;
  private fetchedAt = 0;
  private inflight: Promise<V> | undefined;

  constructor(
    private readonly load: () => Promise<V>,
    private readonly ttlMs: () => number,
    private readonly now: () => number = Date.now,
    private readonly maxStaleMs = Infinity,
    private readonly maxWait?: { ms: number; fallback: () => V },
  ) {}

  /**
   * The value when `get()` would answer at once (fresh, or stale within maxStale — a stale
   * value starts its one background refresh here, as `get()` does); undefined when a caller must
   * wait for a read. The warm request path reads caches through this, so a warm hit costs no
   * promise and no microtask: `cache.peek() ?? (await cache.get())`.
   */
  peek(): V | undefined {
    if (this.value === undefined) return undefined;
    const age = this.now() - this.fetchedAt;
    const ttl = this.ttlMs();
    if (age >= ttl + this.maxStaleMs) return undefined;
    if (age >= ttl && !this.inflight) {
      // Stale: answer now, refresh beside the request. A failed refresh keeps the old value.
      this.refresh().catch(() => undefined);
    }
    return this.value;
  }

  /** `peek()`'s value, else the read to wait for (`T | Promise<T>`: callers await only a miss). */
  current(): V | Promise<V> {
    return this.peek() ?? this.get();
  }

  get(): Promise<V> {
    const warm = this.peek();
    if (warm !== undefined) return Promise.resolve(warm);
    const old = this.value;
    if (old !== undefined) {
      // Older than ttl + maxStale. The store being unreachable (or, with maxWait, slow) must not stop traffic.
      return this.maxWait ? this.bounded(this.maxWait, old) : this.refresh().catch(() => old);
    }
    return this.maxWait ? this.bounded(this.maxWait, undefined) : this.refresh();
  }

  /** One read, waited for at most `maxWait.ms`; then (or when it fails) the old value or the fallback. */
  private bounded(w: { ms: number; fallback: () => V }, old: V | undefined): Promise<V> {
    const read = this.refresh();
    const fallback = (): V => old ?? w.fallback();
    return new Promise<V>((resolve) => {
      const t = setTimeout(() => resolve(fallback()), w.ms);
      read.then(
        (v) => {
          clearTimeout(t);
          resolve(v);
        },
        () => {
          clearTimeout(t);
          resolve(fallback());
        },
      );
    });
  }

  /** True when the value is older than its TTL (or absent). */
  isStale(): boolean {
    return this.value === undefined || this.now() - this.fetchedAt >= this.ttlMs();
  }

  refresh(): Promise<V> {
    if (this.inflight) return this.inflight;
    this.inflight = this.load().then(
      (v) => {
        this.value = v;
        this.fetchedAt = this.now();
        this.inflight = undefined;
        return v;
      },
      (err: unknown) => {
        this.inflight = undefined;
        throw err;
      },
    );
    return this.inflight;
  }

  clear(): void {
    this.value = undefined;
    this.fetchedAt = 0;
  }
}
