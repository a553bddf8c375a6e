/**
 * The three providers' answers as the simulator renders them: stream events (exact SSE framing
 * per provider: `\n\n` for OpenAI and Anthropic, `\r\n\r\n` for Gemini) and non-stream bodies,
 * shaped like the recorded fixtures in test/fixtures/real.
 */
import type { Scenario } from './scenario.js';
import { renderResponses, responsesMidStreamError } from './responses.js';
import { estimateTokens, tokens } from './text.js';
import { lastTurnIsToolResult, promptTokens } from './tokenizer.js';

export type Provider = 'openai' | 'anthropic' | 'gemini' | 'responses';

export interface RenderInput {
  provider: Provider;
  body: Record<string, unknown>;
  bodyText: string;
  model: string;
  stream: boolean;
  scenario: Scenario;
  seed: number;
  id: number;
  /** Anthropic prompt caching: prefixes seen before (creation first, reads after). */
  cache: Set<string>;
}

export interface Rendered {
  /** Stream: SSE events in order. */
  events: string[];
  /** Non-stream JSON body. */
  json: string;
}

export interface Plan {
  text: string[];
  thinking: string[];
  tools: { name: string; args: string }[];
  inputTokens: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
}

function toolDefs(provider: Provider, body: Record<string, unknown>): { name: string; required: string[] }[] {
  const out: { name: string; required: string[] }[] = [];
  const add = (name: unknown, schema: unknown): void => {
    if (typeof name !== 'string') return;
    const req = (schema as { required?: unknown } | undefined)?.required;
    out.push({ name, required: Array.isArray(req) ? req.filter((x): x is string => typeof x === 'string') : [] });
  };
  const tools = Array.isArray(body.tools) ? (body.tools as Record<string, unknown>[]) : [];
  for (const t of tools) {
    if (provider === 'openai') {
      const f = t.function as Record<string, unknown> | undefined;
      add(f?.name, f?.parameters);
    } else if (provider === 'anthropic') add(t.name, t.input_schema);
    else if (provider === 'responses') {
      // Flat function tools; a custom (freeform) tool takes one raw string.
      if (t.type === 'function') add(t.name, t.parameters);
      else if (t.type === 'custom') add(t.name, undefined);
    } else for (const d of (t.functionDeclarations as Record<string, unknown>[] | undefined) ?? []) add(d.name, d.parameters ?? d.parametersJsonSchema);
  }
  return out;
}

function thinkingWanted(input: RenderInput): boolean {
  const b = input.body;
  if (input.scenario.thinking) return true;
  if (input.provider === 'anthropic') {
    const t = b.thinking as { type?: string } | undefined;
    return t?.type === 'enabled' || t?.type === 'adaptive';
  }
  if (input.provider === 'openai') return typeof b.reasoning_effort === 'string';
  if (input.provider === 'responses') return typeof (b.reasoning as { effort?: unknown } | undefined)?.effort === 'string';
  const gc = b.generationConfig as { thinkingConfig?: { includeThoughts?: boolean } } | undefined;
  return gc?.thinkingConfig?.includeThoughts === true;
}

/**
 * Prompt caching (Anthropic): every block with cache_control ends a prefix. As Claude does, the
 * longest prefix already cached is read, and the rest up to the last breakpoint is written.
 */
function cacheUsage(input: RenderInput, inputTokens: number): Pick<Plan, 'cacheRead' | 'cacheWrite5m' | 'cacheWrite1h' | 'inputTokens'> {
  const text = input.bodyText;
  const re = /"cache_control"\s*:\s*\{[^}]*\}/g;
  const marks: RegExpExecArray[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) marks.push(m);
  const last = marks.at(-1);
  if (!last) return { cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, inputTokens };
  const norm = (p: string): string => p.replace(/"model"\s*:\s*"[^"]*"/, '').replace(/"stream"\s*:\s*(true|false)/, '');
  const prefixes = marks.map((m) => norm(text.slice(0, m.index)));
  const total = Math.min(inputTokens, estimateTokens(prefixes.at(-1) as string));
  let hit = -1;
  for (let i = prefixes.length - 1; i >= 0; i--) {
    if (input.cache.has(prefixes[i] as string)) {
      hit = i;
      break;
    }
  }
  for (const p of prefixes) input.cache.add(p);
  const read = hit === -1 ? 0 : Math.min(total, estimateTokens(prefixes[hit] as string));
  const written = hit === prefixes.length - 1 ? 0 : total - read;
  const oneHour = last[0].includes('"1h"');
  return { cacheRead: read, cacheWrite5m: oneHour ? 0 : written, cacheWrite1h: oneHour ? written : 0, inputTokens: inputTokens - read - written };
}

