/**
 * Chat Completions request → canonical request, field by field (docs/protocols.md §4), for
 * translation (pass-through never decodes). This is also the structural check a translated
 * request needs: a message or part of the wrong shape is a TranslationError (400 in the
 * client's protocol) before anything is sent or streamed. Fields the canonical model cannot
 * carry are dropped with a reason in `notes`; input that cannot be expressed at all (n > 1) is
 * a TranslationError too.
 *
 * The legacy function-calling fields OpenAI still accepts — `functions`, `function_call` and
 * `role: "function"` messages — translate like tools: a legacy call gets an id (`call_fn_<n>`)
 * that the following function message answers, and the answer comes back in the legacy shape
 * (stream-out.ts, body.ts) because the client asked in it.
 */
import { cacheOf, pushMessage, withCache, type Block, type CanonicalRequest, type CanonicalTool, type ImageSource, type ToolChoice } from '../canonical.js';
import { TranslationError } from '../errors.js';
import { label, arr, deeperThan, MAX_DEPTH, num, obj, str, type J } from '../json.js';

const bad = (path: string, what: string): TranslationError => new TranslationError(`${path}: ${what}`, path.split('.')[0]);
const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

function string(v: unknown, path: string): string {
  if (typeof v !== 'string') throw bad(path, `expected a string, got ${kind(v)}`);
  return v;
}

/** data:<mime>;base64,<data> → a base64 source; anything else is a URL source. */
function sourceOf(url: string): ImageSource {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return m ? { type: 'base64', media_type: m[1] as string, data: m[2] as string } : { type: 'url', url };
}

function parts(content: unknown, path: string, notes: string[]): Block[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (content === null || content === undefined) return [];
  if (!Array.isArray(content)) throw bad(path, `expected a string or an array of content parts, got ${kind(content)}`);
  const out: Block[] = [];
  content.forEach((raw, i) => {
    const at = `${path}.${i}`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw bad(at, `expected a content part object, got ${kind(raw)}`);
    const p = raw as J;
    const type = string(p.type, `${at}.type`);
    const cc = cacheOf(p.cache_control);
    if (type === 'text') out.push(withCache<Block>({ type: 'text', text: string(p.text, `${at}.text`) }, cc));
    else if (type === 'image_url') {
      const iu = p.image_url;
      const url = typeof iu === 'string' ? iu : string(obj(iu).url, `${at}.image_url.url`);
      out.push(withCache<Block>({ type: 'image', source: sourceOf(url) }, cc));
    } else if (type === 'file') {
      const data = obj(p.file).file_data;
      if (data !== undefined) out.push(withCache<Block>({ type: 'document', source: sourceOf(string(data, `${at}.file.file_data`)) }, cc));
      else notes.push('file part without file_data dropped: uploaded file ids exist only at OpenAI');
    } else if (type === 'refusal') out.push({ type: 'text', text: string(p.refusal, `${at}.refusal`) });
    else if (type === 'input_audio') notes.push("content part of type 'input_audio' dropped: no counterpart on the target");
    else throw bad(`${at}.type`, `unknown content part type '${type}'`);
  });
  return out;
}

function textOf(content: unknown, path: string): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (!Array.isArray(content)) throw bad(path, `expected a string or an array of text parts, got ${kind(content)}`);
  return content
    .map((p, i) => {
      const part = obj(p);
      if (part.type !== 'text') throw bad(`${path}.${i}.type`, "only 'text' parts are allowed here");
      return string(part.text, `${path}.${i}.text`);
    })
    .join('\n');
}

/** Thinking carried on an assistant message by an OpenAI-format client (see docs/conformance.md). */
function thinkingBlocks(m: J, notes: string[]): Block[] {
  const out: Block[] = [];
  for (const b of arr(m.thinking_blocks).map(obj)) {
    if (b.type === 'thinking' && typeof b.signature === 'string') out.push({ type: 'thinking', thinking: str(b.thinking) ?? '', signature: b.signature });
    else if (b.type === 'redacted_thinking' && typeof b.data === 'string') out.push({ type: 'redacted_thinking', data: b.data });
  }
  if (!out.length && typeof m.reasoning_content === 'string' && m.reasoning_content) {
    notes.push('assistant reasoning_content without a signature dropped: providers refuse unsigned thinking');
  }
  return out;
}

