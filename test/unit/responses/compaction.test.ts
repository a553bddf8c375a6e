/** /v1/responses/compact on other upstreams, and Responses-shaped bodies sent to /v1/chat/completions. */
import { describe, expect, it } from 'vitest';
import { compactionAsRequest, compactionFromResponse, SUMMARY_PREFIX } from '../../../functions/shared/protocol/responses/compaction.js';
import { chatBodyFromResponsesShape, isResponsesShaped } from '../../../functions/shared/protocol/responses/chat-shape.js';
import { encodeRequest as toChat } from '../../../functions/shared/protocol/chat-completions/request-out.js';
import { responsesRecorded } from './fixtures.js';

type J = Record<string, unknown>;

describe('compaction', () => {
  const recorded = responsesRecorded().find((r) => r.path === '/v1/responses/compact')!;

  it("asks the model for a summary of the recorded compact request's history", () => {
    const req = compactionAsRequest(recorded.request!);
    const input = req.input as J[];
    expect(input.slice(0, -1)).toEqual(recorded.request!.input);
    expect(input.at(-1)).toMatchObject({ role: 'user' });
    expect(String(input.at(-1)!.content)).toMatch(/^Summarise the conversation/);
    expect(req).toMatchObject({ model: recorded.request!.model, instructions: recorded.request!.instructions, stream: false });
  });

  it('answers in the recorded compaction shape: the user messages, then the summary', () => {
    const out = compactionFromResponse(recorded.request!, { id: 'resp_x', created_at: 5, output: [{ type: 'message', content: [{ type: 'output_text', text: 'They asked sums.' }] }], usage: { input_tokens: 3 } });
    const real = JSON.parse(recorded.body) as { object: string; output: J[] };
    expect(out.object).toBe(real.object);
    const users = (o: J[]): unknown[] => o.filter((i) => i.role === 'user' && !String(JSON.stringify(i.content)).includes(SUMMARY_PREFIX.slice(0, 20))).map((i) => i.content);
    expect(users(out.output as J[])).toEqual(users(real.output));
    expect(JSON.stringify((out.output as J[]).at(-1))).toContain('They asked sums.');
    expect(out.usage).toEqual({ input_tokens: 3 });
  });
});

describe('Responses-shaped bodies on /v1/chat/completions', () => {
  it('are recognised only when they have input and no messages', () => {
    expect(isResponsesShaped({ model: 'm', input: 'x' })).toBe(true);
    expect(isResponsesShaped({ model: 'm', input: [], messages: [] })).toBe(false);
    expect(isResponsesShaped({ model: 'm', messages: [] })).toBe(false);
  });

  it('become the Chat Completions request they mean', () => {
    const notes: string[] = [];
    const chat = chatBodyFromResponsesShape(
      {
        model: 'gpt-x',
        instructions: 'Sys',
        input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }, { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' }, { type: 'function_call_output', call_id: 'c1', output: 'r' }],
        tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }],
        reasoning: { effort: 'low' },
        stream: true,
      },
      toChat,
      notes,
    );
    expect(chat).toMatchObject({
      model: 'gpt-x',
      stream: true,
      reasoning_effort: 'low',
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      messages: [{ role: 'system', content: 'Sys' }, { role: 'user', content: 'hi' }, { role: 'assistant', tool_calls: [{ id: 'c1' }] }, { role: 'tool', tool_call_id: 'c1', content: 'r' }],
    });
    expect(chat.stream_options).toBeUndefined();
  });
});
