/**
 * `POST /v1/responses/compact` (Codex's remote compaction) for upstreams that are not OpenAI's
 * Responses API, where it passes through. Elsewhere EzyBus compacts with the model itself: the
 * history goes to the upstream as an ordinary request ending in a summarisation instruction, and
 * the answer comes back in the compaction shape OpenAI uses (docs/protocols.md, recordings:
 * `object: "response.compaction"`, the user messages kept as `input_text`, then what replaces
 * the rest) — with the summary as one more user message instead of OpenAI's encrypted
 * `compaction` item, since no other provider can read that. Codex continues from it as it does
 * from OpenAI's.
 */
import { obj, objs, str, type J } from '../json.js';

export const SUMMARY_PREFIX = 'Summary of the conversation so far (compacted):\n\n';

const INSTRUCTION =
  'Summarise the conversation so far for your later use: the task, decisions, what was done (files, commands, results), open questions, next steps. Only the summary.';

/** The compact request → an ordinary Responses request that asks the model for the summary. */
export function compactionAsRequest(body: J): J {
  const input: unknown[] = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : objs(body.input);
  const { tools: _tools, tool_choice: _tc, parallel_tool_calls: _p, stream: _s, ...rest } = body;
  return { ...rest, input: [...input, { role: 'user', content: INSTRUCTION }], stream: false };
}

function userMessages(body: J): J[] {
  const items = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : objs(body.input);
  return items
    .filter((i) => (i.type === undefined || i.type === 'message') && i.role === 'user')
    .map((i) => ({
      type: 'message',
      role: 'user',
      content: typeof i.content === 'string' ? [{ type: 'input_text', text: i.content }] : objs(i.content).filter((p) => p.type === 'input_text' || p.type === 'input_image'),
    }))
    .filter((m) => m.content.length > 0);
}

/** The summarising response (a Responses body) → the compaction answer Codex reads. */
export function compactionFromResponse(body: J, response: J): J {
  const summary = objs(response.output)
    .filter((i) => i.type === 'message')
    .flatMap((i) => objs(i.content))
    .map((p) => str(p.text) ?? '')
    .join('');
  const id = (str(response.id) ?? 'resp_ezybus').replace(/^resp_/, '');
  const output = [...userMessages(body), { type: 'message', role: 'user', content: [{ type: 'input_text', text: SUMMARY_PREFIX + summary }] }].map((m, n) => ({
    id: `msg_${id}_c${n}`,
    status: 'completed',
    ...m,
  }));
  return { id: `resp_${id}`, object: 'response.compaction', created_at: response.created_at ?? Math.floor(Date.now() / 1000), output, usage: obj(response).usage ?? null };
}
