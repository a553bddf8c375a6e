/**
 * Attributing Anthropic cache writes to 5 m and 1 h when the response reports only the total
 * (`cache_creation_input_tokens` without `cache_creation.ephemeral_*`).
 *
 * The cached prefix runs in Anthropic's cache order — tools, then system, then messages — and
 * each `cache_control` breakpoint closes a segment at its TTL; Anthropic requires 1 h
 * breakpoints to come before 5 m ones. So the prefix up to the last 1 h breakpoint was written
 * at 1 h and the rest up to the last breakpoint at 5 m, minus whatever was read from cache
 * (reads cover the front of the prefix). Token counts per segment are not reported, so the
 * 1 h share is estimated from the serialised length of the segments, and the record says so.
 */

interface Breakpoints {
  /** Serialised length of the prefix up to the last 1 h breakpoint (0 when there is none). */
  upTo1h: number;
  /** Serialised length of the prefix up to the last breakpoint of any TTL. */
  upToLast: number;
}

type J = Record<string, unknown>;
const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Walks an Anthropic Messages request body in cache order. */
export function cacheBreakpoints(body: J): Breakpoints {
  let pos = 0;
  let upTo1h = 0;
  let upToLast = 0;
  const visit = (block: unknown): void => {
    pos += JSON.stringify(block ?? '').length;
    const cc = isObj(block) ? block.cache_control : undefined;
    if (!isObj(cc)) return;
    upToLast = pos;
    if (cc.ttl === '1h') upTo1h = pos;
  };
  if (Array.isArray(body.tools)) body.tools.forEach(visit);
  if (typeof body.system === 'string') visit(body.system);
  else if (Array.isArray(body.system)) body.system.forEach(visit);
  if (Array.isArray(body.messages)) {
    for (const m of body.messages) {
      const content = isObj(m) ? m.content : undefined;
      if (Array.isArray(content)) content.forEach(visit);
      else visit(content);
    }
  }
  return { upTo1h, upToLast };
}

/**
 * Splits `written` cache-write tokens into 5 m and 1 h, given `read` cache-read tokens of the
 * same request and its body.
 */
export function splitCacheWrites(written: number, read: number, body: J): { w5m: number; w1h: number } {
  const { upTo1h, upToLast } = cacheBreakpoints(body);
  if (upTo1h === 0 || upToLast === 0) return { w5m: written, w1h: 0 };
  if (upTo1h >= upToLast) return { w5m: 0, w1h: written };
  const prefixTokens1h = ((read + written) * upTo1h) / upToLast;
  const w1h = Math.min(written, Math.max(0, Math.round(prefixTokens1h - read)));
  return { w5m: written - w1h, w1h };
}
