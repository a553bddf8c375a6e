/**
 * Chat Completions request → canonical request, field by field (docs/protocols.md §4). Fields the
 * canonical model cannot carry are dropped with a reason in `notes`; input that cannot be
 * expressed at all (n > 1, say) is a TranslationError (400).
 */
import { cacheOf, pushMessage, withCache, type Block, type CanonicalRequest, type CanonicalTool, type ToolChoice } from '../canonical.js';
import { TranslationError } from '../errors.js';
import { arr, num, obj, str, type J } from '../json.js';

/** data:<mime>;base64,<data> → a base64 source; anything else is a URL source. */
function sourceOf(url: string): { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string } {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return m ? { type: 'base64', media_type: m[1] as string, data: m[2] as string } : { type: 'url', url };
}

function parts(content: unknown, notes: string[]): Block[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  const out: Block[] = [];
  for (const p of arr(content).map(obj)) {
    const cc = cacheOf(p.cache_control);
    if (p.type === 'text') out.push(withCache({ type: 'text', text: str(p.text) ?? '' }, cc));
    else if (p.type === 'image_url') out.push(withCache({ type: 'image', source: sourceOf(str(obj(p.image_url).url) ?? '') }, cc));
    else if (p.type === 'file') {
      const data = str(obj(p.file).file_data);
      if (data) out.push(withCache({ type: 'document', source: sourceOf(data) } as Block, cc));
      else notes.push('file part without file_data dropped: uploaded file ids exist only at OpenAI');
    } else if (p.type === 'refusal') out.push({ type: 'text', text: str(p.refusal) ?? '' });
    else notes.push(`content part of type '${String(p.type)}' dropped: no counterpart on the target`);
  }
  return out;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  return arr(content)
    .map(obj)
    .filter((p) => p.type === 'text')
    .map((p) => str(p.text) ?? '')
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

export function decodeRequest(body: J, notes: string[]): CanonicalRequest {
  if (num(body.n) !== undefined && (body.n as number) > 1) throw new TranslationError("'n' > 1 cannot be translated: the target returns one choice", 'n');
  const req: CanonicalRequest = { system: [], messages: [], tools: [], stop: [] };
  for (const m of arr(body.messages).map(obj)) {
    const role = m.role;
    if (role === 'system' || role === 'developer') {
      if (typeof m.content === 'string') req.system.push({ type: 'text', text: m.content });
      else for (const p of arr(m.content).map(obj)) if (p.type === 'text') req.system.push(withCache({ type: 'text' as const, text: str(p.text) ?? '' }, cacheOf(p.cache_control)));
    } else if (role === 'user') pushMessage(req.messages, 'user', parts(m.content, notes));
    else if (role === 'assistant') {
      const blocks: Block[] = [...thinkingBlocks(m, notes), ...parts(m.content, notes)];
      for (const tc of arr(m.tool_calls).map(obj)) {
        const f = obj(tc.function);
        let input: unknown = {};
        try {
          input = JSON.parse(str(f.arguments) || '{}');
        } catch {
          throw new TranslationError(`tool call ${String(tc.id)} has arguments that are not valid JSON`, 'messages');
        }
        blocks.push({ type: 'tool_use', id: str(tc.id) ?? '', name: str(f.name) ?? '', input });
      }
      pushMessage(req.messages, 'assistant', blocks);
    } else if (role === 'tool') {
      pushMessage(req.messages, 'user', [{ type: 'tool_result', tool_use_id: str(m.tool_call_id) ?? '', content: textOf(m.content) }]);
    } else if (role === 'function') throw new TranslationError("the legacy 'function' role is not supported; use tool messages", 'messages');
    // Dropping a message the target cannot place would lose part of the conversation silently.
    else throw new TranslationError(`message role ${JSON.stringify(role)} is not one of system, developer, user, assistant, tool`, 'messages');
  }
  for (const t of arr(body.tools).map(obj)) {
    if (t.type !== 'function') {
      notes.push(`tool of type '${String(t.type)}' dropped: only function tools translate`);
      continue;
    }
    const f = obj(t.function);
    const tool: CanonicalTool = { name: str(f.name) ?? '', input_schema: (f.parameters as J | undefined) ?? { type: 'object', properties: {} } };
    if (typeof f.description === 'string') tool.description = f.description;
    const cc = cacheOf(t.cache_control);
    if (cc) tool.cache_control = cc;
    req.tools.push(tool);
  }
  const tc = body.tool_choice;
  let choice: ToolChoice | undefined;
  if (tc === 'auto') choice = { type: 'auto' };
  else if (tc === 'none') choice = { type: 'none' };
  else if (tc === 'required') choice = { type: 'any' };
  else if (tc && typeof tc === 'object') choice = { type: 'tool', name: str(obj(obj(tc).function).name) ?? '' };
  if (choice) req.toolChoice = choice;
  if (body.parallel_tool_calls === false) req.parallelToolCalls = false;
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
    req.json = { schema: (js.schema as J | undefined) ?? {}, ...(typeof js.name === 'string' ? { name: js.name } : {}) };
  } else if (rf.type === 'json_object') req.json = {};
  if (typeof body.user === 'string') req.user = body.user;
  for (const f of ['logprobs', 'top_logprobs', 'logit_bias', 'presence_penalty', 'frequency_penalty', 'seed', 'service_tier', 'prediction', 'audio', 'modalities', 'web_search_options']) {
    if (body[f] !== undefined && body[f] !== null) notes.push(`'${f}' dropped: the target has no equivalent`);
  }
  return req;
}
