/**
 * The terminal's client side of a streamed completion: builds the request body for the chosen
 * client protocol and turns the SSE bytes into text deltas, usage and errors. Pure (no DOM), so
 * it has its own unit test. Event shapes: OpenAI Chat Completions chunks (`choices[].delta`,
 * a final `usage` chunk with stream_options.include_usage, `data: [DONE]`) and Anthropic
 * Messages events (content_block_delta text_delta, message_delta usage, `event: error`).
 */
export type ClientProtocol = 'openai' | 'anthropic';

export interface StreamEvent {
  text?: string;
  outputTokens?: number;
  inputTokens?: number;
  error?: string;
  done?: boolean;
}

export function requestFor(protocol: ClientProtocol, model: string, prompt: string, maxTokens: number): { path: string; headers: Record<string, string>; body: string } {
  if (protocol === 'anthropic') {
    return {
      path: '/v1/messages',
      headers: { 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model, max_tokens: maxTokens, stream: true, messages: [{ role: 'user', content: prompt }] }),
    };
  }
  return {
    path: '/v1/chat/completions',
    headers: {},
    body: JSON.stringify({ model, max_tokens: maxTokens, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: prompt }] }),
  };
}

/** Splits SSE text into complete events; returns them and the unfinished rest. */
export function splitEvents(buffer: string): { events: { event?: string; data: string }[]; rest: string } {
  const events: { event?: string; data: string }[] = [];
  const parts = buffer.replace(/\r\n?/g, '\n').split('\n\n');
  const rest = parts.pop() ?? '';
  for (const part of parts) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of part.split('\n')) {
      if (line.startsWith(':')) continue; // heartbeat comment
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length) events.push({ ...(event ? { event } : {}), data: data.join('\n') });
  }
  return { events, rest };
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});

export function parseEvent(protocol: ClientProtocol, e: { event?: string; data: string }): StreamEvent {
  if (e.data === '[DONE]') return { done: true };
  let d: Obj;
  try {
    d = obj(JSON.parse(e.data));
  } catch {
    return {};
  }
  const err = obj(d.error);
  if (e.event === 'error' || d.type === 'error' || typeof err.message === 'string') return { error: String(err.message ?? e.data) };
  if (protocol === 'openai') {
    const out: StreamEvent = {};
    const choice = obj((d.choices as unknown[] | undefined)?.[0]);
    const content = obj(choice.delta).content;
    if (typeof content === 'string' && content) out.text = content;
    const u = obj(d.usage);
    if (typeof u.completion_tokens === 'number') out.outputTokens = u.completion_tokens;
    if (typeof u.prompt_tokens === 'number') out.inputTokens = u.prompt_tokens;
    return out;
  }
  if (d.type === 'content_block_delta') {
    const delta = obj(d.delta);
    return delta.type === 'text_delta' && typeof delta.text === 'string' ? { text: delta.text } : {};
  }
  if (d.type === 'message_start') {
    const u = obj(obj(d.message).usage);
    return typeof u.input_tokens === 'number' ? { inputTokens: u.input_tokens } : {};
  }
  if (d.type === 'message_delta') {
    const u = obj(d.usage);
    return typeof u.output_tokens === 'number' ? { outputTokens: u.output_tokens } : {};
  }
  if (d.type === 'message_stop') return { done: true };
  return {};
}
