/**
 * Messages request → canonical request, for translation (pass-through never decodes). The
 * canonical model is Messages-shaped, so this is a normalisation — and the structural check a
 * translated request needs, since no Anthropic server will look at it: every block is rebuilt
 * from its known fields, and anything malformed (a null or unknown block, a `source` of the
 * wrong type, a number where a string belongs) is a TranslationError (400 in the client's
 * protocol) before anything is sent or streamed.
 *
 * What real clients send and how it is carried (protocols.md appendix "what agent clients send"):
 * - `role: "system"` messages anywhere in `messages` (Claude Code 2.x) stay at their position.
 * - Claude Code's first system block `x-anthropic-billing-header: …` changes on every request;
 *   translated, it would defeat the target's prefix cache, so it is stripped (noted).
 * - `output_config.effort` is the effort level; `output_config.format` a JSON-schema constraint.
 * - Server-tool blocks (web search, code execution …) run only on Anthropic: dropped with a note.
 */
import { cacheOf, pushMessage, withCache, type Block, type CanonicalRequest, type CanonicalTool, type ImageSource } from '../canonical.js';
import { TranslationError } from '../errors.js';
import { label, arr, deeperThan, MAX_DEPTH, num, obj, str, type J } from '../json.js';
import { DEFAULT_THINKING_BUDGETS } from '../thinking.js';
import { mimeFromData } from '../mime.js';

const SERVER_BLOCKS = new Set([
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'mcp_tool_use',
  'mcp_tool_result',
  'container_upload',
  'search_result',
  'tool_reference',
  'advisor_tool_result',
]);

export const BILLING_HEADER = /^x-anthropic-billing-header:/;

const bad = (path: string, what: string): TranslationError => new TranslationError(`${path}: ${what}`, path.split('.')[0]);

function string(v: unknown, path: string): string {
  if (typeof v !== 'string') throw bad(path, `expected a string, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
  return v;
}

function source(v: unknown, path: string, kind: 'image' | 'document'): ImageSource | { text: string } | { blocks: unknown[] } {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad(path, 'expected a source object');
  const s = v as J;
  const type = string(s.type, `${path}.type`);
  if (type === 'base64') {
    const data = string(s.data, `${path}.data`);
    const declared = s.media_type === undefined ? undefined : string(s.media_type, `${path}.media_type`);
    const media = declared ?? mimeFromData(data);
    if (!media) throw bad(`${path}.media_type`, 'required (it cannot be told from the data)');
    return { type: 'base64', media_type: media, data };
  }
  if (type === 'url') return { type: 'url', url: string(s.url, `${path}.url`) };
  if (kind === 'document' && type === 'text') return { text: string(s.data, `${path}.data`) };
  if (kind === 'document' && type === 'content') {
    if (!Array.isArray(s.content) && typeof s.content !== 'string') throw bad(`${path}.content`, 'expected a string or an array of blocks');
    return typeof s.content === 'string' ? { text: s.content } : { blocks: s.content };
  }
  throw bad(`${path}.type`, `source type '${type}' is not one of base64, url${kind === 'document' ? ', text, content' : ''}`);
}

/** One content block, rebuilt; `null` = dropped (with a note). */
function block(v: unknown, path: string, notes: string[], inToolResult = false): Block | Block[] | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad(path, `expected a content block object, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
  const b = v as J;
  const type = string(b.type, `${path}.type`);
  const cc = cacheOf(b.cache_control);
  switch (type) {
    case 'text':
      return withCache<Block>({ type: 'text', text: string(b.text, `${path}.text`) }, cc);
    case 'image': {
      const src = source(b.source, `${path}.source`, 'image');
      return withCache<Block>({ type: 'image', source: src as ImageSource }, cc);
    }
    case 'document': {
      const src = source(b.source, `${path}.source`, 'document');
      if ('text' in src) return withCache<Block>({ type: 'text', text: src.text }, cc);
      if ('blocks' in src) return src.blocks.flatMap((x, i) => flat(block(x, `${path}.source.content.${i}`, notes, inToolResult)));
      return withCache<Block>({ type: 'document', source: src }, cc);
    }
    case 'tool_use': {
      const input = b.input === undefined ? {} : b.input;
      if (!input || typeof input !== 'object' || Array.isArray(input)) throw bad(`${path}.input`, 'expected an object');
      return withCache<Block>({ type: 'tool_use', id: string(b.id, `${path}.id`), name: string(b.name, `${path}.name`), input }, cc);
    }
    case 'tool_result': {
      if (inToolResult) throw bad(path, 'a tool_result cannot hold another tool_result');
      const out: Block = { type: 'tool_result', tool_use_id: string(b.tool_use_id, `${path}.tool_use_id`), content: toolResultContent(b.content, `${path}.content`, notes) };
      if (b.is_error !== undefined) {
        if (typeof b.is_error !== 'boolean') throw bad(`${path}.is_error`, 'expected a boolean');
        if (b.is_error) out.is_error = true;
      }
      return withCache(out, cc);
    }
    case 'thinking':
      return { type: 'thinking', thinking: string(b.thinking, `${path}.thinking`), signature: string(b.signature, `${path}.signature`) };
    case 'redacted_thinking':
      return { type: 'redacted_thinking', data: string(b.data, `${path}.data`) };
    default:
      if (SERVER_BLOCKS.has(type)) {
        notes.push(`'${type}' block dropped: it belongs to a tool that runs only on Anthropic`);
        return null;
      }
      throw bad(`${path}.type`, `unknown content block type '${type}'`);
  }
}

const flat = (b: Block | Block[] | null): Block[] => (b === null ? [] : Array.isArray(b) ? b : [b]);

/** tool_result content: absent, '' and [] are all an empty result (Anthropic accepts each). */
function toolResultContent(v: unknown, path: string, notes: string[]): string | Block[] {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) throw bad(path, 'expected a string or an array of blocks');
  return v.flatMap((x, i) => flat(block(x, `${path}.${i}`, notes, true)));
}

