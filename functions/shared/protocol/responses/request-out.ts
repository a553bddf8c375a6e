/**
 * Canonical request → OpenAI Responses request body, for Chat Completions and Anthropic clients
 * routed to a Responses upstream. The request asks for `store: false` with
 * `include: ["reasoning.encrypted_content"]`, so reasoning comes back as items the client can
 * return (as signed thinking blocks) and nothing depends on OpenAI-side storage.
 */
import type { Block, CanonicalRequest } from '../canonical.js';
import type { OutOptions } from '../adapter.js';
import type { J } from '../json.js';
import { responsesItemOfSignature } from './reasoning.js';

type Source = { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };
const dataUrl = (s: Source): string => (s.type === 'base64' ? `data:${s.media_type};base64,${s.data}` : s.url);

// Responses refuses max_output_tokens below 16.
const MIN_OUTPUT_TOKENS = 16;

function effortOf(req: CanonicalRequest): string | undefined {
  if (req.reasoningEffort) return req.reasoningEffort;
  const t = req.thinking;
  if (t === undefined) return undefined;
  if (t === 'adaptive') return 'medium';
  return t <= 2048 ? 'low' : t <= 8192 ? 'medium' : 'high';
}

function userPart(b: Block, notes: string[]): J | undefined {
  if (b.type === 'text') return { type: 'input_text', text: b.text };
  if (b.type === 'image') return { type: 'input_image', image_url: dataUrl(b.source), detail: 'auto' };
  if (b.type === 'document') return b.source.type === 'base64' ? { type: 'input_file', filename: 'document.pdf', file_data: dataUrl(b.source) } : { type: 'input_file', file_url: b.source.url };
  notes.push(`${b.type} block in a user turn dropped`);
  return undefined;
}

function toolOutput(c: string | Block[], isError: boolean | undefined): string | J[] {
  if (typeof c === 'string') return (isError ? 'Error: ' : '') + c;
  const out: J[] = [];
  for (const b of c) {
    if (b.type === 'text') out.push({ type: 'input_text', text: b.text });
    else if (b.type === 'image') out.push({ type: 'input_image', image_url: dataUrl(b.source), detail: 'auto' });
  }
  if (isError) out.unshift({ type: 'input_text', text: 'Error:' });
  return out;
}

export function toResponses(req: CanonicalRequest, o: OutOptions, notes: string[]): J {
  const input: J[] = [];
  let droppedThinking = false;
  for (const m of req.messages) {
    if (m.role === 'user') {
      let pending: J[] = [];
      const flush = (): void => {
        if (pending.length) input.push({ type: 'message', role: 'user', content: pending });
        pending = [];
      };
      for (const b of m.content) {
        if (b.type === 'tool_result') {
          flush();
          input.push({ type: 'function_call_output', call_id: b.tool_use_id, output: toolOutput(b.content, b.is_error) });
        } else {
          const p = userPart(b, notes);
          if (p) pending.push(p);
        }
      }
      flush();
      continue;
    }
    let text: J[] = [];
    const flushText = (): void => {
      if (text.length) input.push({ type: 'message', role: 'assistant', content: text });
      text = [];
    };
    for (const b of m.content) {
      if (b.type === 'text') {
        if (b.text) text.push({ type: 'output_text', text: b.text, annotations: [] });
        continue;
      }
      flushText();
      if (b.type === 'tool_use') input.push({ type: 'function_call', call_id: b.id, name: b.name, arguments: JSON.stringify(b.input ?? {}) });
      else if (b.type === 'thinking') {
        const item = responsesItemOfSignature(b.signature);
        if (item) {
          input.push({
            type: 'reasoning',
            ...(item.id ? { id: item.id } : {}),
            summary: b.thinking ? [{ type: 'summary_text', text: b.thinking }] : [],
            ...(item.encrypted ? { encrypted_content: item.encrypted } : {}),
          });
        } else droppedThinking = true;
      } else droppedThinking = true;
    }
    flushText();
  }
  if (droppedThinking) notes.push('thinking signed by another provider dropped: OpenAI cannot verify it');
  const body: J = { model: o.model, input, store: false, include: ['reasoning.encrypted_content'] };
  if (req.system.length) body.instructions = req.system.map((s) => s.text).join('\n\n');
  if (req.tools.length) {
    body.tools = req.tools.map((t) => ({ type: 'function', name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.input_schema, strict: false }));
  }
  const tc = req.toolChoice;
  if (tc) body.tool_choice = tc.type === 'any' ? 'required' : tc.type === 'tool' ? { type: 'function', name: tc.name } : tc.type;
  if (req.parallelToolCalls === false && req.tools.length) body.parallel_tool_calls = false;
  if (req.maxTokens !== undefined) {
    body.max_output_tokens = Math.max(MIN_OUTPUT_TOKENS, req.maxTokens);
    if (req.maxTokens < MIN_OUTPUT_TOKENS) notes.push(`max_output_tokens raised to ${MIN_OUTPUT_TOKENS}: the Responses API's minimum`);
  }
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.stop.length) notes.push('stop sequences dropped: the Responses API has none');
  const effort = effortOf(req);
  // A summary makes the reasoning visible to the client as thinking text.
  if (effort) body.reasoning = { effort, summary: 'auto' };
  if (req.json) body.text = { format: req.json.schema ? { type: 'json_schema', name: req.json.name ?? 'response', schema: req.json.schema } : { type: 'json_object' } };
  if (req.user) body.user = req.user;
  if (o.stream) body.stream = true;
  return body;
}

