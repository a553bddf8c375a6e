/**
 * What real clients send, translated: each case is a request shape a client in the wild sends
 * (protocols.md appendix "what agent clients send"), checked on the body the upstream receives
 * or the stream the client gets back.
 */
import { describe, expect, it } from 'vitest';
import { TranslationError } from '../../functions/shared/protocol/errors.js';
import { createStreamTranslator, planUpstreamRequest, translateResponseBody, type TranslateOptions } from '../../functions/shared/protocol/translate.js';
import type { WireProtocol } from '../../functions/shared/protocol/wire.js';
import { createSseParser } from '../../functions/shared/protocol/sse.js';
import type { TokenUsage } from '../../functions/shared/usage/types.js';
import { recorded } from './fixtures.js';

type J = Record<string, unknown>;
const opts = (request: J, over: Partial<TranslateOptions> = {}): TranslateOptions => ({ upstreamModel: 'up-model', publicModel: 'pub', stream: false, maxTokensDefault: 4096, request, ...over });
const plan = (client: WireProtocol, upstream: WireProtocol, request: J, over: Partial<TranslateOptions> = {}): { body: J; notes: string[] } => {
  const p = planUpstreamRequest(client, upstream, {}, opts(request, over));
  return { body: JSON.parse(p.body) as J, notes: p.notes };
};
const msgs = (messages: unknown[], extra: J = {}): J => ({ model: 'm', max_tokens: 100, messages, ...extra });

async function stream(client: WireProtocol, upstream: WireProtocol, sse: string, request: J = {}, over: Partial<TranslateOptions> = {}): Promise<{ events: { event: string | undefined; data: J | string }[]; usage: TokenUsage | undefined }> {
  let usage: TokenUsage | undefined;
  const ts = createStreamTranslator(client, upstream, { ...opts(request, over), stream: true, onUsage: (u) => (usage = u) });
  const w = ts.writable.getWriter();
  const r = ts.readable.getReader();
  const read = (async () => {
    let s = '';
    for (;;) {
      const { done, value } = await r.read();
      if (done) return s;
      s += new TextDecoder().decode(value);
    }
  })();
  await w.write(new TextEncoder().encode(sse));
  await w.close();
  const out: { event: string | undefined; data: J | string }[] = [];
  const p = createSseParser((e) => out.push({ event: e.event, data: e.data === '[DONE]' ? e.data : (JSON.parse(e.data) as J) }));
  p.push(await read);
  p.end();
  return { events: out, usage };
}

// Claude Code 2.x: reminders as system messages right after a user turn.
const claudeCode = msgs([
  { role: 'user', content: [{ type: 'text', text: 'List the files.' }] },
  { role: 'system', content: '<system-reminder>cwd is /repo</system-reminder>' },
  { role: 'assistant', content: [{ type: 'text', text: 'Sure.' }] },
  { role: 'user', content: 'Go on.' },
  { role: 'system', content: [{ type: 'text', text: 'Todo list is empty.' }] },
]);

describe('mid-conversation role:"system" messages (Messages client)', () => {
  it('Chat Completions upstream: a system message at the same position', () => {
    const { body } = plan('messages', 'chat-completions', claudeCode);
    expect((body.messages as J[]).map((m) => m.role)).toEqual(['user', 'system', 'assistant', 'user', 'system']);
    expect((body.messages as J[])[1]).toEqual({ role: 'system', content: '<system-reminder>cwd is /repo</system-reminder>' });
  });

  it('generateContent upstream: a marked user-role part beside its user turn (Gemini has only systemInstruction)', () => {
    const { body } = plan('messages', 'generate-content', claudeCode);
    const contents = body.contents as { role: string; parts: J[] }[];
    expect(contents.map((c) => c.role)).toEqual(['user', 'model', 'user']);
    expect(contents[0]?.parts).toEqual([{ text: 'List the files.' }, { text: '<system>\n<system-reminder>cwd is /repo</system-reminder>\n</system>' }]);
    expect(contents[2]?.parts[1]).toEqual({ text: '<system>\nTodo list is empty.\n</system>' });
  });

  it('non-text blocks of a system message are dropped with a note, not a 400', () => {
    const { body, notes } = plan('messages', 'chat-completions', msgs([{ role: 'user', content: 'x' }, { role: 'system', content: [{ type: 'tool_addition', tools: [] }, { type: 'text', text: 'y' }] }]));
    expect((body.messages as J[])[1]).toEqual({ role: 'system', content: 'y' });
    expect(notes.join()).toContain("'tool_addition'");
  });
});

