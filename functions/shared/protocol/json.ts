/** Lenient readers for untrusted JSON: a wrong type reads as absent, never as a throw. */
export type J = Record<string, unknown>;

export const obj = (v: unknown): J => (v && typeof v === 'object' && !Array.isArray(v) ? (v as J) : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const objs = (v: unknown): J[] => arr(v).map(obj);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
/** A count: finite number or 0. */
export const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** One SSE data field as a JSON object, or undefined ([DONE], empty, not JSON, not an object). */
export function parseEventData(data: string): J | undefined {
  if (!data || data === '[DONE]') return undefined;
  try {
    const v = JSON.parse(data) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as J) : undefined;
  } catch {
    return undefined;
  }
}

/** Deepest nesting a translated request may have (the encoders recurse; JSON.stringify does too). */
export const MAX_DEPTH = 256;

/** Whether `v` nests arrays/objects deeper than `limit`; iterative, so any depth is safe to ask about. */
export function deeperThan(v: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop() as [unknown, number];
    if (!x || typeof x !== 'object') continue;
    if (d >= limit) return true;
    for (const c of Array.isArray(x) ? x : Object.values(x)) if (c && typeof c === 'object') stack.push([c, d + 1]);
  }
  return false;
}

/** A string value, a number or boolean as text, or `fallback` — never String() on an object (its toString may be data). */
export const textOr = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : fallback);
/** Any value, named safely for a note or an error message. */
export const label = (v: unknown): string => textOr(v, v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
