/**
 * The simulator's OpenAI Responses API (POST /v1/responses, /v1/responses/compact,
 * /v1/responses/input_tokens), shaped like the recordings in
 * test/fixtures/real/openai-responses: `event: <type>` + `data:` framing, `sequence_number` from
 * 0, the request echoed in `response.created` / `.in_progress` / `.completed`, an `obfuscation`
 * field on deltas, a reasoning item first when reasoning was asked for (its `encrypted_content`
 * only with `include: ["reasoning.encrypted_content"]`, and different on `.added` and `.done`,
 * as OpenAI's is), usage only in the terminal event, and no `[DONE]`.
 */
import { estimateTokens } from './text.js';
import { fragments, outTokens, type Plan, type RenderInput, type Rendered } from './protocols.js';

type J = Record<string, unknown>;

function echo(body: J): J {
  const v = (k: string, d: unknown): unknown => (body[k] === undefined ? d : body[k]);
  return {
    background: false,
    error: null,
    incomplete_details: null,
    instructions: v('instructions', null),
    max_output_tokens: v('max_output_tokens', null),
    max_tool_calls: null,
    parallel_tool_calls: v('parallel_tool_calls', true),
    previous_response_id: v('previous_response_id', null),
    prompt_cache_key: v('prompt_cache_key', null),
    reasoning: { effort: null, summary: null, ...(body.reasoning as J | undefined) },
    safety_identifier: null,
    service_tier: 'default',
    store: v('store', true),
    temperature: v('temperature', 1),
    text: v('text', { format: { type: 'text' }, verbosity: 'medium' }),
    tool_choice: v('tool_choice', 'auto'),
    tools: v('tools', []),
    top_logprobs: 0,
    top_p: v('top_p', 1),
    truncation: v('truncation', 'disabled'),
    user: null,
    metadata: v('metadata', {}),
  };
}

const obfuscation = (n: number): string => 'sImObFuScAtIoN'.slice(0, 4 + (n % 10));

