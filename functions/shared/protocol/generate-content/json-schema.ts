/**
 * Gemini's OpenAPI-subset `Schema` → JSON Schema, for tools and response schemas that a
 * Gemini-native client sends to an Anthropic or OpenAI upstream (docs/protocols.md §3.2,
 * "Function declarations"). Types are upper-case enums there (`STRING`, `OBJECT` …) and
 * `nullable` marks null; Gemini-only keywords (`propertyOrdering`, `example`) have no JSON
 * Schema meaning and are dropped. A `parametersJsonSchema` is JSON Schema already and is kept.
 */
type J = Record<string, unknown>;

const DROP = new Set(['propertyOrdering', 'example']);

export function jsonSchemaFromGemini(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(jsonSchemaFromGemini);
  if (!s || typeof s !== 'object') return s;
  const src = s as J;
  const out: J = {};
  for (const [k, v] of Object.entries(src)) {
    if (DROP.has(k) || k === 'nullable') continue;
    if (k === 'type' && typeof v === 'string') out.type = v.toLowerCase();
    else if (k === 'properties' && v && typeof v === 'object' && !Array.isArray(v)) {
      out.properties = Object.fromEntries(Object.entries(v as J).map(([pk, pv]) => [pk, jsonSchemaFromGemini(pv)]));
    } else if (k === 'items' || k === 'anyOf') out[k] = jsonSchemaFromGemini(v);
    // Schema numbers are int64 strings in Google's JSON mapping (`"minItems": "1"`).
    else if ((k === 'minItems' || k === 'maxItems' || k === 'minLength' || k === 'maxLength' || k === 'minProperties' || k === 'maxProperties') && typeof v === 'string') out[k] = Number(v);
    else out[k] = v;
  }
  if (src.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}
