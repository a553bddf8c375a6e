import { describe, expect, it } from 'vitest';
import { decodeRequest as fromChat } from '../../../functions/shared/protocol/chat-completions/request-in.js';
import { decodeRequest as fromMessages } from '../../../functions/shared/protocol/messages/request-in.js';

describe('Chat Completions request → canonical', () => {
  it('maps roles, parts, tools, choice and sampling; notes what it drops', () => {
    const notes: string[] = [];
    const req = fromChat(
      {
        model: 'm',
        messages: [
          { role: 'developer', content: 'Rules.' },
          { role: 'user', content: [{ type: 'text', text: 'Look' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: 'done' },
        ],
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }, { type: 'web_search' }],
        tool_choice: 'required',
        max_completion_tokens: 50,
        temperature: 0.5,
        stop: 'END',
        seed: 4,
      },
      notes,
    );
    expect(req.system).toEqual([{ type: 'text', text: 'Rules.' }]);
    expect(req.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Look' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'c1', name: 'f', input: { a: 1 } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'c1', content: 'done' }] },
    ]);
    expect(req).toMatchObject({ tools: [{ name: 'f', input_schema: { type: 'object' } }], toolChoice: { type: 'any' }, maxTokens: 50, temperature: 0.5, stop: ['END'] });
    expect(notes).toEqual(["tool of type 'web_search' dropped: only function tools translate", "'seed' dropped: the target has no equivalent"]);
  });
});

describe('Messages request → canonical', () => {
  it('keeps blocks, system turns in place, effort and format; strips the billing header', () => {
    const notes: string[] = [];
    const req = fromMessages(
      {
        model: 'm',
        max_tokens: 10,
        system: [{ type: 'text', text: 'x-anthropic-billing-header: cc_version=1;' }, { type: 'text', text: 'Sys' }],
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'system', content: 'Note' },
          { role: 'assistant', content: [{ type: 'thinking', thinking: 't', signature: 's' }, { type: 'web_search_tool_result', tool_use_id: 'x', content: [] }] },
        ],
        thinking: { type: 'adaptive' },
        output_config: { effort: 'low', format: { type: 'json_schema', schema: { type: 'object' } } },
      },
      notes,
    );
    expect(req.system).toEqual([{ type: 'text', text: 'Sys' }]);
    expect(req.messages.map((m) => m.role)).toEqual(['user', 'system', 'assistant']);
    expect(req.messages[2]?.content).toEqual([{ type: 'thinking', thinking: 't', signature: 's' }]);
    expect(req).toMatchObject({ thinking: 'adaptive', reasoningEffort: 'low', json: { schema: { type: 'object' } }, maxTokens: 10 });
    expect(notes.join('\n')).toMatch(/billing-header[\s\S]*web_search_tool_result/);
  });
});
