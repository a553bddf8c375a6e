/**
 * A Gemini-native client's request (`GenerateContentRequest`, docs/protocols.md §3.2) → the
 * canonical request, for routes whose upstream speaks another protocol. Same-protocol routes
 * never come here: their bytes pass through.
 *
 * Decisions, each tested:
 * - Turns: `user` / `model` (role absent = user); `functionResponse` parts become tool results
 *   in the user turn, `functionCall` parts tool calls in the model turn. A call without an `id`
 *   gets one from its position (`call_<turn>_<part>`), so the same history always yields the same
 *   ids; a response without an `id` answers the earliest unanswered call of its name.
 * - Thoughts: `thought: true` parts are summaries for display; no provider takes unsigned
 *   thinking back, so they are dropped. Another provider's signed thinking comes back inside a
 *   `thoughtSignature` that EzyBus wrote (thought-signature.ts) and is restored at that place;
 *   any other signature came from Gemini itself and means nothing elsewhere: dropped.
 * - `inlineData` → image / document blocks by MIME type; `fileData` → a URL source (Files-API
 *   URIs mean nothing elsewhere, so only http(s) URIs are accepted).
 * - Tools: `functionDeclarations` with `parametersJsonSchema` (what Gemini CLI sends) or
 *   `parameters` (Gemini Schema, converted); Google's built-in tools run only on Gemini: dropped.
 * - `generationConfig`: output cap, sampling, stops, thinking (`thinkingBudget`: 0 = off,
 *   -1 = adaptive; `thinkingLevel` → effort), JSON output (`responseMimeType`,
 *   `responseSchema` / `responseJsonSchema`). `candidateCount` > 1 cannot be translated (400);
 *   `safetySettings` apply only on Gemini and are dropped with a note.
 * - snake_case spellings (`function_call`, `system_instruction` …), which Google's JSON parser
 *   accepts, are read too.
 */
import type { Block, CanonicalRequest, CanonicalTool } from '../canonical.js';
import { TranslationError } from '../errors.js';
import { jsonSchemaFromGemini } from './json-schema.js';
import { decodeThinking } from './thought-signature.js';

