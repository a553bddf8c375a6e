/**
 * Input checks for the admin API: a JSON object with known fields only, each of the right type
 * and range. Every refusal is an OpError(400) naming the field and what it must be, so a caller
 * (the console, curl) can fix the request without reading code. Hand-written, not zod: the admin
 * bundle stays small, and the messages read like the CLI's.
 */
import { OpError } from './errors.js';

export type Json = Record<string, unknown>;

/** The request body as an object with no fields beyond `allowed`. */
export function body(raw: string | undefined, allowed: readonly string[]): Json {
  if (raw === undefined || raw.trim() === '') throw new OpError(400, 'This request needs a JSON object body.');
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new OpError(400, 'The body is not valid JSON.');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new OpError(400, 'The body must be a JSON object.');
  const unknown = Object.keys(v).filter((k) => !allowed.includes(k));
  if (unknown.length) throw new OpError(400, `Unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (allowed: ${allowed.join(', ')}).`);
  return v as Json;
}

function fail(field: string, what: string): never {
  throw new OpError(400, `${field}: must be ${what}.`);
}

export function str(o: Json, field: string, opts: { required: true; max?: number; pattern?: RegExp; hint?: string }): string;
export function str(o: Json, field: string, opts?: { required?: false; max?: number; pattern?: RegExp; hint?: string }): string | undefined;
export function str(o: Json, field: string, opts: { required?: boolean; max?: number; pattern?: RegExp; hint?: string } = {}): string | undefined {
  const v = o[field];
  if (v === undefined || v === null) {
    if (opts.required) fail(field, `a string${opts.hint ? ` (${opts.hint})` : ''}; it is required`);
    return undefined;
  }
  const max = opts.max ?? 256;
  if (typeof v !== 'string' || v.length === 0 || v.length > max) fail(field, `a non-empty string of at most ${max} characters`);
  if (opts.pattern && !opts.pattern.test(v)) fail(field, opts.hint ?? `a string matching ${opts.pattern}`);
  return v;
}

export function int(o: Json, field: string, opts: { min?: number; max?: number } = {}): number | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  const min = opts.min ?? 0;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(field, `an integer from ${min} to ${max}`);
  return v;
}

export function num(o: Json, field: string, opts: { min?: number; max?: number } = {}): number | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  const min = opts.min ?? 0;
  const max = opts.max ?? 1e9;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) fail(field, `a number from ${min} to ${max}`);
  return v;
}

export function bool(o: Json, field: string): boolean | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') fail(field, 'true or false');
  return v;
}

export function strings(o: Json, field: string, opts: { max?: number } = {}): string[] | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  const max = opts.max ?? 100;
  if (!Array.isArray(v) || v.length > max || v.some((x) => typeof x !== 'string' || x.length === 0 || x.length > 256)) {
    fail(field, `an array of at most ${max} non-empty strings`);
  }
  return v as string[];
}

export function objects(o: Json, field: string, opts: { min?: number; max?: number } = {}): Json[] | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  const min = opts.min ?? 0;
  const max = opts.max ?? 50;
  if (!Array.isArray(v) || v.length < min || v.length > max || v.some((x) => typeof x !== 'object' || x === null || Array.isArray(x))) {
    fail(field, `an array of ${min}–${max} objects`);
  }
  return v as Json[];
}

export function object(o: Json, field: string, allowed: readonly string[]): Json | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) fail(field, 'an object');
  const unknown = Object.keys(v).filter((k) => !allowed.includes(k));
  if (unknown.length) fail(field, `an object with only ${allowed.join(', ')} (got ${unknown.join(', ')})`);
  return v as Json;
}

/** An ISO 8601 date-time as epoch ms. */
export function isoTime(o: Json, field: string): number | undefined {
  const v = str(o, field, { max: 40 });
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (!Number.isFinite(t)) fail(field, 'an ISO 8601 date-time such as 2027-01-01T00:00:00Z');
  return t;
}

/** A query-string value, if present, checked against a pattern. */
export function query(q: Record<string, string>, name: string, pattern: RegExp, hint: string): string | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (!pattern.test(v)) throw new OpError(400, `?${name}= must be ${hint}, got '${v.slice(0, 60)}'.`);
  return v;
}

export const DAY = /^\d{4}-\d{2}-\d{2}$/;
export const UPSTREAM_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Public model names: what clients send in `model` (letters, digits, . _ - : / @). */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$/;