describe('x-anthropic-billing-header system block', () => {
  const body = msgs([{ role: 'user', content: 'hi' }], {
    system: [
      { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.300; cc_entrypoint=sdk-cli; cch=8f3a;' },
      { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
    ],
  });
  it.each(['chat-completions', 'generate-content'] as const)('is stripped when translating to %s, with the reason noted', (up) => {
    const { body: out, notes } = plan('messages', up, body);
    expect(JSON.stringify(out)).not.toContain('x-anthropic-billing-header');
    expect(JSON.stringify(out)).toContain('You are Claude Code.');
    expect(notes.join()).toContain('x-anthropic-billing-header');
  });
});

describe('effort and structured output', () => {
  const effort = (level: string): J => msgs([{ role: 'user', content: 'x' }], { thinking: { type: 'adaptive' }, output_config: { effort: level } });
  it.each([['low'], ['medium'], ['high']])('output_config.effort %s → the same reasoning_effort', (level) => {
    expect(plan('messages', 'chat-completions', effort(level)).body.reasoning_effort).toBe(level);
  });
  it('output_config.effort high → Gemini 3 thinkingLevel HIGH; Gemini 2.5 the high budget', () => {
    expect(plan('messages', 'generate-content', effort('high'), { upstreamModel: 'gemini-3-flash-preview' }).body.generationConfig).toMatchObject({ thinkingConfig: { thinkingLevel: 'HIGH' } });
    expect(plan('messages', 'generate-content', effort('high'), { upstreamModel: 'gemini-2.5-flash' }).body.generationConfig).toMatchObject({ thinkingConfig: { thinkingBudget: 24576 } });
  });
  it('reasoning_effort high → Gemini 3 thinkingLevel HIGH', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'x' }], reasoning_effort: 'high' };
    expect(plan('chat-completions', 'generate-content', body, { upstreamModel: 'gemini-3-pro-preview' }).body.generationConfig).toMatchObject({ thinkingConfig: { thinkingLevel: 'HIGH' } });
  });

  const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false };
  it('output_config.format json_schema → response_format json_schema and responseMimeType + responseSchema', () => {
    const body = msgs([{ role: 'user', content: 'x' }], { output_config: { format: { type: 'json_schema', schema } } });
    expect(plan('messages', 'chat-completions', body).body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'response', schema } });
    expect(plan('messages', 'generate-content', body).body.generationConfig).toMatchObject({ responseMimeType: 'application/json', responseSchema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] } });
  });
  it('response_format json_schema → output_config.format (not a prose instruction)', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema', json_schema: { name: 'a', schema } } };
    const out = plan('chat-completions', 'messages', body).body;
    expect(out.output_config).toEqual({ format: { type: 'json_schema', schema } });
    expect(out.system).toBeUndefined();
  });
});