export function renderResponses(input: RenderInput, p: Plan): Rendered {
  const b = input.body;
  const id = `resp_sim${String(input.id).padStart(6, '0')}`;
  const created = 1_760_000_000 + input.id;
  const includeEncrypted = Array.isArray(b.include) && b.include.includes('reasoning.encrypted_content');
  const summary = (b.reasoning as { summary?: unknown } | undefined)?.summary;
  const customTools = new Set(
    (Array.isArray(b.tools) ? (b.tools as J[]) : []).filter((t) => t.type === 'custom').map((t) => String(t.name)),
  );
  const usage = {
    input_tokens: p.inputTokens,
    input_tokens_details: { cached_tokens: p.cacheRead },
    output_tokens: outTokens(p),
    output_tokens_details: { reasoning_tokens: p.thinking.length },
    total_tokens: p.inputTokens + outTokens(p),
  };
  let seq = 0;
  const events: string[] = [];
  const ev = (o: J): void => {
    const full = { type: o.type, sequence_number: seq++, ...o };
    events.push(`event: ${String(o.type)}\ndata: ${JSON.stringify(full)}\n\n`);
  };
  const base = (status: string, output: J[], u: unknown): J => ({ id, object: 'response', created_at: created, status, ...echo(b), model: input.model, output, usage: u });
  ev({ type: 'response.created', response: base('in_progress', [], null) });
  ev({ type: 'response.in_progress', response: base('in_progress', [], null) });
  const output: J[] = [];
  if (p.thinking.length) {
    const rid = `rs_sim${input.id}`;
    const enc = (tag: string): J => (includeEncrypted ? { encrypted_content: Buffer.from(`sim-reasoning-${input.id}-${tag}`).toString('base64') } : {});
    const oi = output.length;
    ev({ type: 'response.output_item.added', output_index: oi, item: { id: rid, type: 'reasoning', ...enc('added'), summary: [] } });
    const text = p.thinking.join('');
    const summaryParts: J[] = [];
    if (summary) {
      ev({ type: 'response.reasoning_summary_part.added', item_id: rid, output_index: oi, summary_index: 0, part: { type: 'summary_text', text: '' } });
      for (const [i, t] of p.thinking.entries()) ev({ type: 'response.reasoning_summary_text.delta', item_id: rid, output_index: oi, summary_index: 0, delta: t, obfuscation: obfuscation(i) });
      ev({ type: 'response.reasoning_summary_text.done', item_id: rid, output_index: oi, summary_index: 0, text });
      ev({ type: 'response.reasoning_summary_part.done', item_id: rid, output_index: oi, summary_index: 0, part: { type: 'summary_text', text } });
      summaryParts.push({ type: 'summary_text', text });
    }
    const item = { id: rid, type: 'reasoning', ...enc('done'), summary: summaryParts };
    ev({ type: 'response.output_item.done', output_index: oi, item });
    output.push(item);
  }
  if (p.text.length) {
    const mid = `msg_sim${input.id}`;
    const oi = output.length;
    ev({ type: 'response.output_item.added', output_index: oi, item: { id: mid, type: 'message', status: 'in_progress', content: [], role: 'assistant' } });
    ev({ type: 'response.content_part.added', item_id: mid, output_index: oi, content_index: 0, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } });
    for (const [i, t] of p.text.entries()) ev({ type: 'response.output_text.delta', item_id: mid, output_index: oi, content_index: 0, delta: t, logprobs: [], obfuscation: obfuscation(i) });
    const text = p.text.join('');
    ev({ type: 'response.output_text.done', item_id: mid, output_index: oi, content_index: 0, text, logprobs: [] });
    const part = { type: 'output_text', annotations: [], logprobs: [], text };
    ev({ type: 'response.content_part.done', item_id: mid, output_index: oi, content_index: 0, part });
    const item = { id: mid, type: 'message', status: 'completed', content: [part], role: 'assistant' };
    ev({ type: 'response.output_item.done', output_index: oi, item });
    output.push(item);
  }
  p.tools.forEach((t, i) => {
    const oi = output.length;
    const callId = `call_sim${input.id}_${i}`;
    if (customTools.has(t.name)) {
      const raw = input.scenario.tool_args ?? 'sim';
      const cid = `ctc_sim${input.id}_${i}`;
      ev({ type: 'response.output_item.added', output_index: oi, item: { id: cid, type: 'custom_tool_call', status: 'in_progress', call_id: callId, input: '', name: t.name } });
      for (const f of fragments(raw)) ev({ type: 'response.custom_tool_call_input.delta', item_id: cid, output_index: oi, delta: f, obfuscation: obfuscation(i) });
      ev({ type: 'response.custom_tool_call_input.done', item_id: cid, output_index: oi, input: raw });
      const item = { id: cid, type: 'custom_tool_call', status: 'completed', call_id: callId, input: raw, name: t.name };
      ev({ type: 'response.output_item.done', output_index: oi, item });
      output.push(item);
      return;
    }
    const fid = `fc_sim${input.id}_${i}`;
    ev({ type: 'response.output_item.added', output_index: oi, item: { id: fid, type: 'function_call', status: 'in_progress', arguments: '', call_id: callId, name: t.name } });
    for (const f of fragments(t.args)) ev({ type: 'response.function_call_arguments.delta', item_id: fid, output_index: oi, delta: f, obfuscation: obfuscation(i) });
    ev({ type: 'response.function_call_arguments.done', item_id: fid, output_index: oi, arguments: t.args });
    const item = { id: fid, type: 'function_call', status: 'completed', arguments: t.args, call_id: callId, name: t.name };
    ev({ type: 'response.output_item.done', output_index: oi, item });
    output.push(item);
  });
  const done = base('completed', output, usage);
  ev({ type: 'response.completed', response: done });
  return { events, json: JSON.stringify(done) };
}

/** /v1/responses/compact: the user messages kept as input_text, plus one opaque compaction item. */
export function renderCompaction(input: RenderInput): string {
  const items = Array.isArray(input.body.input) ? (input.body.input as J[]) : [];
  const users = items
    .filter((i) => (i.type === 'message' || i.type === undefined) && i.role === 'user')
    .map((i, n) => ({
      id: `msg_simc${input.id}_${n}`,
      type: 'message',
      status: 'completed',
      role: 'user',
      content: typeof i.content === 'string' ? [{ type: 'input_text', text: i.content }] : i.content,
    }));
  const tokens = estimateTokens(input.bodyText);
  return JSON.stringify({
    id: `resp_simc${input.id}`,
    object: 'response.compaction',
    created_at: 1_760_000_000 + input.id,
    output: [...users, { id: `cmp_sim${input.id}`, type: 'compaction', encrypted_content: Buffer.from(`sim-compaction-${input.id}`).toString('base64') }],
    usage: { input_tokens: tokens, input_tokens_details: { cached_tokens: 0 }, output_tokens: 32, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: tokens + 32 },
  });
}

export function renderInputTokens(input: RenderInput): string {
  return JSON.stringify({ object: 'response.input_tokens', input_tokens: estimateTokens(input.bodyText) });
}

/** A failure inside a 200 stream (as a quota failure arrives): `error`, then `response.failed`. */
export function responsesMidStreamError(extra = ''): string {
  const message = `The server had an error while processing your request.${extra}`;
  return (
    `event: error\ndata: ${JSON.stringify({ type: 'error', sequence_number: 99, code: 'server_error', message, param: null })}\n\n` +
    `event: response.failed\ndata: ${JSON.stringify({ type: 'response.failed', sequence_number: 100, response: { id: 'resp_simfailed', object: 'response', status: 'failed', error: { code: 'server_error', message }, output: [], usage: null } })}\n\n`
  );
}