/**
 * Automatic prefix caching (OpenAI, Gemini implicit caching): a prompt of 1,024 tokens or more
 * whose prefix before the last user turn was seen before is reported cached, in 128-token steps.
 */
function autoCache(input: RenderInput, all: number): Pick<Plan, 'cacheRead' | 'cacheWrite5m' | 'cacheWrite1h' | 'inputTokens'> {
  const b = input.body;
  // Everything before the last turn, in the provider's own order (tools, system, history).
  const turns = (input.provider === 'gemini' ? b.contents : input.provider === 'responses' ? b.input : b.messages) as unknown[] | undefined;
  const prefix = JSON.stringify({ p: input.provider, t: b.tools, s: b.systemInstruction, h: Array.isArray(turns) ? turns.slice(0, -1) : [] });
  const prefixTokens = estimateTokens(prefix);
  let cacheRead = 0;
  if (prefixTokens >= 1024) {
    if (input.cache.has(prefix)) cacheRead = Math.min(all, Math.floor(prefixTokens / 128) * 128);
    else input.cache.add(prefix);
  }
  return { inputTokens: all, cacheRead, cacheWrite5m: 0, cacheWrite1h: 0 };
}

/** The text of the tool result the conversation ends with, in the provider's own form; undefined when it ends otherwise. */
export function lastToolResult(provider: Provider, body: Record<string, unknown>): string | undefined {
  const J = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
  const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.map(J) : []);
  const text = (c: unknown): string => (typeof c === 'string' ? c : list(c).map((b) => (typeof b.text === 'string' ? b.text : '')).join('\n'));
  if (provider === 'openai') {
    const last = list(body.messages).at(-1);
    return last?.role === 'tool' ? text(last.content) : undefined;
  }
  if (provider === 'responses') {
    const last = list(body.input).at(-1);
    return /_call_output$/.test(String(last?.type)) ? text(last?.output) : undefined;
  }
  if (provider === 'anthropic') {
    const users = list(body.messages).filter((m) => m.role === 'user');
    const result = list(users.at(-1)?.content).find((b) => b.type === 'tool_result');
    return result ? text(result.content) : undefined;
  }
  const last = list(body.contents).at(-1);
  const fr = list(last?.parts).find((p) => p.functionResponse);
  if (!fr) return undefined;
  const response = J(J(fr.functionResponse).response);
  return text(response.result ?? response.output ?? response.content ?? JSON.stringify(response));
}

export function plan(input: RenderInput): Plan {
  const seed = input.seed ^ input.id;
  const s = input.scenario;
  const declared = toolDefs(input.provider, input.body);
  const answered = s.bash === undefined ? undefined : lastToolResult(input.provider, input.body);
  const bashTool = s.bash === undefined || answered !== undefined ? undefined : declared.find((d) => d.name === 'Bash');
  const defs = s.tool_name !== undefined ? declared.filter((d) => d.name === s.tool_name) : declared;
  const calling = s.bash === undefined && !(s.tool_once && lastTurnIsToolResult(input.provider, input.body));
  const tools = bashTool
    ? [{ name: bashTool.name, args: JSON.stringify({ command: s.bash, description: 'Run the command the user asked for' }) }]
    : (calling ? defs.slice(0, s.tool) : []).map((d) => ({
        name: d.name,
        args: s.tool_args ?? JSON.stringify(Object.fromEntries(d.required.map((k) => [k, 'sim']))),
      }));
  const reply = answered !== undefined ? `The command printed: ${answered.trim()}` : s.text;
  const text = tools.length ? [] : tokens(seed, s.tokens, reply);
  const thinking = thinkingWanted(input) ? tokens(seed + 1, Math.max(4, Math.floor(input.scenario.tokens / 2))) : [];
  const all = promptTokens(input.provider, input.body);
  return { text, thinking, tools, ...(input.provider === 'anthropic' ? cacheUsage(input, all) : autoCache(input, all)) };
}

export const outTokens = (p: Plan): number => p.text.length + p.thinking.length + p.tools.reduce((n, t) => n + estimateTokens(t.args), 0);

export function fragments(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += 6) out.push(s.slice(i, i + 6));
  return out.length ? out : [''];
}

// ---------------- OpenAI ----------------