describe('legacy functions / function_call / role "function"', () => {
  const body = {
    model: 'm',
    functions: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
    function_call: { name: 'get_weather' },
    messages: [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, function_call: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { role: 'function', name: 'get_weather', content: '18 °C' },
    ],
  };
  it('translate like tools: definitions, choice, the call and its answer paired', () => {
    const out = plan('chat-completions', 'messages', body).body;
    expect(out.tools).toEqual([{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }]);
    expect(out.tool_choice).toEqual({ type: 'tool', name: 'get_weather', disable_parallel_tool_use: true });
    const [, assistant, result] = out.messages as { content: J[] }[];
    const call = assistant?.content[0] as { id: string; name: string; input: unknown };
    expect(call).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } });
    expect(result?.content[0]).toEqual({ type: 'tool_result', tool_use_id: call.id, content: '18 °C' });
  });
  it('a function message that answers no call is a 400', () => {
    expect(() => plan('chat-completions', 'messages', { model: 'm', messages: [{ role: 'function', name: 'f', content: 'x' }] })).toThrow(TranslationError);
  });
  const anthropicCall = [
    'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","model":"c","usage":{"input_tokens":5,"output_tokens":0}}}\n\n',
    'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}\n\n',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\\"city\\":\\"Paris\\"}"}}\n\n',
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
    'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":9}}\n\n',
    'event: message_stop\ndata: {"type":"message_stop"}\n\n',
  ].join('');
  it('the answer comes back as function_call, streamed and not', async () => {
    const { events } = await stream('chat-completions', 'messages', anthropicCall, body);
    const deltas = events.filter((e) => typeof e.data !== 'string').map((e) => ((e.data as { choices: { delta: J; finish_reason: string | null }[] }).choices[0] ?? { delta: {}, finish_reason: null }));
    expect(deltas.some((d) => 'tool_calls' in d.delta)).toBe(false);
    expect(deltas.map((d) => (d.delta.function_call as { arguments?: string } | undefined)?.arguments ?? '').join('')).toBe('{"city":"Paris"}');
    expect(deltas.find((d) => d.finish_reason)?.finish_reason).toBe('function_call');
    const nonStream = JSON.parse(
      translateResponseBody('chat-completions', 'messages', JSON.stringify({ id: 'msg_1', content: [{ type: 'tool_use', id: 't', name: 'get_weather', input: { city: 'Paris' } }], stop_reason: 'tool_use', usage: { input_tokens: 1, output_tokens: 1 } }), opts(body)).body,
    ) as { choices: { message: J; finish_reason: string }[] };
    expect(nonStream.choices[0]?.message.function_call).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    expect(nonStream.choices[0]?.finish_reason).toBe('function_call');
  });
});

describe('Gemini functionCall.partialArgs', () => {
  it.each([
    ['gemini/stream-vertex-function-call-partial-args.vercel-ai.chunks.txt', [['getWeather', { location: 'Boston' }], ['getWeather', { location: 'San Francisco' }]]],
    ['gemini/stream-vertex-thought-parallel-partial-args.vercel-ai.chunks.txt', [['read_theme', {}], ['read_screen', { id: 'A' }], ['read_screen', { id: 'B' }], ['read_screen', { id: 'C' }]]],
  ] as const)('%s: one call each, with its name and full arguments', async (fixture, expected) => {
    const r = recorded().find((x) => x.name === fixture);
    if (!r) throw new Error(`missing fixture ${fixture}`);
    const { events } = await stream('messages', 'generate-content', r.body);
    const calls = new Map<number, { name: string; json: string }>();
    for (const e of events) {
      const d = e.data as { type: string; index: number; content_block?: { type: string; name: string }; delta?: { partial_json?: string } };
      if (d.type === 'content_block_start' && d.content_block?.type === 'tool_use') calls.set(d.index, { name: d.content_block.name, json: '' });
      if (d.type === 'content_block_delta' && d.delta?.partial_json !== undefined) calls.get(d.index)!.json += d.delta.partial_json;
    }
    expect([...calls.values()].map((c) => [c.name, JSON.parse(c.json) as unknown])).toEqual(expected);
  });
});

describe('tool results: images and empty content', () => {
  const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
  const conversation = msgs([
    { role: 'user', content: 'Screenshot?' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'screenshot', input: {} }] },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'here' }, { type: 'image', source: { type: 'base64', data: png } }, { type: 'image', source: { type: 'url', url: 'https://x.test/a.webp' } }] },
      ],
    },
  ]);
  it('reach Gemini as parts after the function response, media types from the data and the URL', () => {
    const contents = plan('messages', 'generate-content', conversation).body.contents as { parts: J[] }[];
    expect(contents[2]?.parts).toEqual([
      { functionResponse: { name: 'screenshot', response: { result: 'here' } } },
      { inlineData: { mimeType: 'image/png', data: png } },
      { fileData: { fileUri: 'https://x.test/a.webp', mimeType: 'image/webp' } },
    ]);
  });
  it('reach Chat Completions as a user message after the tool message', () => {
    const m = plan('messages', 'chat-completions', conversation).body.messages as J[];
    expect(m[2]).toEqual({ role: 'tool', tool_call_id: 'toolu_1', content: 'here' });
    expect(m[3]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'Images returned by tool call toolu_1:' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
        { type: 'image_url', image_url: { url: 'https://x.test/a.webp' } },
      ],
    });
  });
  it.each([[{}], [{ content: '' }], [{ content: [] }], [{ content: null }]])('tool_result %j is an empty result', (extra) => {
    const body = msgs([{ role: 'user', content: 'x' }, { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: {} }] }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', ...extra }] }]);
    expect((plan('messages', 'chat-completions', body).body.messages as J[])[2]).toEqual({ role: 'tool', tool_call_id: 't1', content: '' });
    expect((plan('messages', 'generate-content', body).body.contents as { parts: J[] }[])[2]?.parts).toEqual([{ functionResponse: { name: 'f', response: { result: '' } } }]);
  });
});

