/**
 * Canonical request → generateContent request body. Every adaptation that changes meaning
 * leaves a note. System text becomes `systemInstruction`; tool results become functionResponse
 * parts named by the call (ids from ids.ts carry the name and thought signature back).
 */
import type { CanonicalRequest } from '../canonical.js';
import type { OutOptions } from '../adapter.js';
import { TranslationError } from '../errors.js';
import type { J } from '../json.js';
import { budgetFor } from '../thinking.js';
import { decodeGeminiCallId } from './ids.js';

const GEMINI_SCHEMA_KEYS = new Set(['type', 'format', 'description', 'nullable', 'enum', 'properties', 'required', 'items', 'minItems', 'maxItems', 'minimum', 'maximum', 'anyOf', 'propertyOrdering', 'title', 'minLength', 'maxLength', 'pattern', 'minProperties', 'maxProperties']);

/**
 * JSON Schema → the OpenAPI subset Gemini accepts: `const` becomes a one-value enum, type unions
 * with null become `nullable`, unsupported keywords ($schema, additionalProperties, default,
 * examples …) are removed with a note; `$ref` cannot be inlined safely and is refused.
 */
export function geminiSchema(s: unknown, notes: Set<string>): unknown {
  if (Array.isArray(s)) return s.map((x) => geminiSchema(x, notes));
  if (!s || typeof s !== 'object') return s;
  const src = s as J;
  if ('$ref' in src) throw new TranslationError('tool schemas with $ref cannot be sent to Gemini; inline the referenced schema', 'tools');
  const out: J = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === 'const') out.enum = [v];
    else if (k === 'type' && Array.isArray(v)) {
      const types = v.filter((t) => t !== 'null');
      out.type = types[0];
      if (types.length !== v.length) out.nullable = true;
      if (types.length > 1) notes.add('type unions reduced to their first type for Gemini');
    } else if (k === 'properties' && v && typeof v === 'object') {
      out.properties = Object.fromEntries(Object.entries(v as J).map(([pk, pv]) => [pk, geminiSchema(pv, notes)]));
    } else if (k === 'items' || k === 'anyOf') out[k] = geminiSchema(v, notes);
    else if (GEMINI_SCHEMA_KEYS.has(k)) out[k] = v;
    else notes.add(`schema keyword '${k}' removed for Gemini`);
  }
  return out;
}

export function encodeRequest(req: CanonicalRequest, o: OutOptions, notes: string[]): J {
  const schemaNotes = new Set<string>();
  const names = new Map<string, string>();
  for (const m of req.messages) for (const b of m.content) if (b.type === 'tool_use') names.set(b.id, b.name);
  const contents: J[] = [];
  for (const m of req.messages) {
    const parts: J[] = [];
    let pendingSig: string | undefined;
    for (const b of m.content) {
      if (b.type === 'thinking') {
        if (b.signature.startsWith('gemini:')) pendingSig = b.signature.slice(7);
        continue; // Gemini takes thought signatures back, not thought text
      }
      if (b.type === 'redacted_thinking') continue;
      const sig = pendingSig ? { thoughtSignature: pendingSig } : {};
      if (b.type === 'text') {
        if (b.text) parts.push({ text: b.text, ...sig });
      } else if (b.type === 'image' || b.type === 'document') {
        parts.push(b.source.type === 'base64' ? { inlineData: { mimeType: b.source.media_type, data: b.source.data } } : { fileData: { fileUri: b.source.url, mimeType: b.type === 'document' ? 'application/pdf' : 'image/jpeg' } });
      } else if (b.type === 'tool_use') {
        const decoded = decodeGeminiCallId(b.id);
        parts.push({ functionCall: { name: b.name, args: b.input ?? {} }, ...(decoded?.signature ? { thoughtSignature: decoded.signature } : sig) });
      } else if (b.type === 'tool_result') {
        const name = names.get(b.tool_use_id) ?? decodeGeminiCallId(b.tool_use_id)?.name;
        if (!name) throw new TranslationError(`tool result ${b.tool_use_id} names no tool call in the conversation`, 'messages');
        const text = typeof b.content === 'string' ? b.content : b.content.map((x) => (x.type === 'text' ? x.text : '')).join('\n');
        parts.push({ functionResponse: { name, response: b.is_error ? { error: text } : { result: text } } });
      }
      if (b.type !== 'text' || b.text) pendingSig = undefined;
    }
    if (parts.length) contents.push({ role: m.role === 'assistant' ? 'model' : 'user', parts });
  }
  const body: J = { contents };
  if (req.system.length) body.systemInstruction = { parts: [{ text: req.system.map((s) => s.text).join('\n\n') }] };
  if (req.tools.length) {
    body.tools = [
      {
        functionDeclarations: req.tools.map((t) => ({
          name: t.name,
          ...(t.description ? { description: t.description } : {}),
          parameters: geminiSchema(t.input_schema, schemaNotes),
        })),
      },
    ];
  }
  const tc = req.toolChoice;
  if (tc) {
    const mode = tc.type === 'auto' ? 'AUTO' : tc.type === 'none' ? 'NONE' : 'ANY';
    body.toolConfig = { functionCallingConfig: { mode, ...(tc.type === 'tool' ? { allowedFunctionNames: [tc.name] } : {}) } };
  }
  const gc: J = {};
  if (req.maxTokens !== undefined) gc.maxOutputTokens = req.maxTokens;
  if (req.temperature !== undefined) gc.temperature = req.temperature;
  if (req.topP !== undefined) gc.topP = req.topP;
  if (req.stop.length) gc.stopSequences = req.stop.slice(0, 5);
  const thinking = budgetFor(req, o);
  if (thinking !== undefined) gc.thinkingConfig = { thinkingBudget: thinking === 'adaptive' ? -1 : thinking, includeThoughts: true };
  if (req.json) {
    gc.responseMimeType = 'application/json';
    if (req.json.schema) gc.responseSchema = geminiSchema(req.json.schema, schemaNotes);
  }
  if (Object.keys(gc).length) body.generationConfig = gc;
  if (req.parallelToolCalls === false) notes.push('parallel_tool_calls=false dropped: Gemini has no such switch');
  notes.push(...schemaNotes);
  return body;
}
