import { describe, expect, it } from 'vitest';
import { decodeBody as fromChat, encodeBody as toChat } from '../../../functions/shared/protocol/chat-completions/body.js';
import { decodeBody as fromGemini } from '../../../functions/shared/protocol/generate-content/body.js';
import { decodeBody as fromMessages, encodeBody as toMessages } from '../../../functions/shared/protocol/messages/body.js';

const o = { publicModel: 'pub', includeUsage: true, request: {} };

describe('non-stream bodies', () => {
  it('Chat Completions → canonical → Messages: text, tool call, stop reason and usage (cache writes counted once)', () => {
    const m = fromChat({
      id: 'chatcmpl-1',
      choices: [{ message: { content: 'Hi', tool_calls: [{ id: 'c', function: { name: 'f', arguments: '{"a":1}' } }] }, finish_reason: 'tool_calls' }],
      usage: { prompt_tokens: 100, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 30, cache_write_tokens: 20 } },
    });
    expect(toMessages(m, o)).toEqual({
      id: 'msg_chatcmpl1',
      type: 'message',
      role: 'assistant',
      model: 'pub',
      content: [{ type: 'text', text: 'Hi' }, { type: 'tool_use', id: 'c', name: 'f', input: { a: 1 } }],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 50, output_tokens: 5, cache_read_input_tokens: 30, cache_creation_input_tokens: 20 },
    });
  });
  it('Messages → Chat Completions: thinking as reasoning_content and a signed thinking block', () => {
    const m = fromMessages({ id: 'msg_1', content: [{ type: 'thinking', thinking: 'hm', signature: 'sig' }, { type: 'text', text: 'A' }], stop_reason: 'max_tokens', usage: { input_tokens: 3, output_tokens: 4 } });
    const body = toChat(m, o) as { choices: { message: Record<string, unknown>; finish_reason: string }[]; usage: Record<string, unknown> };
    expect(body.choices[0]?.message).toMatchObject({ content: 'A', reasoning_content: 'hm', thinking_blocks: [{ type: 'thinking', thinking: 'hm', signature: 'sig' }] });
    expect(body.choices[0]?.finish_reason).toBe('length');
    expect(body.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 4, completion_tokens_details: { reasoning_tokens: 1 } });
  });
  it('generateContent: a blocked prompt is a refusal, the same as streamed', () => {
    expect(fromGemini({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' } }).stop_reason).toBe('refusal');
    expect(fromGemini({ candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason: 'BLOCKLIST' }] }).stop_reason).toBe('refusal');
    expect(fromGemini({ candidates: [{ content: { parts: [{ functionCall: { name: 'f', args: {} } }] }, finishReason: 'STOP' }] }).stop_reason).toBe('tool_use');
  });
});