describe('usage a translated Messages client reads', () => {
  const openaiStream = [
    'data: {"id":"c1","model":"gpt","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n',
    'data: {"id":"c1","model":"gpt","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}\n\n',
    'data: {"id":"c1","model":"gpt","choices":[],"usage":{"prompt_tokens":120,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":20}}}\n\n',
    'data: [DONE]\n\n',
  ].join('');
  it('message_start carries input tokens (an estimate when the upstream reports them only at the end); message_delta the exact figures', async () => {
    const { events } = await stream('messages', 'chat-completions', openaiStream, {}, { inputTokensEstimate: 111 });
    const start = events.find((e) => e.event === 'message_start')?.data as { message: { usage: J } };
    expect(start.message.usage.input_tokens).toBe(111);
    const delta = events.find((e) => e.event === 'message_delta')?.data as { usage: J };
    expect(delta.usage).toMatchObject({ input_tokens: 100, cache_read_input_tokens: 20, output_tokens: 2 });
  });
  it('a Chat Completions client of a thinking route sees the reasoning tokens that are billed', async () => {
    const r = recorded().find((x) => x.name === 'anthropic/stream-thinking-signature-delta.vercel-ai.chunks.txt');
    if (!r) throw new Error('missing fixture');
    const { events, usage } = await stream('chat-completions', 'messages', r.body, { stream_options: { include_usage: true } });
    const last = events.filter((e) => typeof e.data !== 'string').pop()?.data as { usage: { completion_tokens_details: { reasoning_tokens: number } } };
    expect(usage?.reasoningTokens).toBeGreaterThan(0);
    expect(last.usage.completion_tokens_details.reasoning_tokens).toBe(usage?.reasoningTokens);
  });
});

describe('structurally wrong input is a 400 before anything is sent', () => {
  const user = (content: unknown): J => msgs([{ role: 'user', content }]);
  it.each([
    ['a null block', user([null])],
    ['an unknown block type', user([{ type: 'hologram' }])],
    ['a block without a type', user([{ text: 'x' }])],
    ['text that is a number', user([{ type: 'text', text: 42 }])],
    ['a source of the wrong type', user([{ type: 'image', source: 'http://x/y.png' }])],
    ['a source type that does not exist', user([{ type: 'image', source: { type: 'ftp', url: 'x' } }])],
    ['a tool_use id that is a number', msgs([{ role: 'assistant', content: [{ type: 'tool_use', id: 7, name: 'f', input: {} }] }])],
    ['content that is a number', user(5)],
    ['a message that is a string', msgs(['hello'])],
    ['an unknown role', msgs([{ role: 'robot', content: 'x' }])],
    ['system that is a number', msgs([{ role: 'user', content: 'x' }], { system: 3 })],
    ['tools 10,000 deep', msgs([{ role: 'user', content: 'x' }], { tools: [{ name: 'f', input_schema: JSON.parse('{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000)) as J }] })],
  ])('Messages: %s', (_n, body) => {
    for (const up of ['chat-completions', 'generate-content'] as const) expect(() => plan('messages', up, body)).toThrow(TranslationError);
  });
  it.each([
    ['a null message', { messages: [null] }],
    ['a part of unknown type', { messages: [{ role: 'user', content: [{ type: 'hologram' }] }] }],
    ['text that is a number', { messages: [{ role: 'user', content: [{ type: 'text', text: 1 }] }] }],
    ['an image_url that is a number', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 3 } }] }] }],
    ['arguments that are not JSON', { messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{' } }] }] }],
    ['messages: []', { messages: [] }],
    ['arguments 10,000 deep', { messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f', parameters: JSON.parse('['.repeat(10_000) + ']'.repeat(10_000)) as J } }] }],
  ])('Chat Completions: %s', (_n, extra) => {
    for (const up of ['messages', 'generate-content'] as const) expect(() => plan('chat-completions', up, { model: 'm', ...extra })).toThrow(TranslationError);
  });
});
