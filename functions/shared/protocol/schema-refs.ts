/**
 * Local `$ref`s of a JSON Schema (`#/$defs/X`, `#/definitions/X`) replaced by what they name,
 * for targets whose schema dialect has no references (Gemini's OpenAPI subset). pydantic
 * models nest through `$defs` + `$ref` (pydantic-ai's tool and output schemas), and OpenAI
 * accepts them, so refusing them would refuse what OpenAI accepts. A recursive reference cannot
 * be inlined: that stays the caller's to refuse. Pure; the input is not changed.
 */
type J = Record<string, unknown>;

export class RecursiveRefError extends Error {}

const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);

export function inlineLocalRefs(schema: unknown): unknown {
  if (!isObj(schema)) return schema;
  const defs: J = { ...(isObj(schema.definitions) ? schema.definitions : {}), ...(isObj(schema.$defs) ? schema.$defs : {}) };
  const walk = (node: unknown, seen: readonly string[]): unknown => {
    if (Array.isArray(node)) return node.map((x) => walk(x, seen));
    if (!isObj(node)) return node;
    const ref = node.$ref;
    if (typeof ref === 'string') {
      const m = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref);
      const name = m?.[1]?.replace(/~1/g, '/').replace(/~0/g, '~');
      if (name === undefined || !(name in defs)) return node; // not local: left for the caller
      if (seen.includes(name)) throw new RecursiveRefError(`schema '${name}' refers to itself`);
      const { $ref: _r, ...siblings } = node;
      const target = walk(defs[name], [...seen, name]);
      return isObj(target) ? { ...target, ...(walk(siblings, seen) as J) } : target;
    }
    const out: J = {};
    for (const [k, v] of Object.entries(node)) out[k] = walk(v, seen);
    return out;
  };
  const { $defs: _d, definitions: _e, ...root } = schema;
  return walk(root, []);
}