function openai(input: RenderInput, p: Plan): Rendered {
  const id = `chatcmpl-sim${input.id}`;
  const created = 1_760_000_000 + input.id;
  const base = { id, object: 'chat.completion.chunk', created, model: input.model, service_tier: 'default', system_fingerprint: 'fp_sim' };
  const usage = {
    prompt_tokens: p.inputTokens,
    completion_tokens: outTokens(p),
    total_tokens: p.inputTokens + outTokens(p),
    prompt_tokens_details: { cached_tokens: p.cacheRead, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: p.thinking.length, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
  const finish = p.tools.length ? 'tool_calls' : 'stop';
  const ev = (o: unknown): string => `data: ${JSON.stringify(o)}\n\n`;
  const choice = (delta: unknown, finish_reason: string | null = null) => ({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason }] });
  const events = [ev(choice({ role: 'assistant', content: '', refusal: null }))];
  for (const t of p.text) events.push(ev(choice({ content: t })));
  p.tools.forEach((t, index) => {
    events.push(ev(choice({ tool_calls: [{ index, id: `call_sim${input.id}_${index}`, type: 'function', function: { name: t.name, arguments: '' } }] })));
    for (const f of fragments(t.args)) events.push(ev(choice({ tool_calls: [{ index, function: { arguments: f } }] })));
  });
  events.push(ev(choice({}, finish)));
  const so = input.body.stream_options as { include_usage?: boolean } | undefined;
  if (so?.include_usage) events.push(ev({ ...base, choices: [], usage }));
  events.push('data: [DONE]\n\n');
  const message: Record<string, unknown> = { role: 'assistant', content: p.tools.length ? null : p.text.join(''), refusal: null, annotations: [] };
  if (p.tools.length) {
    message.tool_calls = p.tools.map((t, i) => ({ id: `call_sim${input.id}_${i}`, type: 'function', function: { name: t.name, arguments: t.args } }));
  }
  const json = JSON.stringify({
    id,
    object: 'chat.completion',
    created,
    model: input.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
    usage,
    service_tier: 'default',
    system_fingerprint: 'fp_sim',
  });
  return { events, json };
}

// ---------------- Anthropic ----------------

function anthropic(input: RenderInput, p: Plan): Rendered {
  const id = `msg_sim${String(input.id).padStart(6, '0')}`;
  const usage = (output: number) => ({
    input_tokens: p.inputTokens,
    cache_creation_input_tokens: p.cacheWrite5m + p.cacheWrite1h,
    cache_read_input_tokens: p.cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: p.cacheWrite5m, ephemeral_1h_input_tokens: p.cacheWrite1h },
    output_tokens: output,
    service_tier: 'standard',
  });
  const stop = p.tools.length ? 'tool_use' : 'end_turn';
  const ev = (o: { type: string }): string => `event: ${o.type}\ndata: ${JSON.stringify(o)}\n\n`;
  const signature = Buffer.from(`sim-signature-${input.id}`).toString('base64');
  const events = [
    ev({ type: 'message_start', message: { id, type: 'message', role: 'assistant', model: input.model, content: [], stop_reason: null, stop_sequence: null, usage: usage(1) } } as { type: string }),
    ev({ type: 'ping' }),
  ];
  const content: Record<string, unknown>[] = [];
  let index = 0;
  if (p.thinking.length) {
    events.push(ev({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } } as { type: string }));
    for (const t of p.thinking) events.push(ev({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: t } } as { type: string }));
    events.push(ev({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature } } as { type: string }));
    events.push(ev({ type: 'content_block_stop', index } as { type: string }));
    content.push({ type: 'thinking', thinking: p.thinking.join(''), signature });
    index++;
  }
  if (p.text.length) {
    events.push(ev({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } } as { type: string }));
    for (const t of p.text) events.push(ev({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: t } } as { type: string }));
    events.push(ev({ type: 'content_block_stop', index } as { type: string }));
    content.push({ type: 'text', text: p.text.join('') });
    index++;
  }
  p.tools.forEach((t, i) => {
    const tid = `toolu_sim${input.id}_${i}`;
    events.push(ev({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: tid, name: t.name, input: {} } } as { type: string }));
    for (const f of fragments(t.args)) events.push(ev({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: f } } as { type: string }));
    events.push(ev({ type: 'content_block_stop', index } as { type: string }));
    content.push({ type: 'tool_use', id: tid, name: t.name, input: JSON.parse(t.args) as unknown });
    index++;
  });
  events.push(ev({ type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: outTokens(p) } } as { type: string }));
  events.push(ev({ type: 'message_stop' }));
  const json = JSON.stringify({ id, type: 'message', role: 'assistant', model: input.model, content, stop_reason: stop, stop_sequence: null, usage: usage(outTokens(p)) });
  return { events, json };
}

// ---------------- Gemini ----------------

