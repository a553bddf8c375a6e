/**
 * The Responses stream encoder and body renderer on canonical answers the recordings do not
 * cover: thinking (signature round trip), custom tool calls, namespaced calls, a cut answer,
 * an error, status/usage mapping, and the delta events' bytes against the plain encoding.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent, CanonicalMessage } from '../../../functions/shared/protocol/canonical.js';
import { createSseParser } from '../../../functions/shared/protocol/sse.js';
import { messageToResponses } from '../../../functions/shared/protocol/responses/body.js';
import { responsesErrorEvents } from '../../../functions/shared/protocol/responses/errors.js';
import { responseEcho } from '../../../functions/shared/protocol/responses/output.js';
import { fromResponses } from '../../../functions/shared/protocol/responses/request-in.js';
import { statusOfStop, stopOfResponse } from '../../../functions/shared/protocol/responses/status.js';
import { responsesEncoder } from '../../../functions/shared/protocol/responses/stream-out.js';
import { toolKindsOf } from '../../../functions/shared/protocol/responses/tools.js';
import { responsesUsage, responsesUsageObject } from '../../../functions/shared/protocol/responses/usage.js';

type J = Record<string, unknown>;
const usage = { input_tokens: 10, output_tokens: 20, cache_read_input_tokens: 5, cache_creation_input_tokens: 0, reasoning_tokens: 7 };
const request: J = {
  model: 'public',
  tools: [
    { type: 'function', name: 'f', parameters: { type: 'object' } },
    { type: 'custom', name: 'apply_patch', format: { type: 'grammar', syntax: 'lark', definition: 'x' } },
    { type: 'namespace', name: 'ns', tools: [{ type: 'function', name: 'g', parameters: {} }] },
  ],
};

function encode(events: CanonicalEvent[]): J[] {
  const enc = responsesEncoder({ publicModel: 'public', echo: responseEcho(request), kinds: toolKindsOf(request) });
  const text = events.map((e) => enc.push(e)).join('');
  const out: J[] = [];
  const p = createSseParser((e) => {
    const d = JSON.parse(e.data) as J;
    expect(e.event).toBe(d.type);
    out.push(d);
  });
  p.push(text);
  p.end();
  return out;
}

const answer: CanonicalEvent[] = [
  { type: 'message_start', message: { id: 'msg_abc', model: 'up', usage: { ...usage, output_tokens: 0 } } },
  { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Hmm, ' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'ok.' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'SIG' } },
  { type: 'content_block_stop', index: 0 },
  { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
  { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Patching.' } },
  { type: 'content_block_stop', index: 1 },
  { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_1', name: 'apply_patch', input: {} } },
  { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"input":"*** Begin' } },
  { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: ' Patch"}' } },
  { type: 'content_block_stop', index: 2 },
  { type: 'content_block_start', index: 3, content_block: { type: 'tool_use', id: 'toolu_2', name: 'ns__g', input: {} } },
  { type: 'content_block_stop', index: 3 },
  { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 20 } },
  { type: 'message_stop' },
];

describe('responsesEncoder', () => {
  it('emits the full event sequence with gapless sequence numbers', () => {
    const ev = encode(answer);
    expect(ev.map((e) => e.sequence_number)).toEqual(ev.map((_, i) => i));
    expect(ev.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.custom_tool_call_input.delta',
      'response.custom_tool_call_input.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const created = ev[0]!.response as J;
    expect(created).toMatchObject({ id: 'resp_abc', object: 'response', status: 'in_progress', model: 'public', output: [], usage: null, store: false });
    const final = ev.at(-1)!.response as J;
    const output = final.output as J[];
    expect(output.map((i) => i.type)).toEqual(['reasoning', 'message', 'custom_tool_call', 'function_call']);
    expect(output[2]).toMatchObject({ type: 'custom_tool_call', call_id: 'toolu_1', name: 'apply_patch', input: '*** Begin Patch', status: 'completed' });
    expect(output[3]).toMatchObject({ type: 'function_call', call_id: 'toolu_2', name: 'g', namespace: 'ns', arguments: '{}' });
    expect(final.usage).toEqual({ input_tokens: 15, input_tokens_details: { cached_tokens: 5 }, output_tokens: 20, output_tokens_details: { reasoning_tokens: 7 }, total_tokens: 35 });
    expect(new Set(output.map((i) => i.id)).size).toBe(4);
  });

  it("the thinking signature survives a round trip through the client's next request", () => {
    const ev = encode(answer);
    const final = ev.at(-1)!.response as J;
    const { req } = fromResponses({ model: 'public', tools: request.tools, input: [{ role: 'user', content: 'go' }, ...(final.output as J[])] }, []);
    expect(req.messages[1]?.content).toEqual([
      { type: 'thinking', thinking: 'Hmm, ok.', signature: 'SIG' },
      { type: 'text', text: 'Patching.' },
      { type: 'tool_use', id: 'toolu_1', name: 'apply_patch', input: { input: '*** Begin Patch' } },
      { type: 'tool_use', id: 'toolu_2', name: 'ns__g', input: {} },
    ]);
  });

  it('max_tokens ends with response.incomplete and its reason', () => {
    const ev = encode([
      { type: 'message_start', message: { id: 'x', model: 'up', usage } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'cut' } },
      { type: 'message_delta', delta: { stop_reason: 'max_tokens', stop_sequence: null }, usage: {} },
      { type: 'message_stop' },
    ]);
    const last = ev.at(-1)!;
    expect(last.type).toBe('response.incomplete');
    expect(last.response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    // The open text part was closed before the end.
    expect(ev.map((e) => e.type)).toContain('response.output_text.done');
  });

  it('an upstream error ends the stream with error then response.failed, and nothing after', () => {
    const enc = responsesEncoder({ publicModel: 'p', echo: {}, kinds: toolKindsOf({}) });
    const text = [
      enc.push({ type: 'message_start', message: { id: 'x', model: 'up', usage } }),
      enc.push({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
      enc.push({ type: 'message_stop' }),
    ].join('');
    expect(text.match(/^event: [a-z._]+$/gm)).toEqual(['event: response.created', 'event: response.in_progress', 'event: error', 'event: response.failed']);
    expect(text).toContain('"message":"Overloaded"');
  });

  it('the gateway error events are valid Responses events', () => {
    const text = responsesErrorEvents({ message: 'boom', type: 'server_error', code: null, param: null }, 7);
    const ev: J[] = [];
    const p = createSseParser((e) => ev.push(JSON.parse(e.data) as J));
    p.push(text);
    p.end();
    expect(ev).toMatchObject([
      { type: 'error', sequence_number: 7, code: 'server_error', message: 'boom' },
      { type: 'response.failed', sequence_number: 8, response: { status: 'failed', error: { code: 'server_error', message: 'boom' } } },
    ]);
  });
});

describe('responsesEncoder delta events', () => {
  // stream-out.ts writes its delta events from text built once per block; they must be byte for
  // byte what the plain encoding of the same event gives.
  const plain = (type: string, sequence_number: number, fields: J): string => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number, ...fields })}\n\n`;
  const nasty = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.constantFrom('', '"', '\\', '\\"', '"}\n\n', 'a\nb\r\t\u0000\u001f\u007f', '\ud800', '\udfff', 'x\udc00y', '\ud83d', '😀', '\u2028\u2029', '{"input":"*** Begin"}'),
  );
  const block = fc.record({ kind: fc.constantFrom('text', 'thinking', 'tool'), start: nasty, deltas: fc.array(nasty, { maxLength: 8 }) });
  const eventsOf = (text: string): J[] => {
    const out: J[] = [];
    const p = createSseParser((e) => out.push(JSON.parse(e.data) as J));
    p.push(text);
    p.end();
    return out;
  };

  it('text, reasoning summary and function-call argument deltas equal the plain encoding, for any delta text', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(block, { minLength: 1, maxLength: 6 }), (id, blocks) => {
        const enc = responsesEncoder({ publicModel: 'public', echo: responseEcho(request), kinds: toolKindsOf(request) });
        let all = enc.push({ type: 'message_start', message: { id, model: 'up', usage } });
        blocks.forEach((b, index) => {
          const startText = b.kind === 'text' ? b.start : '';
          const content_block = b.kind === 'text' ? { type: 'text' as const, text: startText } : b.kind === 'thinking' ? { type: 'thinking' as const, thinking: '', signature: '' } : { type: 'tool_use' as const, id: 'toolu_x', name: 'f', input: {} };
          const opening = enc.push({ type: 'content_block_start', index, content_block });
          all += opening;
          const opened = eventsOf(opening);
          // The item (and text part) the block's deltas belong to, as its opening events name it.
          const part = opened.find((e) => e.type === 'response.content_part.added');
          const added = opened.find((e) => e.type === 'response.output_item.added');
          const item_id = (part ? part.item_id : (added?.item as J).id) as string;
          const output_index = (part ?? added)?.output_index as number;
          if (startText) expect(opening.endsWith(plain('response.output_text.delta', enc.sequence - 1, { item_id, output_index, content_index: part?.content_index, delta: startText, logprobs: [] }))).toBe(true);
          let summaryOpen = false;
          for (const d of b.deltas) {
            const seq = enc.sequence;
            let expected = '';
            let got: string;
            if (b.kind === 'text') {
              got = enc.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: d } });
              if (d) expected = plain('response.output_text.delta', seq, { item_id, output_index, content_index: part?.content_index, delta: d, logprobs: [] });
            } else if (b.kind === 'thinking') {
              got = enc.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: d } });
              if (d && !summaryOpen) expected = plain('response.reasoning_summary_part.added', seq, { item_id, output_index, summary_index: 0, part: { type: 'summary_text', text: '' } });
              if (d) expected += plain('response.reasoning_summary_text.delta', seq + (summaryOpen ? 0 : 1), { item_id, output_index, summary_index: 0, delta: d });
              summaryOpen ||= Boolean(d);
            } else {
              got = enc.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: d } });
              if (d) expected = plain('response.function_call_arguments.delta', seq, { item_id, output_index, delta: d });
            }
            expect(got).toBe(expected);
            all += got;
          }
          all += enc.push({ type: 'content_block_stop', index });
        });
        all += enc.push({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 20 } });
        all += enc.push({ type: 'message_stop' });
        // The whole stream, every event re-encoded plainly from what it parses to: the same text.
        const events = eventsOf(all);
        expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
        expect(events.map((e) => plain(e.type as string, e.sequence_number as number, e)).join('')).toBe(all);
      }),
      { numRuns: 300 },
    );
  });
});

describe('messageToResponses', () => {
  it('renders a canonical answer as the response object, calls and all', () => {
    const m: CanonicalMessage = {
      id: 'msg_1',
      model: 'up',
      content: [
        { type: 'redacted_thinking', data: 'R' },
        { type: 'text', text: 'a' },
        { type: 'text', text: 'b' },
        { type: 'tool_use', id: 'c1', name: 'f', input: { x: 1 } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage,
    };
    const r = messageToResponses(m, { publicModel: 'public', echo: responseEcho({ instructions: 'I' }), kinds: toolKindsOf(request) });
    expect(r).toMatchObject({ object: 'response', status: 'completed', model: 'public', instructions: 'I', error: null });
    const out = r.output as J[];
    expect(out.map((i) => i.type)).toEqual(['reasoning', 'message', 'function_call']);
    expect((out[1]!.content as J[]).map((p) => p.text)).toEqual(['a', 'b']);
    expect(out[2]).toMatchObject({ call_id: 'c1', name: 'f', arguments: '{"x":1}' });
  });
});

describe('status and usage maps', () => {
  it('stop reasons ↔ status', () => {
    expect(statusOfStop('end_turn').status).toBe('completed');
    expect(statusOfStop('tool_use').status).toBe('completed');
    expect(statusOfStop('max_tokens')).toEqual({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    expect(statusOfStop('refusal')).toEqual({ status: 'incomplete', incomplete_details: { reason: 'content_filter' } });
    expect(stopOfResponse('completed', null, [{ type: 'function_call' }])).toBe('tool_use');
    expect(stopOfResponse('completed', null, [{ type: 'message' }])).toBe('end_turn');
    expect(stopOfResponse('incomplete', { reason: 'max_output_tokens' }, [])).toBe('max_tokens');
    expect(stopOfResponse('in_progress', null, [])).toBeNull();
  });

  it('usage: cached and written tokens come out of input; reasoning stays inside output', () => {
    const u = responsesUsage({ input_tokens: 100, input_tokens_details: { cached_tokens: 60, cache_write_tokens: 10 }, output_tokens: 50, output_tokens_details: { reasoning_tokens: 30 } });
    expect(u).toMatchObject({ inputTokens: 30, cacheReadTokens: 60, cacheWrite5mTokens: 10, outputTokens: 50, reasoningTokens: 30 });
    expect(responsesUsageObject({ input_tokens: 30, cache_read_input_tokens: 60, cache_creation_input_tokens: 10, output_tokens: 50, reasoning_tokens: 30 })).toEqual({
      input_tokens: 100,
      input_tokens_details: { cached_tokens: 60 },
      output_tokens: 50,
      output_tokens_details: { reasoning_tokens: 30 },
      total_tokens: 150,
    });
  });
});
