/**
 * Canonical request → generateContent request body. Every adaptation that changes meaning
 * leaves a note. System text becomes `systemInstruction`; tool results become functionResponse
 * parts named by the call (ids from ids.ts carry the name and thought signature back).
 */
import { toolResultText, type CanonicalRequest, type ImageSource } from '../canonical.js';
import { mimeFromUrl } from '../mime.js';
import type { OutOptions } from '../adapter.js';
import { TranslationError } from '../errors.js';
import type { J } from '../json.js';
import { inlineLocalRefs } from '../schema-refs.js';
import { budgetFor } from '../thinking.js';
import { decodeGeminiCallId } from './ids.js';

const GEMINI_SCHEMA_KEYS = new Set(['type', 'format', 'description', 'nullable', 'enum', 'properties', 'required', 'items', 'minItems', 'maxItems', 'minimum', 'maximum', 'anyOf', 'propertyOrdering', 'title', 'minLength', 'maxLength', 'pattern', 'minProperties', 'maxProperties']);

/**
 * JSON Schema → the OpenAPI subset Gemini accepts: local `$ref`s are inlined (schema-refs.ts),
 * `const` becomes a one-value enum, type unions with null become `nullable`, unsupported keywords
 * ($schema, additionalProperties, default, examples …) are removed with a note; a recursive or
 * non-local `$ref` cannot be inlined and is refused.
 */
export function geminiSchema(s: unknown, notes: Set<string>): unknown {
  return geminiNode(inlineLocalRefs(s), notes);
}

function geminiNode(s: unknown, notes: Set<string>): unknown {
  if (Array.isArray(s)) return s.map((x) => geminiNode(x, notes));
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
      out.properties = Object.fromEntries(Object.entries(v as J).map(([pk, pv]) => [pk, geminiNode(pv, notes)]));
    } else if (k === 'items' || k === 'anyOf') out[k] = geminiNode(v, notes);
    else if (GEMINI_SCHEMA_KEYS.has(k)) out[k] = v;
    else notes.add(`schema keyword '${k}' removed for Gemini`);
  }
  return out;
}

/** An image or document as a part: inline data, or a URL with the media type its extension tells (omitted when it tells none). */
function mediaPart(source: ImageSource): J {
  if (source.type === 'base64') return { inlineData: { mimeType: source.media_type, data: source.data } };
  const mimeType = mimeFromUrl(source.url);
  return { fileData: { fileUri: source.url, ...(mimeType ? { mimeType } : {}) } };
}

/**
 * Gemini 3 models take a thinking level; 2.x and older (and names that say neither) a budget. An effort level the
 * client named maps to the level of the same name (high → HIGH; Messages' `max` and OpenAI's
 * `xhigh` → HIGH, the top); Pro models have only LOW and HIGH, so minimal → LOW, medium → HIGH.
 */
function thinkingConfig(req: CanonicalRequest, o: OutOptions, notes: string[]): J | undefined {
  const effort = req.reasoningEffort;
  // Budgets are what every model takes (legacy on Gemini 3): levels only where the name says 3+.
  const levelled = /gemini-(?:[3-9]|[1-9]\d)(?:[.-]|$)/.test(o.model);
  if (effort && effort !== 'none' && levelled) {
    const pro = /-pro\b/.test(o.model);
    const level = effort === 'minimal' ? (pro ? 'LOW' : 'MINIMAL') : effort === 'low' ? 'LOW' : effort === 'medium' ? (pro ? 'HIGH' : 'MEDIUM') : 'HIGH';
    if (level.toLowerCase() !== effort) notes.push(`effort '${effort}' sent as thinkingLevel ${level}: the nearest level this model has`);
    return { thinkingLevel: level, includeThoughts: true };
  }
  const thinking = budgetFor(req, o);
  return thinking === undefined ? undefined : { thinkingBudget: thinking === 'adaptive' ? -1 : thinking, includeThoughts: true };
}

/** Consecutive turns of one role become one turn (a system note lands beside its user turn). */
function mergeTurns(contents: J[]): J[] {
  const out: J[] = [];
  for (const c of contents) {
    const last = out[out.length - 1];
    if (last && last.role === c.role) last.parts = [...(last.parts as J[]), ...(c.parts as J[])];
    else out.push(c);
  }
  return out;
}

/**
 * Canonical request → generateContent body.
 * - System messages in mid-conversation: Gemini has only `systemInstruction`, so each becomes a
 *   user-role text part at its position, marked `<system>…</system>`, merged into the user turn
 *   beside it (see protocol/README.md, "Translation choices").
 * - A tool result's images follow its functionResponse as inline-data parts in the same turn
 *   (every Gemini model reads them there).
 */
export function encodeRequest(req: CanonicalRequest, o: OutOptions, notes: string[]): J {
  const schemaNotes = new Set<string>();
  const names = new Map<string, string>();
  for (const m of req.messages) for (const b of m.content) if (b.type === 'tool_use') names.set(b.id, b.name);
  const contents: J[] = [];
  for (const m of req.messages) {
    const parts: J[] = [];
    if (m.role === 'system') {
      const text = m.content.map((b) => (b.type === 'text' ? b.text : '')).join('\n');
      if (text) contents.push({ role: 'user', parts: [{ text: `<system>\n${text}\n</system>` }] });
      continue;
    }
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
        parts.push(mediaPart(b.source));
      } else if (b.type === 'tool_use') {
        const decoded = decodeGeminiCallId(b.id);
        parts.push({ functionCall: { name: b.name, args: b.input ?? {} }, ...(decoded?.signature ? { thoughtSignature: decoded.signature } : sig) });
      } else if (b.type === 'tool_result') {
        const name = names.get(b.tool_use_id) ?? decodeGeminiCallId(b.tool_use_id)?.name;
        if (!name) throw new TranslationError(`tool result ${b.tool_use_id} names no tool call in the conversation`, 'messages');
        const blocks = typeof b.content === 'string' ? [] : b.content;
        const text = toolResultText(b.content);
        parts.push({ functionResponse: { name, response: b.is_error ? { error: text } : { result: text } } });
        for (const x of blocks) if (x.type === 'image' || x.type === 'document') parts.push(mediaPart(x.source));
      }
      if (b.type !== 'text' || b.text) pendingSig = undefined;
    }
    if (parts.length) contents.push({ role: m.role === 'assistant' ? 'model' : 'user', parts });
  }
  const body: J = { contents: mergeTurns(contents) };
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
  const thinking = thinkingConfig(req, o, notes);
  if (thinking) gc.thinkingConfig = thinking;
  if (req.json) {
    gc.responseMimeType = 'application/json';
    if (req.json.schema) gc.responseSchema = geminiSchema(req.json.schema, schemaNotes);
  }
  if (Object.keys(gc).length) body.generationConfig = gc;
  if (req.parallelToolCalls === false) notes.push('parallel_tool_calls=false dropped: Gemini has no such switch');
  notes.push(...schemaNotes);
  return body;
}