function content(v: unknown, path: string, notes: string[]): Block[] {
  if (typeof v === 'string') return [{ type: 'text', text: v }];
  if (!Array.isArray(v)) throw bad(path, 'expected a string or an array of content blocks');
  return v.flatMap((x, i) => flat(block(x, `${path}.${i}`, notes)));
}

function systemBlocks(v: unknown, notes: string[]): CanonicalRequest['system'] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return v ? [{ type: 'text', text: v }] : [];
  if (!Array.isArray(v)) throw bad('system', 'expected a string or an array of text blocks');
  const out: CanonicalRequest['system'] = [];
  v.forEach((x, i) => {
    const b = obj(x);
    if (b.type !== 'text') throw bad(`system.${i}.type`, "system blocks must be of type 'text'");
    const text = string(b.text, `system.${i}.text`);
    if (i === 0 && BILLING_HEADER.test(text)) {
      notes.push('x-anthropic-billing-header system block stripped: it changes on every request and would defeat the target’s prompt cache');
      return;
    }
    out.push(withCache({ type: 'text' as const, text }, cacheOf(b.cache_control)));
  });
  return out;
}

export function decodeRequest(body: J, notes: string[]): CanonicalRequest {
  if (deeperThan(body, MAX_DEPTH)) throw new TranslationError(`the request nests deeper than ${MAX_DEPTH} levels`);
  if (!Array.isArray(body.messages)) throw new TranslationError("'messages' is required and must be an array.", 'messages');
  if (body.messages.length === 0) throw new TranslationError("messages: at least one message is required", 'messages');
  const mt = body.max_tokens;
  if (typeof mt !== 'number' || !Number.isInteger(mt) || mt < 1) throw new TranslationError("'max_tokens' is required and must be a positive integer.", 'max_tokens');
  const req: CanonicalRequest = { system: systemBlocks(body.system, notes), messages: [], tools: [], stop: [] };
  body.messages.forEach((raw, i) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw bad(`messages.${i}`, 'expected a message object');
    const m = raw as J;
    const role = m.role;
    if (role !== 'user' && role !== 'assistant' && role !== 'system') throw bad(`messages.${i}.role`, `role ${JSON.stringify(role)} is not one of user, assistant, system`);
    if (role === 'system') {
      // Mid-conversation system message: text only carries across; other blocks (e.g. tool_addition) are Anthropic's own.
      const blocks: Block[] = [];
      const parts = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
      if (!Array.isArray(parts)) throw bad(`messages.${i}.content`, 'expected a string or an array of blocks');
      parts.forEach((p, j) => {
        const b = obj(p);
        if (typeof b.type !== 'string') throw bad(`messages.${i}.content.${j}.type`, 'expected a string');
        if (b.type === 'text') blocks.push({ type: 'text', text: string(b.text, `messages.${i}.content.${j}.text`) });
        else notes.push(`'${b.type}' block of a system message dropped: the target has no counterpart`);
      });
      if (blocks.length) pushMessage(req.messages, 'system', blocks);
      return;
    }
    pushMessage(req.messages, role, content(m.content, `messages.${i}.content`, notes));
  });
  if (body.tools !== undefined && !Array.isArray(body.tools)) throw bad('tools', 'expected an array');
  arr(body.tools).forEach((raw, i) => {
    const t = obj(raw);
    if (t.type !== undefined && t.type !== 'custom') {
      notes.push(`server tool '${label(t.type)}' dropped: it runs only on Anthropic`);
      return;
    }
    const schema = t.input_schema === undefined ? { type: 'object' } : t.input_schema;
    if (!schema || typeof schema !== 'object' || Array.isArray(schema)) throw bad(`tools.${i}.input_schema`, 'expected an object');
    const tool: CanonicalTool = { name: string(t.name, `tools.${i}.name`), input_schema: schema as J };
    if (t.description !== undefined) tool.description = string(t.description, `tools.${i}.description`);
    const cc = cacheOf(t.cache_control);
    if (cc) tool.cache_control = cc;
    req.tools.push(tool);
  });
  const tc = obj(body.tool_choice);
  if (tc.type === 'auto' || tc.type === 'any' || tc.type === 'none') req.toolChoice = { type: tc.type };
  else if (tc.type === 'tool') req.toolChoice = { type: 'tool', name: string(tc.name, 'tool_choice.name') };
  if (tc.disable_parallel_tool_use === true) req.parallelToolCalls = false;
  req.maxTokens = mt;
  const temperature = num(body.temperature);
  if (temperature !== undefined) req.temperature = temperature;
  const topP = num(body.top_p);
  if (topP !== undefined) req.topP = topP;
  req.stop = arr(body.stop_sequences).filter((s): s is string => typeof s === 'string');
  const th = obj(body.thinking);
  if (th.type === 'enabled') req.thinking = num(th.budget_tokens) ?? DEFAULT_THINKING_BUDGETS.medium;
  else if (th.type === 'adaptive') req.thinking = 'adaptive';
  const oc = obj(body.output_config);
  const effort = str(oc.effort);
  if (effort) req.reasoningEffort = effort;
  const format = obj(oc.format);
  if (format.type === 'json_schema') {
    const schema = format.schema;
    if (!schema || typeof schema !== 'object' || Array.isArray(schema)) throw bad('output_config.format.schema', 'expected an object');
    req.json = { schema: schema as J, ...(typeof format.name === 'string' ? { name: format.name } : {}) };
  } else if (format.type !== undefined) notes.push(`output_config.format of type '${label(format.type)}' dropped: only json_schema translates`);
  const uid = str(obj(body.metadata).user_id);
  if (uid) req.user = uid;
  for (const f of ['top_k', 'container', 'mcp_servers', 'context_management', 'service_tier']) {
    if (body[f] !== undefined) notes.push(`'${f}' dropped: the target has no equivalent`);
  }
  return req;
}