type J = Record<string, unknown>;
const obj = (v: unknown): J => (v && typeof v === 'object' && !Array.isArray(v) ? (v as J) : {});
const objs = (v: unknown): J[] => (Array.isArray(v) ? v.map(obj) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** A field in Google's camelCase or its snake_case spelling. */
function field(o: J, camel: string): unknown {
  if (o[camel] !== undefined) return o[camel];
  return o[camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
}

/** Checks what the gateway itself relies on; the rest is the upstream's to judge. */
export function validate(body: J): void {
  const contents = field(body, 'contents');
  if (!Array.isArray(contents) || contents.length === 0) {
    throw new TranslationError('* GenerateContentRequest.contents: contents is not specified', 'contents');
  }
  for (const [i, c] of contents.entries()) {
    const parts = field(obj(c), 'parts');
    if (!Array.isArray(parts)) throw new TranslationError(`* GenerateContentRequest.contents[${i}].parts: parts must be an array`, 'contents');
    const role = obj(c).role;
    if (role !== undefined && role !== 'user' && role !== 'model' && role !== 'function') {
      throw new TranslationError(`* GenerateContentRequest.contents[${i}].role: Please use a valid role: user, model.`, 'contents');
    }
  }
}

function mediaBlock(mime: string, source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string }): Block {
  return mime.startsWith('image/') ? { type: 'image', source } : { type: 'document', source };
}

interface Ids {
  /** Calls of each name not answered yet, in order. */
  open: Map<string, string[]>;
}

function toolResult(p: J, ids: Ids, where: string): Block {
  const fr = obj(field(p, 'functionResponse'));
  const name = str(fr.name) ?? '';
  const queue = ids.open.get(name) ?? [];
  // By id when the call had that id; else the earliest open call of that name (Gemini CLI
  // answers id-less calls with ids of its own making).
  const given = str(fr.id);
  const at = given ? queue.indexOf(given) : -1;
  const id = at !== -1 ? queue.splice(at, 1)[0] : queue.shift();
  if (!id) throw new TranslationError(`${where}: functionResponse '${name}' answers no functionCall of that name earlier in the conversation`, 'contents');
  const response = obj(fr.response);
  const keys = Object.keys(response);
  // Google's convention: {"output": …} for a result, {"error": …} for a failure (§3.2).
  if (keys.length === 1 && keys[0] === 'error') return { type: 'tool_result', tool_use_id: id, content: typeof response.error === 'string' ? response.error : JSON.stringify(response.error), is_error: true };
  if (keys.length === 1 && typeof response.output === 'string') return { type: 'tool_result', tool_use_id: id, content: response.output };
  return { type: 'tool_result', tool_use_id: id, content: JSON.stringify(response) };
}

function turn(c: J, t: number, ids: Ids, notes: Set<string>): Block[] {
  const out: Block[] = [];
  for (const [i, p] of objs(field(c, 'parts')).entries()) {
    const where = `contents[${t}].parts[${i}]`;
    const sig = str(field(p, 'thoughtSignature'));
    const carried = sig === undefined ? undefined : decodeThinking(sig);
    if (carried) out.push(...carried);
    else if (sig) notes.add('Gemini thought signatures dropped: they are meaningful only to Gemini');
    if (p.thought === true) {
      if (p.text) notes.add('thought summaries dropped: no provider takes unsigned thinking back');
      continue;
    }
    const inline = obj(field(p, 'inlineData'));
    const file = obj(field(p, 'fileData'));
    const call = field(p, 'functionCall');
    if (typeof p.text === 'string') {
      if (p.text) out.push({ type: 'text', text: p.text });
    } else if (typeof inline.data === 'string') {
      const mime = str(field(inline, 'mimeType')) ?? 'application/octet-stream';
      out.push(mediaBlock(mime, { type: 'base64', media_type: mime, data: inline.data }));
    } else if (typeof field(file, 'fileUri') === 'string') {
      const uri = field(file, 'fileUri') as string;
      if (!/^https?:\/\//.test(uri) || uri.startsWith('https://generativelanguage.googleapis.com/')) {
        throw new TranslationError(`${where}.fileData: '${uri}' is a Gemini file; send the data inline for a non-Gemini model`, 'contents');
      }
      out.push(mediaBlock(str(field(file, 'mimeType')) ?? 'image/jpeg', { type: 'url', url: uri }));
    } else if (call !== undefined) {
      const fc = obj(call);
      const name = str(fc.name) ?? '';
      const id = str(fc.id) ?? `call_${t}_${i}`;
      ids.open.set(name, [...(ids.open.get(name) ?? []), id]);
      out.push({ type: 'tool_use', id, name, input: obj(fc.args) });
    } else if (field(p, 'functionResponse') !== undefined) out.push(toolResult(p, ids, where));
    else if (field(p, 'executableCode') !== undefined || field(p, 'codeExecutionResult') !== undefined) notes.add('code-execution parts dropped: they run only on Gemini');
    else if (!carried) throw new TranslationError(`${where}: a part must hold text, inlineData, fileData, functionCall or functionResponse`, 'contents');
  }
  return out;
}

function tools(body: J, notes: Set<string>): CanonicalTool[] {
  const out: CanonicalTool[] = [];
  for (const t of objs(field(body, 'tools'))) {
    for (const d of objs(field(t, 'functionDeclarations'))) {
      const js = field(d, 'parametersJsonSchema');
      const schema = js !== undefined ? obj(js) : field(d, 'parameters') !== undefined ? obj(jsonSchemaFromGemini(field(d, 'parameters'))) : { type: 'object', properties: {} };
      const tool: CanonicalTool = { name: str(d.name) ?? '', input_schema: schema };
      if (typeof d.description === 'string') tool.description = d.description;
      out.push(tool);
    }
    for (const k of Object.keys(t)) if (k !== 'functionDeclarations' && k !== 'function_declarations') notes.add(`tool '${k}' dropped: it runs only on Gemini`);
  }
  return out;
}

const EFFORT: Record<string, string> = { MINIMAL: 'minimal', LOW: 'low', MEDIUM: 'medium', HIGH: 'high' };

function generation(gc: J, req: CanonicalRequest, notes: Set<string>): void {
  const candidates = num(field(gc, 'candidateCount'));
  if (candidates !== undefined && candidates > 1) throw new TranslationError("'candidateCount' > 1 cannot be translated: the target returns one candidate", 'generationConfig.candidateCount');
  const max = num(field(gc, 'maxOutputTokens'));
  if (max !== undefined) req.maxTokens = max;
  const temperature = num(gc.temperature);
  if (temperature !== undefined) req.temperature = temperature;
  const topP = num(field(gc, 'topP'));
  if (topP !== undefined) req.topP = topP;
  const stops = field(gc, 'stopSequences');
  if (Array.isArray(stops)) req.stop = stops.filter((s): s is string => typeof s === 'string');
  const th = obj(field(gc, 'thinkingConfig'));
  const budget = num(field(th, 'thinkingBudget'));
  const level = str(field(th, 'thinkingLevel'));
  // A budget of 0 is thinking off, which is every target's default.
  if (budget !== undefined && budget !== 0) req.thinking = budget < 0 ? 'adaptive' : budget;
  else if (budget === undefined && level && EFFORT[level.toUpperCase()]) req.reasoningEffort = EFFORT[level.toUpperCase()] as string;
  const mime = str(field(gc, 'responseMimeType'));
  const schema = field(gc, 'responseJsonSchema') ?? (field(gc, 'responseSchema') !== undefined ? jsonSchemaFromGemini(field(gc, 'responseSchema')) : undefined);
  if (schema !== undefined) req.json = { schema: obj(schema) };
  else if (mime === 'application/json') req.json = {};
  else if (mime === 'text/x.enum') notes.add("responseMimeType 'text/x.enum' dropped: only Gemini constrains output to an enum");
  for (const k of ['topK', 'seed', 'presencePenalty', 'frequencyPenalty', 'responseLogprobs', 'logprobs', 'responseModalities', 'speechConfig', 'mediaResolution', 'imageConfig']) {
    if (field(gc, k) !== undefined) notes.add(`generationConfig.${k} dropped: the target has no equivalent`);
  }
}

export function decodeRequest(body: J, notes: string[]): CanonicalRequest {
  validate(body);
  const dropped = new Set<string>();
  const req: CanonicalRequest = { system: [], messages: [], tools: [], stop: [] };
  const si = field(body, 'systemInstruction');
  if (typeof si === 'string') req.system.push({ type: 'text', text: si });
  else for (const p of objs(field(obj(si), 'parts'))) if (typeof p.text === 'string' && p.text) req.system.push({ type: 'text', text: p.text });
  const ids: Ids = { open: new Map() };
  for (const [t, c] of objs(field(body, 'contents')).entries()) {
    const role = c.role === 'model' ? 'assistant' : 'user';
    const content = turn(c, t, ids, dropped);
    if (!content.length) continue;
    const last = req.messages[req.messages.length - 1];
    if (last && last.role === role) last.content.push(...content);
    else req.messages.push({ role, content });
  }
  req.tools = tools(body, dropped);
  const fcc = obj(field(obj(field(body, 'toolConfig')), 'functionCallingConfig'));
  const mode = str(fcc.mode)?.toUpperCase();
  const allowed = field(fcc, 'allowedFunctionNames');
  if (mode === 'NONE') req.toolChoice = { type: 'none' };
  else if (mode === 'ANY') req.toolChoice = Array.isArray(allowed) && allowed.length === 1 && typeof allowed[0] === 'string' ? { type: 'tool', name: allowed[0] } : { type: 'any' };
  else if (mode === 'AUTO' || mode === 'VALIDATED') req.toolChoice = { type: 'auto' };
  generation(obj(field(body, 'generationConfig')), req, dropped);
  if (field(body, 'cachedContent') !== undefined) throw new TranslationError("'cachedContent' names a Gemini cache; a non-Gemini model cannot read it", 'cachedContent');
  if (field(body, 'safetySettings') !== undefined) dropped.add('safetySettings dropped: they apply only on Gemini');
  notes.push(...dropped);
  return req;
}
