import { describe, expect, it } from 'vitest';
import { parseEvent, requestFor, splitEvents } from '../../console/src/stream.js';
import { parseTargets } from '../../console/src/pages/routes.js';

describe('console terminal stream parsing', () => {
  it('splits SSE into events across reads, skipping heartbeats', () => {
    const a = splitEvents(': ping\n\ndata: {"a":1}\n\nevent: x\ndata: {"b"');
    expect(a.events).toEqual([{ data: '{"a":1}' }]);
    const b = splitEvents(a.rest + ':2}\r\n\r\n');
    expect(b.events).toEqual([{ event: 'x', data: '{"b":2}' }]);
    expect(b.rest).toBe('');
  });

  it('reads OpenAI chunks: text, the usage chunk, errors, [DONE]', () => {
    expect(parseEvent('openai', { data: '{"choices":[{"delta":{"content":"Hi"}}]}' })).toEqual({ text: 'Hi' });
    expect(parseEvent('openai', { data: '{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":9}}' })).toEqual({ inputTokens: 3, outputTokens: 9 });
    expect(parseEvent('openai', { data: '{"error":{"message":"boom"}}' })).toEqual({ error: 'boom' });
    expect(parseEvent('openai', { data: '[DONE]' })).toEqual({ done: true });
  });

  it('reads Anthropic events: text deltas, usage, error events', () => {
    expect(parseEvent('anthropic', { event: 'message_start', data: '{"type":"message_start","message":{"usage":{"input_tokens":12}}}' })).toEqual({ inputTokens: 12 });
    expect(parseEvent('anthropic', { event: 'content_block_delta', data: '{"type":"content_block_delta","delta":{"type":"text_delta","text":"yo"}}' })).toEqual({ text: 'yo' });
    expect(parseEvent('anthropic', { event: 'content_block_delta', data: '{"type":"content_block_delta","delta":{"type":"thinking_delta","thinking":"hm"}}' })).toEqual({});
    expect(parseEvent('anthropic', { event: 'message_delta', data: '{"type":"message_delta","usage":{"output_tokens":5}}' })).toEqual({ outputTokens: 5 });
    expect(parseEvent('anthropic', { event: 'error', data: '{"type":"error","error":{"type":"overloaded_error","message":"busy"}}' })).toEqual({ error: 'busy' });
  });

  it('builds each protocol request', () => {
    const o = requestFor('openai', 'm', 'hi', 10);
    expect(o.path).toBe('/v1/chat/completions');
    expect(JSON.parse(o.body)).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const a = requestFor('anthropic', 'm', 'hi', 10);
    expect(a.headers['anthropic-version']).toBe('2023-06-01');
    expect(JSON.parse(a.body)).toMatchObject({ max_tokens: 10, stream: true });
  });

  it('reads route targets as the CLI writes them', () => {
    expect(parseTargets('a:m1:2:0\nb:m2')).toEqual([
      { upstream: 'a', model: 'm1', weight: 2, priority: 0 },
      { upstream: 'b', model: 'm2' },
    ]);
  });
});
