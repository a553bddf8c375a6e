/**
 * Streamed function-call arguments (Gemini 3 / Vertex, `functionCall.partialArgs`): a call opens
 * with its name and `willContinue: true`, its arguments arrive as `{jsonPath, <typed value>,
 * willContinue}` pieces (a string value with `willContinue` goes on in the next piece for the
 * same path), and an empty `functionCall` closes it. This assembles one call — name and full
 * arguments — from the pieces.
 */
import type { J } from '../json.js';

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** `$.a.b[0]['c d']` → ['a', 'b', 0, 'c d']; undefined for a path it cannot read or may not write. */
export function parseJsonPath(path: string): Array<string | number> | undefined {
  if (!path.startsWith('$')) return undefined;
  const out: Array<string | number> = [];
  const re = /\.([A-Za-z0-9_$-]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) return undefined;
    const key = m[1] ?? m[3] ?? m[4];
    if (key !== undefined) {
      if (FORBIDDEN.has(key)) return undefined;
      out.push(key);
    } else out.push(Number(m[2]));
  }
  return out;
}

function valueOf(p: J): { value: unknown } | undefined {
  if (typeof p.stringValue === 'string') return { value: p.stringValue };
  if (typeof p.numberValue === 'number') return { value: p.numberValue };
  if (typeof p.boolValue === 'boolean') return { value: p.boolValue };
  if ('nullValue' in p) return { value: null };
  if (p.structValue && typeof p.structValue === 'object') return { value: p.structValue };
  if (Array.isArray(p.listValue)) return { value: p.listValue };
  return undefined;
}

export interface PartialCall {
  name: string;
  signature: string | undefined;
  args: J;
  /** The path whose string value continues in the next piece. */
  continuing: string | undefined;
}

/** Applies one piece; a piece it cannot read is skipped (the parser never throws). */
export function applyPartialArg(call: PartialCall, piece: J): void {
  const path = typeof piece.jsonPath === 'string' ? piece.jsonPath : undefined;
  const keys = path ? parseJsonPath(path) : undefined;
  const v = valueOf(piece);
  if (!path || !keys || keys.length === 0 || !v) return;
  let node: J | unknown[] = call.args;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i] as string | number;
    const next = (node as Record<string | number, unknown>)[k];
    if (next && typeof next === 'object') node = next as J;
    else {
      const made: J | unknown[] = typeof keys[i + 1] === 'number' ? [] : {};
      (node as Record<string | number, unknown>)[k] = made;
      node = made;
    }
  }
  const last = keys[keys.length - 1] as string | number;
  const target = node as Record<string | number, unknown>;
  const prev = target[last];
  target[last] = call.continuing === path && typeof prev === 'string' && typeof v.value === 'string' ? prev + v.value : v.value;
  call.continuing = piece.willContinue === true && typeof v.value === 'string' ? path : undefined;
}
