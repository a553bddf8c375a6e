/**
 * Canonical request → upstream request body, one function per provider. Protocol facts from
 * protocols.md §4; every adaptation that changes meaning leaves a note.
 */
import type { Block, CanonicalRequest } from './canonical.js';
import { TranslationError } from './errors.js';
import { DEFAULT_THINKING_BUDGETS } from './request-in.js';
import { decodeGeminiCallId } from './ids.js';

type J = Record<string, unknown>;

export interface OutOptions {
  model: string;
  stream: boolean;
  maxTokensDefault: number;
  thinkingBudgets?: { low: number; medium: number; high: number };
}

function budgetFor(req: CanonicalRequest, o: OutOptions): number | 'adaptive' | undefined {
  if (req.thinking !== undefined) return req.thinking;
  const e = req.reasoningEffort;
  if (!e || e === 'none') return undefined;
  const b = { ...DEFAULT_THINKING_BUDGETS, ...o.thinkingBudgets };
  return e === 'minimal' ? b.minimal : e === 'low' ? b.low : e === 'high' ? b.high : b.medium;
}

function jsonInstruction(req: CanonicalRequest): string {
  return req.json?.schema
    ? `Answer with a single JSON object that conforms to this JSON Schema, and nothing else:\n${JSON.stringify(req.json.schema)}`
    : 'Answer with a single valid JSON object, and nothing else.';
}

// ---------------- Anthropic ----------------

export function toAnthropic(req: CanonicalRequest, o: OutOptions, notes: string[]): J {
  const body: J = { model: o.model, max_tokens: req.maxTokens ?? o.maxTokensDefault };
  const system = [...req.system];
  if (req.json) {
    system.push({ type: 'text', text: jsonInstruction(req) });
    notes.push('response_format became a system instruction: Anthropic has no JSON mode');
  }
  if (system.length) body.system = system;
  body.messages = req.messages.map((m) => ({ role: m.role, content: m.content.map(anthropicBlock) }));
  if (req.tools.length) body.tools = req.tools;
  if (req.toolChoice) body.tool_choice = req.parallelToolCalls === false && req.toolChoice.type !== 'none' ? { ...req.toolChoice, disable_parallel_tool_use: true } : req.toolChoice;
  else if (req.parallelToolCalls === false && req.tools.length) body.tool_choice = { type: 'auto', disable_parallel_tool_use: true };
  const thinking = budgetFor(req, o);
  if (thinking === 'adaptive') body.thinking = { type: 'adaptive' };
  else if (thinking !== undefined) {
    const budget = Math.max(1024, thinking);
    body.thinking = { type: 'enabled', budget_tokens: budget };
    if ((body.max_tokens as number) <= budget) {
      body.max_tokens = budget + ((req.maxTokens ?? o.maxTokensDefault) || 1024);
      notes.push(`max_tokens raised to ${String(body.max_tokens)}: Anthropic needs it above the thinking budget`);
    }
  }
  if (req.temperature !== undefined) {
    if (body.thinking) notes.push('temperature dropped: Anthropic allows no temperature with thinking');
    else {
      body.temperature = Math.min(1, req.temperature);
      if (req.temperature > 1) notes.push(`temperature ${req.temperature} clamped to 1 (Anthropic's range is 0–1)`);
    }
  }
  if (req.topP !== undefined && !body.thinking) body.top_p = req.topP;
  if (req.stop.length) body.stop_sequences = req.stop;
  if (req.user) body.metadata = { user_id: req.user };
  if (o.stream) body.stream = true;
  return body;
}

function anthropicBlock(b: Block): Block {
  if (b.type === 'thinking' && b.signature.startsWith('gemini:')) return { type: 'text', text: '' };
  return b;
}

// ---------------- OpenAI ----------------

function dataUrl(src: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string }): string {
  return src.type === 'base64' ? `data:${src.media_type};base64,${src.data}` : src.url;
}

function toolResultText(c: string | Block[]): string {
  return typeof c === 'string' ? c : c.map((b) => (b.type === 'text' ? b.text : '')).join('\n');
}

export function toOpenAI(req: CanonicalRequest, o: OutOptions, notes: string[]): J {
  const messages: J[] = [];
  if (req.system.length) messages.push({ role: 'system', content: req.system.map((s) => s.text).join('\n\n') });
  let droppedThinking = false;
  for (const m of req.messages) {
    if (m.role === 'assistant') {
      const text = m.content.filter((b) => b.type === 'text').map((b) => (b as { text: string }).text).join('');
      const calls = m.content.filter((b) => b.type === 'tool_use') as Extract<Block, { type: 'tool_use' }>[];
      if (m.content.some((b) => b.type === 'thinking' || b.type === 'redacted_thinking')) droppedThinking = true;
      const msg: J = { role: 'assistant', content: text || null };
      if (calls.length) msg.tool_calls = calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.input ?? {}) } }));
      messages.push(msg);
      continue;
    }
    const parts: J[] = [];
    for (const b of m.content) {
      if (b.type === 'tool_result') {
        messages.push({ role: 'tool', tool_call_id: b.tool_use_id, content: (b.is_error ? 'Error: ' : '') + toolResultText(b.content) });
      } else if (b.type === 'text') parts.push({ type: 'text', text: b.text });
      else if (b.type === 'image') parts.push({ type: 'image_url', image_url: { url: dataUrl(b.source) } });
      else if (b.type === 'document') {
        if (b.source.type === 'base64') parts.push({ type: 'file', file: { file_data: dataUrl(b.source), filename: 'document.pdf' } });
        else notes.push('document by URL dropped: OpenAI takes files as data only');
      }
    }
    if (parts.length) messages.push({ role: 'user', content: parts.length === 1 && parts[0]?.type === 'text' ? parts[0].text : parts });
  }
  if (droppedThinking) notes.push('thinking blocks in history dropped: OpenAI Chat Completions cannot take them back');
  const body: J = { model: o.model, messages };
  if (req.maxTokens !== undefined) body.max_completion_tokens = req.maxTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.stop.length) body.stop = req.stop.slice(0, 4);
  if (req.tools.length) {
    body.tools = req.tools.map((t) => ({ type: 'function', function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.input_schema } }));
  }
  const tc = req.toolChoice;
  if (tc) body.tool_choice = tc.type === 'any' ? 'required' : tc.type === 'tool' ? { type: 'function', function: { name: tc.name } } : tc.type;
  if (req.parallelToolCalls === false && req.tools.length) body.parallel_tool_calls = false;
  const thinking = budgetFor(req, o);
  if (req.reasoningEffort) body.reasoning_effort = req.reasoningEffort;
  else if (thinking !== undefined) body.reasoning_effort = thinking === 'adaptive' ? 'medium' : thinking <= 2048 ? 'low' : thinking <= 8192 ? 'medium' : 'high';
  if (req.json) body.response_format = req.json.schema ? { type: 'json_schema', json_schema: { name: req.json.name ?? 'response', schema: req.json.schema } } : { type: 'json_object' };
  if (req.user) body.user = req.user;
  if (o.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}

// ---------------- Gemini ----------------

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

export function toGemini(req: CanonicalRequest, o: OutOptions, notes: string[]): J {
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
