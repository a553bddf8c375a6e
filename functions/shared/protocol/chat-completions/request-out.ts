/** Canonical request → Chat Completions request body; every adaptation that changes meaning leaves a note. */
import { toolResultText, type Block, type CanonicalRequest } from '../canonical.js';
import type { OutOptions } from '../adapter.js';
import type { J } from '../json.js';
import { budgetFor } from '../thinking.js';

function dataUrl(src: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string }): string {
  return src.type === 'base64' ? `data:${src.media_type};base64,${src.data}` : src.url;
}

const textOf = (content: Block[]): string => content.map((b) => (b.type === 'text' ? b.text : '')).join('');

/**
 * Canonical request → Chat Completions body. A tool result's images have no place in a `tool`
 * message (text only): they follow, after that turn's tool messages, as a user message that
 * names the call they came from — Chat Completions' documented way to show a model an image.
 */
export function encodeRequest(req: CanonicalRequest, o: OutOptions, notes: string[]): J {
  const messages: J[] = [];
  if (req.system.length) messages.push({ role: 'system', content: req.system.map((s) => s.text).join('\n\n') });
  let droppedThinking = false;
  for (const m of req.messages) {
    if (m.role === 'system') {
      // A system message in mid-conversation stays where it was.
      messages.push({ role: 'system', content: textOf(m.content) });
      continue;
    }
    if (m.role === 'assistant') {
      const text = textOf(m.content);
      const calls = m.content.filter((b) => b.type === 'tool_use') as Extract<Block, { type: 'tool_use' }>[];
      if (m.content.some((b) => b.type === 'thinking' || b.type === 'redacted_thinking')) droppedThinking = true;
      const msg: J = { role: 'assistant', content: text || null };
      if (calls.length) msg.tool_calls = calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.input ?? {}) } }));
      messages.push(msg);
      continue;
    }
    const parts: J[] = [];
    const resultImages: J[] = [];
    for (const b of m.content) {
      if (b.type === 'tool_result') {
        messages.push({ role: 'tool', tool_call_id: b.tool_use_id, content: (b.is_error ? 'Error: ' : '') + toolResultText(b.content) });
        const images = typeof b.content === 'string' ? [] : b.content.filter((x) => x.type === 'image');
        if (images.length) {
          resultImages.push({ type: 'text', text: `Image${images.length > 1 ? 's' : ''} returned by tool call ${b.tool_use_id}:` });
          for (const img of images) resultImages.push({ type: 'image_url', image_url: { url: dataUrl(img.source) } });
        }
      } else if (b.type === 'text') parts.push({ type: 'text', text: b.text });
      else if (b.type === 'image') parts.push({ type: 'image_url', image_url: { url: dataUrl(b.source) } });
      else if (b.type === 'document') {
        if (b.source.type === 'base64') parts.push({ type: 'file', file: { file_data: dataUrl(b.source), filename: 'document.pdf' } });
        else notes.push('document by URL dropped: OpenAI takes files as data only');
      }
    }
    const all = [...resultImages, ...parts];
    if (all.length) messages.push({ role: 'user', content: all.length === 1 && all[0]?.type === 'text' ? all[0].text : all });
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
  if (req.reasoningEffort) {
    // Messages' `max` has no counterpart every Chat Completions model takes.
    body.reasoning_effort = req.reasoningEffort === 'max' ? 'high' : req.reasoningEffort;
    if (req.reasoningEffort === 'max') notes.push("effort 'max' sent as reasoning_effort 'high': the highest level Chat Completions models share");
  }
  else if (thinking !== undefined) body.reasoning_effort = thinking === 'adaptive' ? 'medium' : thinking <= 2048 ? 'low' : thinking <= 8192 ? 'medium' : 'high';
  if (req.json) body.response_format = req.json.schema ? { type: 'json_schema', json_schema: { name: req.json.name ?? 'response', schema: req.json.schema } } : { type: 'json_object' };
  if (req.user) body.user = req.user;
  if (o.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}
