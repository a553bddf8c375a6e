/** Canonical request → Messages request body; every adaptation that changes meaning leaves a note. */
import type { Block, CanonicalRequest } from '../canonical.js';
import type { OutOptions } from '../adapter.js';
import type { J } from '../json.js';
import { budgetFor, jsonInstruction } from '../thinking.js';

export function encodeRequest(req: CanonicalRequest, o: OutOptions, notes: string[]): J {
  const body: J = { model: o.model, max_tokens: req.maxTokens ?? o.maxTokensDefault };
  const system = [...req.system];
  if (req.json?.schema) body.output_config = { format: { type: 'json_schema', schema: req.json.schema } };
  else if (req.json) {
    // A schema maps to structured outputs; "any JSON object" has no counterpart but an instruction.
    system.push({ type: 'text', text: jsonInstruction(req) });
    notes.push('response_format json_object became a system instruction: Anthropic has no schema-less JSON mode');
  }
  if (system.length) body.system = system;
  body.messages = req.messages.map((m) => ({ role: m.role, content: m.content.map(block) }));
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

function block(b: Block): Block {
  if (b.type === 'thinking' && b.signature.startsWith('gemini:')) return { type: 'text', text: '' };
  return b;
}
