/**
 * The response object and its output items as a Responses client reads them
 * (docs/protocols.md §5.4), shared by the stream encoder and the non-stream body so both
 * render the same answer the same way.
 */
import type { CanonicalUsage, StopReason } from '../canonical.js';
import { obj, str, type J } from '../json.js';
import { statusOfStop } from './status.js';
import { responsesUsageObject } from './usage.js';

/** The request fields a response object repeats back, with the API's defaults. */
export function responseEcho(body: J): J {
  const pick = (k: string, dflt: unknown): unknown => (body[k] === undefined ? dflt : body[k]);
  return {
    instructions: pick('instructions', null),
    max_output_tokens: pick('max_output_tokens', null),
    parallel_tool_calls: pick('parallel_tool_calls', true),
    previous_response_id: null,
    reasoning: pick('reasoning', { effort: null, summary: null }),
    // Nothing is stored, whatever the client asked: say so.
    store: false,
    temperature: pick('temperature', 1),
    // LangChain sends `text: {}`; OpenAI's answer still names the format it used.
    text: { format: { type: 'text' }, ...obj(body.text) },
    tool_choice: pick('tool_choice', 'auto'),
    tools: pick('tools', []),
    top_p: pick('top_p', 1),
    truncation: pick('truncation', 'disabled'),
    user: pick('user', null),
    metadata: pick('metadata', {}),
  };
}

/** `resp_…` from an upstream message id (ids stay traceable to the upstream's). */
export function responseId(upstreamId: string): string {
  const core = upstreamId.replace(/^(resp_|msg_|chatcmpl-)/, '').replace(/[^A-Za-z0-9]/g, '');
  return `resp_${core || 'ezybus'}`;
}

export interface ResponseParts {
  id: string;
  createdAt: number;
  model: string;
  echo: J;
}

export function responseObject(p: ResponseParts, status: string, output: J[], usage: CanonicalUsage | null, extra: J = {}): J {
  return {
    id: p.id,
    object: 'response',
    created_at: p.createdAt,
    status,
    error: null,
    incomplete_details: null,
    ...extra,
    model: p.model,
    output,
    ...p.echo,
    usage: usage ? responsesUsageObject(usage) : null,
  };
}

export function finishedResponse(p: ResponseParts, stop: StopReason | null, output: J[], usage: CanonicalUsage): J {
  const s = statusOfStop(stop);
  return responseObject(p, s.status, output, usage, { incomplete_details: s.incomplete_details });
}

export const textPart = (text: string): J => ({ type: 'output_text', text, annotations: [], logprobs: [] });

export const messageItem = (id: string, status: string, content: J[]): J => ({ id, type: 'message', status, role: 'assistant', content });

export function reasoningItem(id: string, text: string, encrypted: string | undefined): J {
  return { id, type: 'reasoning', summary: text ? [{ type: 'summary_text', text }] : [], ...(encrypted ? { encrypted_content: encrypted } : {}) };
}

export interface CallShape {
  id: string;
  callId: string;
  name: string;
  namespace?: string | undefined;
  custom: boolean;
}

export function callItem(c: CallShape, status: string, payload: string): J {
  return c.custom
    ? { id: c.id, type: 'custom_tool_call', status, call_id: c.callId, name: c.name, input: payload }
    : { id: c.id, type: 'function_call', status, arguments: payload, call_id: c.callId, name: c.name, ...(c.namespace ? { namespace: c.namespace } : {}) };
}

/** Output text of a response (the SDKs' `output_text` convenience, for tests and logs). */
export function outputText(output: J[]): string {
  let t = '';
  for (const i of output) if (i.type === 'message' && Array.isArray(i.content)) for (const p of i.content as J[]) t += str(p.text) ?? '';
  return t;
}
