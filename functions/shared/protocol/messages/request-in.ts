/**
 * Messages request → canonical request. The canonical model is Messages-shaped, so this is a
 * normalisation; fields the canonical model cannot carry are dropped with a reason in `notes`.
 */
import { cacheOf, pushMessage, withCache, type Block, type CanonicalRequest, type CanonicalTool } from '../canonical.js';
import { TranslationError } from '../errors.js';
import { arr, num, obj, str, type J } from '../json.js';
import { DEFAULT_THINKING_BUDGETS } from '../thinking.js';

export function decodeRequest(body: J, notes: string[]): CanonicalRequest {
  const req: CanonicalRequest = { system: [], messages: [], tools: [], stop: [] };
  if (typeof body.system === 'string') req.system.push({ type: 'text', text: body.system });
  else for (const b of arr(body.system).map(obj)) if (b.type === 'text') req.system.push(withCache({ type: 'text' as const, text: str(b.text) ?? '' }, cacheOf(b.cache_control)));
  for (const m of arr(body.messages).map(obj)) {
    if (m.role !== 'user' && m.role !== 'assistant') {
      throw new TranslationError(`message role ${JSON.stringify(m.role)} is not one of user, assistant (the system prompt goes in 'system')`, 'messages');
    }
    const role = m.role;
    const content: Block[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : (arr(m.content) as Block[]);
    pushMessage(req.messages, role, [...content]);
  }
  for (const t of arr(body.tools).map(obj)) {
    if (t.type !== undefined && t.type !== 'custom') {
      notes.push(`server tool '${String(t.type)}' dropped: it runs only on Anthropic`);
      continue;
    }
    const tool: CanonicalTool = { name: str(t.name) ?? '', input_schema: (t.input_schema as J | undefined) ?? { type: 'object' } };
    if (typeof t.description === 'string') tool.description = t.description;
    const cc = cacheOf(t.cache_control);
    if (cc) tool.cache_control = cc;
    req.tools.push(tool);
  }
  const tc = obj(body.tool_choice);
  if (tc.type === 'auto' || tc.type === 'any' || tc.type === 'none') req.toolChoice = { type: tc.type };
  else if (tc.type === 'tool') req.toolChoice = { type: 'tool', name: str(tc.name) ?? '' };
  if (tc.disable_parallel_tool_use === true) req.parallelToolCalls = false;
  const max = num(body.max_tokens);
  if (max !== undefined) req.maxTokens = max;
  const temperature = num(body.temperature);
  if (temperature !== undefined) req.temperature = temperature;
  const topP = num(body.top_p);
  if (topP !== undefined) req.topP = topP;
  req.stop = arr(body.stop_sequences).filter((s): s is string => typeof s === 'string');
  const th = obj(body.thinking);
  if (th.type === 'enabled') req.thinking = num(th.budget_tokens) ?? DEFAULT_THINKING_BUDGETS.medium;
  else if (th.type === 'adaptive') req.thinking = 'adaptive';
  const uid = str(obj(body.metadata).user_id);
  if (uid) req.user = uid;
  for (const f of ['top_k', 'container', 'mcp_servers', 'context_management', 'service_tier']) {
    if (body[f] !== undefined) notes.push(`'${f}' dropped: the target has no equivalent`);
  }
  return req;
}
