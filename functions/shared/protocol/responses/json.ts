/** Lenient readers for untrusted Responses JSON: a wrong type reads as absent, never as a throw. */
export type J = Record<string, unknown>;

export const obj = (v: unknown): J => (v && typeof v === 'object' && !Array.isArray(v) ? (v as J) : {});
export const objs = (v: unknown): J[] => (Array.isArray(v) ? v.map(obj) : []);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
/** A token count: a finite number, else 0. */
export const count = (v: unknown): number => num(v) ?? 0;
