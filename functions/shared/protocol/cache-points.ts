/**
 * Automatic prompt-cache breakpoints for OpenAI-format clients on Claude routes (opt-in per
 * route): OpenAI caches long prefixes by itself, Claude only where a request marks them, so an
 * OpenAI-format client would otherwise never get Claude's cache discount.
 *
 * Breakpoints go where a conversation's prefix is stable: the last tool definition, the end of
 * the system prompt, and the last block of the two latest user turns (the newest one is what
 * the next turn reads back). Anthropic allows four per request. A client that placed its own
 * `cache_control` keeps exactly its own.
 */
type J = Record<string, unknown>;
const MAX_BREAKPOINTS = 4;

/** Whether the client marked anything itself; walks the request and stops at the first mark. */
function hasCacheControl(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasCacheControl);
  if (typeof v !== 'object' || v === null) return false;
  if ((v as J).cache_control !== undefined) return true;
  return Object.values(v).some(hasCacheControl);
}

/** Cacheable blocks: not thinking, and not empty text (Anthropic rejects both with cache_control). */
function markable(b: unknown): b is J {
  if (typeof b !== 'object' || b === null) return false;
  const t = (b as J).type;
  if (t === 'thinking' || t === 'redacted_thinking') return false;
  return !(t === 'text' && !(b as J).text);
}

/** Returns the notes to record; mutates `body` (an Anthropic Messages request). */
export function placeCacheBreakpoints(body: J, ttl: '5m' | '1h'): string[] {
  if (hasCacheControl(body)) return ['auto cache breakpoints skipped: the client set cache_control itself'];
  const cc = ttl === '1h' ? { type: 'ephemeral', ttl: '1h' } : { type: 'ephemeral' };
  let placed = 0;
  const mark = (b: J): void => {
    if (placed >= MAX_BREAKPOINTS) return;
    b.cache_control = { ...cc };
    placed++;
  };
  if (Array.isArray(body.tools) && body.tools.length) mark(body.tools[body.tools.length - 1] as J);
  if (typeof body.system === 'string' && body.system) body.system = [{ type: 'text', text: body.system }];
  if (Array.isArray(body.system)) {
    const last = [...body.system].reverse().find(markable);
    if (last) mark(last);
  }
  const messages = Array.isArray(body.messages) ? (body.messages as J[]) : [];
  const userTurns = messages.filter((m) => m.role === 'user').slice(-2).reverse();
  for (const m of userTurns) {
    if (typeof m.content === 'string') {
      if (!m.content) continue;
      m.content = [{ type: 'text', text: m.content }];
    }
    if (!Array.isArray(m.content)) continue;
    const last = [...(m.content as unknown[])].reverse().find(markable);
    if (last) mark(last);
  }
  return placed ? [`auto cache breakpoints: ${placed} placed (${ttl})`] : [];
}
