/**
 * Responses request → canonical request (docs/protocols.md §5.2, §5.3), for upstreams of other
 * protocols. A Responses upstream never comes here: same protocol is passed through.
 *
 * Decisions (each one tested):
 * - `instructions` and system/developer messages become the system prompt, in order.
 * - State EzyBus does not keep — `previous_response_id`, `conversation`, `item_reference`,
 *   `background` — is a 400 that says to send the whole conversation instead (README,
 *   "Responses API").
 * - Reasoning items EzyBus minted return as the exact signed thinking; OpenAI's own
 *   (encrypted for one OpenAI organisation) and `compaction` items mean nothing to another
 *   provider and are dropped with a note.
 */
import type { Block, CanonicalRequest, ToolChoice } from '../canonical.js';
import { TranslationError } from '../errors.js';
import { obj, objs, num, str, type J } from '../json.js';
import { includeNotes } from './include.js';
import { isResponsesSignature, thinkingFromReasoningItem } from './reasoning.js';
import { CUSTOM_INPUT, canonicalCallName, toolsFromResponses, type ToolKinds } from './tools.js';

type Source = { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };

function sourceOf(url: string): Source {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return m ? { type: 'base64', media_type: m[1] as string, data: m[2] as string } : { type: 'url', url };
}

const STATEFUL =
  "EzyBus stores no responses for models outside OpenAI's Responses API. Send the whole conversation in 'input' each turn, with 'store': false";

function parts(content: unknown, notes: string[]): Block[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  const out: Block[] = [];
  for (const p of objs(content)) {
    if (p.type === 'input_text' || p.type === 'output_text' || p.type === 'text') out.push({ type: 'text', text: str(p.text) ?? '' });
    else if (p.type === 'refusal') out.push({ type: 'text', text: str(p.refusal) ?? '' });
    else if (p.type === 'input_image') {
      const url = str(p.image_url) ?? str(obj(p.image_url).url);
      if (url) out.push({ type: 'image', source: sourceOf(url) });
      else notes.push('input_image by file_id dropped: uploaded files exist only at OpenAI');
    } else if (p.type === 'input_file') {
      const data = str(p.file_data);
      const url = str(p.file_url);
      if (data) {
        const src = sourceOf(data);
        out.push({ type: 'document', source: src.type === 'url' ? { type: 'base64', media_type: 'application/pdf', data } : src });
      } else if (url) out.push({ type: 'document', source: { type: 'url', url } });
      else notes.push('input_file by file_id dropped: uploaded files exist only at OpenAI');
    } else notes.push(`content part of type '${String(p.type)}' dropped: no counterpart on the target`);
  }
  return out;
}

function outputBlocks(output: unknown, notes: string[]): string | Block[] {
  if (typeof output === 'string') return output;
  const blocks = parts(output, notes);
  return blocks.length ? blocks : '';
}

function push(msgs: CanonicalRequest['messages'], role: 'user' | 'assistant', content: Block[]): void {
  if (!content.length) return;
  const last = msgs[msgs.length - 1];
  // Alternating turns: consecutive same-role items merge (Anthropic requires it).
  if (last && last.role === role) last.content.push(...content);
  else msgs.push({ role, content });
}

function callInput(item: J): unknown {
  const args = str(item.arguments) ?? '';
  if (!args.trim()) return {};
  try {
    return JSON.parse(args) as unknown;
  } catch {
    throw new TranslationError(`function_call ${String(item.call_id)} has arguments that are not valid JSON`, 'input');
  }
}

function toolChoice(tc: unknown, notes: string[]): ToolChoice | undefined {
  if (tc === 'auto') return { type: 'auto' };
  if (tc === 'none') return { type: 'none' };
  if (tc === 'required') return { type: 'any' };
  const o = obj(tc);
  if ((o.type === 'function' || o.type === 'custom') && typeof o.name === 'string') return { type: 'tool', name: o.name };
  if (o.type === 'allowed_tools') {
    notes.push("tool_choice 'allowed_tools' became auto/required over all tools");
    return o.mode === 'required' ? { type: 'any' } : { type: 'auto' };
  }
  if (tc !== undefined && tc !== null) notes.push(`tool_choice ${JSON.stringify(tc)} became auto: hosted tools run only at OpenAI`);
  return undefined;
}

