import { describe, expect, it } from 'vitest';
import type { CanonicalRequest } from '../../../functions/shared/protocol/canonical.js';
import { encodeRequest as toChat } from '../../../functions/shared/protocol/chat-completions/request-out.js';
import { encodeRequest as toGemini } from '../../../functions/shared/protocol/generate-content/request-out.js';
import { encodeRequest as toMessages } from '../../../functions/shared/protocol/messages/request-out.js';

const req: CanonicalRequest = {
  system: [{ type: 'text', text: 'Sys' }],
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
    { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: { a: 1 } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'r', is_error: true }] },
  ],
  tools: [{ name: 'f', description: 'F', input_schema: { type: 'object', properties: { a: { type: ['number', 'null'] } }, additionalProperties: false } }],
  toolChoice: { type: 'tool', name: 'f' },
  maxTokens: 100,
  temperature: 1.5,
  stop: ['x'],
};
const o = { model: 'up', stream: true, maxTokensDefault: 4096 };

describe('canonical → upstream bodies', () => {
  it('Chat Completions', () => {
    const notes: string[] = [];
    expect(toChat(req, o, notes)).toEqual({
      model: 'up',
      messages: [
        { role: 'system', content: 'Sys' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
        { role: 'tool', tool_call_id: 't1', content: 'Error: r' },
      ],
      max_completion_tokens: 100,
      temperature: 1.5,
      stop: ['x'],
      tools: [{ type: 'function', function: { name: 'f', description: 'F', parameters: req.tools[0]?.input_schema } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      stream: true,
      stream_options: { include_usage: true },
    });
  });
  it('Messages: temperature clamped with a note', () => {
    const notes: string[] = [];
    expect(toMessages(req, o, notes)).toMatchObject({ model: 'up', max_tokens: 100, system: [{ type: 'text', text: 'Sys' }], temperature: 1, tool_choice: { type: 'tool', name: 'f' }, stream: true });
    expect(notes).toEqual(["temperature 1.5 clamped to 1 (Anthropic's range is 0–1)"]);
  });
  it('generateContent: schema reduced to Gemini’s subset, results named by their call', () => {
    const notes: string[] = [];
    const body = toGemini(req, o, notes);
    expect(body).toMatchObject({
      systemInstruction: { parts: [{ text: 'Sys' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Hi' }] },
        { role: 'model', parts: [{ functionCall: { name: 'f', args: { a: 1 } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'f', response: { error: 'r' } } }] },
      ],
      tools: [{ functionDeclarations: [{ name: 'f', description: 'F', parameters: { type: 'object', properties: { a: { type: 'number', nullable: true } } } }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'] } },
      generationConfig: { maxOutputTokens: 100, temperature: 1.5, stopSequences: ['x'] },
    });
    expect(notes).toContain("schema keyword 'additionalProperties' removed for Gemini");
  });
});
