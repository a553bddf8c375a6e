/**
 * Local `$ref`s of a JSON Schema (`#/$defs/X`, `#/definitions/X`) replaced by what they name,
 * for targets whose schema dialect has no references (Gemini's OpenAPI subset). pydantic
 * models nest through `$defs` + `$ref` (pydantic-ai's tool and output schemas), and OpenAI
 * accepts them, so refusing them would refuse what OpenAI accepts. A recursive reference cannot
 * be inlined: a 400 naming `tools`. Pure; the input is not changed.
 */
import { TranslationError } from './errors.js';
import { obj, type J } from './json.js';

const isObj = (v: unknown): v is J => obj(v) === v;

export function inlineLocalRefs(schema: unknown): unknown {
  if (!isObj(schema)) return schema;
  const { $defs, definitions, ...root } = schema;
  const defs: J = { ...obj(definitions), ...obj($defs) };
  const walk = (node: unknown, seen: string[]): unknown => {
    if (Array.isArray(node)) return node.map((x) => walk(x, seen));
    if (!isObj(node)) return node;
    const out: J = {};
    for (const k in node) out[k] = walk(node[k], seen);
    // Not a local ref (or none): left as it is, for the caller to judge.
    const name = /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(String(node.$ref))?.[1];
    if (name === undefined || !(name in defs)) return out;
    if (seen.includes(name)) throw new TranslationError(`recursive $ref '${name}' cannot be inlined`, 'tools');
    // Keywords beside the $ref (a description) win over the definition's.
    const { $ref: _r, ...beside } = out;
    return { ...(walk(defs[name], [...seen, name]) as J), ...beside };
  };
  return walk(root, []);
}