export function fromResponses(body: J, notes: string[]): { req: CanonicalRequest; kinds: ToolKinds } {
  if (typeof body.previous_response_id === 'string' && body.previous_response_id) throw new TranslationError(`'previous_response_id' is not supported here: ${STATEFUL}.`, 'previous_response_id');
  if (body.conversation !== undefined && body.conversation !== null) throw new TranslationError(`'conversation' is not supported here: ${STATEFUL}.`, 'conversation');
  if (body.background === true) throw new TranslationError("'background' is not supported here: EzyBus stores no responses to poll; stream instead.", 'background');
  const req: CanonicalRequest = { system: [], messages: [], tools: [], stop: [] };
  if (typeof body.instructions === 'string' && body.instructions) req.system.push({ type: 'text', text: body.instructions });
  const input = body.input;
  if (typeof input === 'string') push(req.messages, 'user', [{ type: 'text', text: input }]);
  let droppedReasoning = false;
  for (const item of objs(input)) {
    const type = item.type ?? (item.role !== undefined ? 'message' : undefined);
    if (type === 'message') {
      const role = item.role;
      if (role === 'system' || role === 'developer') {
        for (const b of parts(item.content, notes)) if (b.type === 'text' && b.text) req.system.push({ type: 'text', text: b.text });
      } else if (role === 'user' || role === 'assistant') push(req.messages, role, parts(item.content, notes));
      else throw new TranslationError(`message role ${JSON.stringify(role)} is not one of user, assistant, system, developer`, 'input');
    } else if (type === 'function_call') {
      push(req.messages, 'assistant', [{ type: 'tool_use', id: str(item.call_id) ?? '', name: canonicalCallName(item), input: callInput(item) }]);
    } else if (type === 'custom_tool_call') {
      push(req.messages, 'assistant', [{ type: 'tool_use', id: str(item.call_id) ?? '', name: canonicalCallName(item), input: { [CUSTOM_INPUT]: str(item.input) ?? '' } }]);
    } else if (type === 'function_call_output' || type === 'custom_tool_call_output') {
      push(req.messages, 'user', [{ type: 'tool_result', tool_use_id: str(item.call_id) ?? '', content: outputBlocks(item.output, notes) }]);
    } else if (type === 'reasoning') {
      const b = thinkingFromReasoningItem(item);
      if (b && !(b.type === 'thinking' && isResponsesSignature(b.signature))) push(req.messages, 'assistant', [b]);
      else droppedReasoning = true;
    } else if (type === 'item_reference') {
      throw new TranslationError(`'item_reference' (${String(item.id)}) cannot be resolved: ${STATEFUL}.`, 'input');
    } else if (type === 'compaction') {
      notes.push('compaction item dropped: it is encrypted for OpenAI');
    } else notes.push(`input item of type '${String(type)}' dropped: it exists only at OpenAI`);
  }
  if (droppedReasoning) notes.push('OpenAI reasoning items dropped: only OpenAI can read them');
  const { tools, kinds } = toolsFromResponses(body.tools, notes);
  req.tools = tools;
  const choice = toolChoice(body.tool_choice, notes);
  if (choice) req.toolChoice = choice;
  if (body.parallel_tool_calls === false) req.parallelToolCalls = false;
  const max = num(body.max_output_tokens);
  if (max !== undefined) req.maxTokens = max;
  const temperature = num(body.temperature);
  if (temperature !== undefined) req.temperature = temperature;
  const topP = num(body.top_p);
  if (topP !== undefined) req.topP = topP;
  const effort = str(obj(body.reasoning).effort);
  if (effort) req.reasoningEffort = effort;
  const format = obj(obj(body.text).format);
  if (format.type === 'json_schema') req.json = { schema: (format.schema as J | undefined) ?? {}, ...(typeof format.name === 'string' ? { name: format.name } : {}) };
  else if (format.type === 'json_object') req.json = {};
  const user = str(body.safety_identifier) ?? str(body.user);
  if (user) req.user = user;
  notes.push(...includeNotes(body.include));
  for (const f of ['top_logprobs', 'max_tool_calls', 'service_tier', 'prompt', 'prompt_cache_key', 'truncation']) {
    if (body[f] !== undefined && body[f] !== null) notes.push(`'${f}' dropped: the target has no equivalent`);
  }
  return { req, kinds };
}