function gemini(input: RenderInput, p: Plan): Rendered {
  const usage = (done: boolean) => ({
    promptTokenCount: p.inputTokens,
    ...(p.cacheRead ? { cachedContentTokenCount: p.cacheRead } : {}),
    candidatesTokenCount: done ? p.text.length + p.tools.length : 0,
    totalTokenCount: p.inputTokens + (done ? outTokens(p) : 0),
    ...(p.thinking.length && done ? { thoughtsTokenCount: p.thinking.length } : {}),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: p.inputTokens }],
  });
  const meta = { modelVersion: input.model, responseId: `sim${input.id}` };
  const ev = (o: unknown): string => `data: ${JSON.stringify(o)}\r\n\r\n`;
  const cand = (parts: unknown[], finish?: string) => ({ content: { parts, role: 'model' }, ...(finish ? { finishReason: finish } : {}), index: 0 });
  const events: string[] = [];
  const sig = Buffer.from(`sim-thought-${input.id}`).toString('base64');
  if (p.thinking.length) events.push(ev({ candidates: [cand([{ text: p.thinking.join(''), thought: true }])], usageMetadata: usage(false), ...meta }));
  p.text.forEach((t, i) => {
    const last = i === p.text.length - 1 && !p.tools.length;
    events.push(ev({ candidates: [cand([{ text: t, ...(i === 0 && p.thinking.length ? { thoughtSignature: sig } : {}) }], last ? 'STOP' : undefined)], usageMetadata: usage(last), ...meta }));
  });
  if (p.tools.length) {
    events.push(ev({ candidates: [cand(p.tools.map((t, i) => ({ functionCall: { name: t.name, args: JSON.parse(t.args) as unknown }, ...(i === 0 && p.thinking.length ? { thoughtSignature: sig } : {}) })), 'STOP')], usageMetadata: usage(true), ...meta }));
  }
  const parts: unknown[] = [];
  if (p.thinking.length) parts.push({ text: p.thinking.join(''), thought: true });
  if (p.text.length) parts.push({ text: p.text.join(''), ...(p.thinking.length ? { thoughtSignature: sig } : {}) });
  // Gemini 3 signs the first function call of a turn when the model thought (and no text carried it).
  p.tools.forEach((t, i) => parts.push({ functionCall: { name: t.name, args: JSON.parse(t.args) as unknown }, ...(i === 0 && p.thinking.length && !p.text.length ? { thoughtSignature: sig } : {}) }));
  return { events, json: JSON.stringify({ candidates: [cand(parts, 'STOP')], usageMetadata: usage(true), ...meta }) };
}

export function render(input: RenderInput): Rendered {
  const p = plan(input);
  if (input.provider === 'responses') return renderResponses(input, p);
  return input.provider === 'openai' ? openai(input, p) : input.provider === 'anthropic' ? anthropic(input, p) : gemini(input, p);
}

const ANTHROPIC_ERRORS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};
const GEMINI_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export function errorBody(provider: Provider, status: number, message: string): string {
  if (provider === 'anthropic') {
    return JSON.stringify({ type: 'error', error: { type: ANTHROPIC_ERRORS[status] ?? 'api_error', message }, request_id: 'req_sim' });
  }
  if (provider === 'gemini') return JSON.stringify({ error: { code: status, message, status: GEMINI_STATUS[status] ?? 'UNKNOWN' } });
  const type = status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error';
  const code = status === 429 ? 'rate_limit_exceeded' : status === 401 ? 'invalid_api_key' : null;
  return JSON.stringify({ error: { message, type, param: null, code } });
}

export function midStreamError(provider: Provider, extra = ''): string {
  if (provider === 'anthropic') return `event: error\ndata: ${errorBody('anthropic', 529, `Overloaded${extra}`)}\n\n`;
  if (provider === 'gemini') return `${errorBody('gemini', 503, `The model is overloaded.${extra}`)}\r\n`;
  if (provider === 'responses') return responsesMidStreamError(extra);
  return `data: ${JSON.stringify({ error: { message: `The server had an error while processing your request.${extra}`, type: 'server_error', param: null, code: null } })}\n\n`;
}

/**
 * The checks a real provider makes that EzyBus leaves to it on same-protocol routes, answered
 * with the provider's own error (OpenAI's `empty_array`, Anthropic's missing `max_tokens`).
 */
export function invalidRequest(provider: Provider, body: Record<string, unknown>): string | undefined {
  if (provider === 'openai' && Array.isArray(body.messages) && body.messages.length === 0) {
    return JSON.stringify({ error: { message: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", type: 'invalid_request_error', param: 'messages', code: 'empty_array' } });
  }
  if (provider === 'anthropic' && typeof body.max_tokens !== 'number') {
    return JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' }, request_id: 'req_sim' });
  }
  return undefined;
}