function toolInput(args: unknown, path: string): unknown {
  if (args === undefined || args === null || args === '') return {};
  try {
    return JSON.parse(string(args, path));
  } catch (err) {
    if (err instanceof TranslationError) throw err;
    throw bad(path, 'tool call arguments are not valid JSON');
  }
}

function tool(f: J, path: string, cache: unknown): CanonicalTool {
  const params = f.parameters === undefined ? { type: 'object', properties: {} } : f.parameters;
  if (!params || typeof params !== 'object' || Array.isArray(params)) throw bad(`${path}.parameters`, 'expected an object');
  const t: CanonicalTool = { name: string(f.name, `${path}.name`), input_schema: params as J };
  if (f.description !== undefined && f.description !== null) t.description = string(f.description, `${path}.description`);
  const cc = cacheOf(cache);
  if (cc) t.cache_control = cc;
  return t;
}

/** Whether a request uses the legacy function-calling fields (and so wants its answer in them). */
export const usesLegacyFunctions = (body: J): boolean => Array.isArray(body.functions) && body.tools === undefined;

export function decodeRequest(body: J, notes: string[]): CanonicalRequest {
  if (deeperThan(body, MAX_DEPTH)) throw new TranslationError(`the request nests deeper than ${MAX_DEPTH} levels`);
  if (num(body.n) !== undefined && (body.n as number) > 1) throw new TranslationError("'n' > 1 cannot be translated: the target returns one choice", 'n');
  if (!Array.isArray(body.messages)) throw new TranslationError("'messages' is required and must be an array.", 'messages');
  if (body.messages.length === 0) throw new TranslationError("'messages' must contain at least one message.", 'messages');
  const req: CanonicalRequest = { system: [], messages: [], tools: [], stop: [] };
  let legacyCalls = 0;
  const openLegacy = new Map<string, string[]>(); // function name → ids of calls not yet answered
  body.messages.forEach((raw, i) => {
    const at = `messages.${i}`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw bad(at, `expected a message object, got ${kind(raw)}`);
    const m = raw as J;
    const role = m.role;
    if (role === 'system' || role === 'developer') {
      if (typeof m.content === 'string') req.system.push({ type: 'text', text: m.content });
      else if (Array.isArray(m.content)) {
        m.content.forEach((p, j) => {
          const part = obj(p);
          if (part.type !== 'text') throw bad(`${at}.content.${j}.type`, `only 'text' parts are allowed in a ${role} message`);
          req.system.push(withCache({ type: 'text' as const, text: string(part.text, `${at}.content.${j}.text`) }, cacheOf(part.cache_control)));
        });
      } else throw bad(`${at}.content`, `expected a string or an array of text parts, got ${kind(m.content)}`);
    } else if (role === 'user') pushMessage(req.messages, 'user', parts(m.content, `${at}.content`, notes));
    else if (role === 'assistant') {
      const blocks: Block[] = [...thinkingBlocks(m, notes), ...parts(m.content, `${at}.content`, notes)];
      if (m.tool_calls !== undefined && m.tool_calls !== null && !Array.isArray(m.tool_calls)) throw bad(`${at}.tool_calls`, 'expected an array');
      arr(m.tool_calls).forEach((rawCall, j) => {
        const tc = obj(rawCall);
        const f = obj(tc.function);
        blocks.push({ type: 'tool_use', id: string(tc.id, `${at}.tool_calls.${j}.id`), name: string(f.name, `${at}.tool_calls.${j}.function.name`), input: toolInput(f.arguments, `${at}.tool_calls.${j}.function.arguments`) });
      });
      if (m.function_call !== undefined && m.function_call !== null) {
        const fc = obj(m.function_call);
        const name = string(fc.name, `${at}.function_call.name`);
        const id = `call_fn_${legacyCalls++}`;
        openLegacy.set(name, [...(openLegacy.get(name) ?? []), id]);
        blocks.push({ type: 'tool_use', id, name, input: toolInput(fc.arguments, `${at}.function_call.arguments`) });
      }
      pushMessage(req.messages, 'assistant', blocks);
    } else if (role === 'tool') {
      pushMessage(req.messages, 'user', [{ type: 'tool_result', tool_use_id: string(m.tool_call_id, `${at}.tool_call_id`), content: textOf(m.content, `${at}.content`) }]);
    } else if (role === 'function') {
      const name = string(m.name, `${at}.name`);
      const id = openLegacy.get(name)?.shift();
      if (!id) throw bad(at, `function message '${name}' answers no function_call before it`);
      pushMessage(req.messages, 'user', [{ type: 'tool_result', tool_use_id: id, content: textOf(m.content, `${at}.content`) }]);
    }
    // Dropping a message the target cannot place would lose part of the conversation silently.
    else throw bad(`${at}.role`, `message role ${JSON.stringify(role)} is not one of system, developer, user, assistant, tool, function`);
  });
  if (body.tools !== undefined && body.tools !== null && !Array.isArray(body.tools)) throw bad('tools', 'expected an array');
  arr(body.tools).forEach((raw, i) => {
    const t = obj(raw);
    if (t.type !== 'function') {
      notes.push(`tool of type '${label(t.type)}' dropped: only function tools translate`);
      return;
    }
    req.tools.push(tool(obj(t.function), `tools.${i}.function`, t.cache_control));
  });
  if (body.functions !== undefined && body.functions !== null) {
    if (!Array.isArray(body.functions)) throw bad('functions', 'expected an array');
    body.functions.forEach((f, i) => req.tools.push(tool(obj(f), `functions.${i}`, undefined)));
  }
  const tc = body.tool_choice ?? body.function_call;
  let choice: ToolChoice | undefined;
  if (tc === 'auto') choice = { type: 'auto' };
  else if (tc === 'none') choice = { type: 'none' };
  else if (tc === 'required') choice = { type: 'any' };
  else if (tc && typeof tc === 'object') {
    const named = obj(tc);
    choice = { type: 'tool', name: string(named.function !== undefined ? obj(named.function).name : named.name, body.tool_choice !== undefined ? 'tool_choice.function.name' : 'function_call.name') };
  }
  if (choice) req.toolChoice = choice;
  // Legacy function calling has one call per turn.
  if (body.parallel_tool_calls === false || usesLegacyFunctions(body)) req.parallelToolCalls = false;
  const max = num(body.max_completion_tokens) ?? num(body.max_tokens);
  if (max !== undefined) req.maxTokens = max;
  const temperature = num(body.temperature);
  if (temperature !== undefined) req.temperature = temperature;
  const topP = num(body.top_p);
  if (topP !== undefined) req.topP = topP;
  if (typeof body.stop === 'string') req.stop = [body.stop];
  else req.stop = arr(body.stop).filter((s): s is string => typeof s === 'string');
  const effort = str(body.reasoning_effort);
  if (effort) req.reasoningEffort = effort;
  const rf = obj(body.response_format);
  if (rf.type === 'json_schema') {
    const js = obj(rf.json_schema);
    const schema = js.schema === undefined ? {} : js.schema;
    if (!schema || typeof schema !== 'object' || Array.isArray(schema)) throw bad('response_format.json_schema.schema', 'expected an object');
    req.json = { schema: schema as J, ...(typeof js.name === 'string' ? { name: js.name } : {}) };
  } else if (rf.type === 'json_object') req.json = {};
  if (typeof body.user === 'string') req.user = body.user;
  for (const f of ['logprobs', 'top_logprobs', 'logit_bias', 'presence_penalty', 'frequency_penalty', 'seed', 'service_tier', 'prediction', 'audio', 'modalities', 'web_search_options']) {
    if (body[f] !== undefined && body[f] !== null) notes.push(`'${f}' dropped: the target has no equivalent`);
  }
  return req;
}
