/**
 * Every client × upstream pairing through the official SDKs, translated by the gateway:
 * text stream and non-stream, a tool round trip, thinking with its signature carried back on
 * the next turn, and usage. What the SDKs parse is what the tests assert on.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setRoute } from '../../functions/shared/admin/ops.js';
import { MODELS, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
beforeAll(async () => {
  s = await startStack();
  for (const up of ['openai', 'anthropic', 'gemini'] as const) await setRoute(`x-${up}`, [{ upstream: `sim-${up}`, model: `${up}-upstream-model` }]);
  // Routes are cached by warm handlers for EZYBUS_CACHE_TTL_MS: create them all before the first request.
  await setRoute('x-claude-autocache', [{ upstream: 'sim-anthropic', model: 'anthropic-upstream-model' }], { autoCache: '5m' });
  const thinkingBudgets = { low: 1024, medium: 4096, high: 16000 };
  await setRoute('x-claude-budgets', [{ upstream: 'sim-anthropic', model: 'anthropic-upstream-model' }], { thinkingBudgets });
  await setRoute('x-gemini-budgets', [{ upstream: 'sim-gemini', model: 'gemini-upstream-model' }], { thinkingBudgets });
});
afterAll(async () => s?.close());

const weather = {
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
};

describe.each(['anthropic', 'gemini'] as const)('OpenAI SDK → %s upstream', (up) => {
  const model = `x-${up}`;
  const client = (): OpenAI => new OpenAI({ baseURL: `${s.url}/v1`, apiKey: s.key, maxRetries: 0 });

  it('text, non-stream and stream, with usage only when asked', async () => {
    const r = await client().chat.completions.create({ model, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }] });
    expect(r.model).toBe(model);
    expect(r.choices[0]?.message.content?.length).toBeGreaterThan(5);
    expect(r.choices[0]?.finish_reason).toBe('stop');
    expect(r.usage?.prompt_tokens).toBeGreaterThan(0);
    let text = '';
    let usageChunks = 0;
    for await (const c of await client().chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello' }], stream: true })) {
      text += c.choices[0]?.delta.content ?? '';
      if (c.usage) usageChunks++;
    }
    expect(text.length).toBeGreaterThan(5);
    expect(usageChunks).toBe(0);
    let usage: number | undefined;
    for await (const c of await client().chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello' }], stream: true, stream_options: { include_usage: true } })) {
      if (c.usage) usage = c.usage.completion_tokens;
    }
    expect(usage).toBeGreaterThan(0);
  });

  it('a two-turn tool round trip (stream), parallel calls included', async () => {
    const tools = [{ type: 'function' as const, function: weather }, { type: 'function' as const, function: { ...weather, name: 'get_time' } }];
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather and time in Paris? [[sim:tools=2]]' }];
    const stream = client().chat.completions.stream({ model, messages, tools });
    const final = await stream.finalChatCompletion();
    const calls = final.choices[0]?.message.tool_calls ?? [];
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(calls.map((c) => (c.type === 'function' ? c.function.name : ''))).toEqual(['get_weather', 'get_time']);
    for (const c of calls) if (c.type === 'function') expect(JSON.parse(c.function.arguments)).toEqual(c.function.name === 'get_weather' ? { city: 'sim' } : { city: 'sim' });
    messages.push(final.choices[0]!.message as OpenAI.ChatCompletionMessageParam);
    for (const c of calls) messages.push({ role: 'tool', tool_call_id: c.id, content: '18°C' });
    messages.push({ role: 'user', content: 'Thanks. [[sim:tools=0]]' });
    const r2 = await client().chat.completions.create({ model, messages, tools });
    expect(r2.choices[0]?.message.content?.length).toBeGreaterThan(0);
    // The upstream got the results back under the right call ids / function names.
    const sent = JSON.parse(s.sim.received[s.sim.received.length - 1]!.body) as Record<string, unknown>;
    expect(JSON.stringify(sent)).toContain('18°C');
    if (up === 'gemini') expect(JSON.stringify(sent)).toContain('"functionResponse":{"name":"get_weather"');
    else expect(JSON.stringify(sent)).toContain(`"tool_use_id":"${calls[0]!.id}"`);
  });

  it('thinking reaches the client as reasoning_content, and its signature survives the next turn', async () => {
    const r = await client().chat.completions.create({ model, reasoning_effort: 'high', messages: [{ role: 'user', content: 'Think. [[sim:thinking=1]]' }] });
    const msg = r.choices[0]!.message as unknown as { reasoning_content?: string; thinking_blocks?: { signature: string }[]; content: string };
    if (up === 'anthropic') expect(msg.reasoning_content?.length).toBeGreaterThan(0);
    expect(msg.thinking_blocks?.[0]?.signature).toBeTruthy();
    const r2 = await client().chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Think.' }, msg as unknown as OpenAI.ChatCompletionMessageParam, { role: 'user', content: 'Again.' }],
    });
    expect(r2.choices.length).toBe(1);
    const sent = s.sim.received[s.sim.received.length - 1]!.body;
    const sig = msg.thinking_blocks![0]!.signature;
    expect(sent).toContain(up === 'gemini' ? sig.replace(/^gemini:/, '') : sig);
  });

  it('an image (base64 data URL) reaches the upstream in its own form', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    await client().chat.completions.create({ model, messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } }] }] });
    const sent = s.sim.received[s.sim.received.length - 1]!.body;
    expect(sent).toContain(up === 'gemini' ? '"inlineData":{"mimeType":"image/png"' : '"source":{"type":"base64","media_type":"image/png"');
  });
});

describe.each(['openai', 'gemini'] as const)('Anthropic SDK → %s upstream', (up) => {
  const model = `x-${up}`;
  const client = (): Anthropic => new Anthropic({ baseURL: s.url, apiKey: s.key, maxRetries: 0 });

  it('text, non-stream and stream', async () => {
    const m = await client().messages.create({ model, max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: 'Hello' }] });
    expect(m.model).toBe(model);
    expect(m.content[0]?.type).toBe('text');
    expect(m.stop_reason).toBe('end_turn');
    const stream = client().messages.stream({ model, max_tokens: 100, messages: [{ role: 'user', content: 'Hello' }] });
    const final = await stream.finalMessage();
    expect(final.content[0]?.type === 'text' && final.content[0].text.length).toBeGreaterThan(5);
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  it('a tool round trip (stream)', async () => {
    const tools = [{ name: 'get_weather', description: 'Weather', input_schema: weather.parameters as Anthropic.Tool.InputSchema }];
    const first = await client().messages.stream({ model, max_tokens: 200, tools, messages: [{ role: 'user', content: 'Weather in Paris? [[sim:tool=1]]' }] }).finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    const call = first.content.find((b) => b.type === 'tool_use');
    expect(call?.type === 'tool_use' && call.input).toEqual({ city: 'sim' });
    const second = await client().messages.create({
      model,
      max_tokens: 200,
      tools,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call!.type === 'tool_use' ? call!.id : '', content: '18°C' }, { type: 'text', text: '[[sim:tool=0]]' }] },
      ],
    });
    expect(second.content.length).toBeGreaterThan(0);
    expect(s.sim.received[s.sim.received.length - 1]!.body).toContain('18°C');
  });
});

describe('errors and limits of translation', () => {
  it('an upstream error arrives in the client’s protocol with its status class', async () => {
    const oa = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: s.key, maxRetries: 0 });
    await expect(oa.chat.completions.create({ model: 'x-anthropic', messages: [{ role: 'user', content: 'x [[sim:fail=400]]' }] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('input the target cannot express is refused clearly (n > 1; $ref for Gemini)', async () => {
    const oa = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: s.key, maxRetries: 0 });
    await expect(oa.chat.completions.create({ model: 'x-anthropic', n: 2, messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow(/'n' > 1/);
    await expect(
      oa.chat.completions.create({
        model: 'x-gemini',
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { $ref: '#/$defs/A' } } } } }],
      }),
    ).rejects.toThrow(/\$ref/);
  });

  it('a message role the target cannot place is refused, not dropped', async () => {
    const chat = await fetch(`${s.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'x-anthropic', messages: [{ role: 'wizard', content: 'hi' }] }),
    });
    expect(chat.status).toBe(400);
    expect(((await chat.json()) as { error: { message: string; param: string } }).error).toMatchObject({ param: 'messages', message: expect.stringMatching(/role "wizard"/) as unknown });
    const msgs = await fetch(`${s.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': s.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'x-openai', max_tokens: 10, messages: [{ role: 'wizard', content: 'hi' }] }),
    });
    expect(msgs.status).toBe(400);
    expect(await msgs.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringMatching(/role "wizard"/) as unknown } });
  });

  // After the first content (error_after=4: past Anthropic's message_start, ping and block start): before it, the stream fails over instead.
  it('an error event from the upstream mid-stream reaches the client once, in its protocol', async () => {
    const body = { max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi [[sim:tokens=6&error_after=4]]' }] };
    const oa = await fetch(`${s.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, model: 'x-anthropic' }),
    });
    const oaText = await oa.text();
    expect(oaText.match(/^data: \{"error"/gm)).toHaveLength(1);
    const an = await fetch(`${s.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': s.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, model: 'x-openai' }),
    });
    const anText = await an.text();
    expect(anText.match(/^event: error$/gm)).toHaveLength(1);
    // Pass-through too: the provider's error event is the one the client gets.
    const pass = await fetch(`${s.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': s.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, model: MODELS.anthropic }),
    });
    const passText = await pass.text();
    expect(passText.match(/^event: error$/gm)).toHaveLength(1);
    expect(passText).toContain('"overloaded_error"');
  });
});

describe('route settings for translation', () => {
  const LONG = 'You are a careful assistant. '.repeat(200);
  const oa = (): OpenAI => new OpenAI({ baseURL: `${s.url}/v1`, apiKey: s.key, maxRetries: 0 });
  const last = (): Record<string, unknown> => JSON.parse(s.sim.received[s.sim.received.length - 1]!.body) as Record<string, unknown>;

  it('auto cache breakpoints give OpenAI-format clients Claude’s cache, and leave a client’s own alone', async () => {
    const ask = (q: string): Promise<OpenAI.ChatCompletion> =>
      oa().chat.completions.create({ model: 'x-claude-autocache', messages: [{ role: 'system', content: LONG }, { role: 'user', content: q }] });
    await ask('First');
    const sent = last() as { system: { cache_control?: unknown }[]; messages: { content: { cache_control?: unknown }[] }[] };
    expect(sent.system.at(-1)?.cache_control).toEqual({ type: 'ephemeral' });
    expect(sent.messages.at(-1)?.content.at(-1)?.cache_control).toEqual({ type: 'ephemeral' });
    const second = await ask('Second');
    expect(second.usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThan(1000);
    // A client that marks its own breakpoint keeps exactly that one.
    await oa().chat.completions.create({
      model: 'x-claude-autocache',
      messages: [{ role: 'system', content: [{ type: 'text', text: LONG, cache_control: { type: 'ephemeral', ttl: '1h' } } as OpenAI.ChatCompletionContentPartText] }, { role: 'user', content: 'Third' }],
    });
    expect(JSON.stringify(last()).split('"cache_control"')).toHaveLength(2);
    expect(JSON.stringify(last())).toContain('"ttl":"1h"');
  });

  it('the route’s thinking budgets map reasoning_effort for Claude and Gemini', async () => {
    await oa().chat.completions.create({ model: 'x-claude-budgets', reasoning_effort: 'medium', max_completion_tokens: 8000, messages: [{ role: 'user', content: 'Think.' }] });
    expect(last().thinking).toEqual({ type: 'enabled', budget_tokens: 4096 });
    await oa().chat.completions.create({ model: 'x-gemini-budgets', reasoning_effort: 'high', messages: [{ role: 'user', content: 'Think.' }] });
    expect((last().generationConfig as { thinkingConfig?: { thinkingBudget?: number } }).thinkingConfig?.thinkingBudget).toBe(16000);
  });
});


describe('what the gateway checks and what it leaves to the upstream', () => {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${s.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.key}`, 'x-api-key': s.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('a same-protocol route gets the provider’s own error for what the provider owns', async () => {
    const oa = await post('/v1/chat/completions', { model: MODELS.openai, messages: [] });
    expect(oa.status).toBe(400);
    expect(((await oa.json()) as { error: { code: string } }).error.code).toBe('empty_array');
    const an = await post('/v1/messages', { model: MODELS.anthropic, messages: [{ role: 'user', content: 'x' }] });
    expect(an.status).toBe(400);
    expect(((await an.json()) as { error: { message: string } }).error.message).toBe('max_tokens: Field required');
  });

  it.each([
    ['/v1/messages', { model: 'x-openai', max_tokens: 10, stream: true, messages: [{ role: 'user', content: [null] }] }, 'anthropic'],
    ['/v1/messages', { model: 'x-gemini', max_tokens: 10, stream: true, messages: [{ role: 'user', content: [{ type: 'image', source: 'x' }] }] }, 'anthropic'],
    ['/v1/chat/completions', { model: 'x-anthropic', stream: true, messages: [{ role: 'user', content: [{ type: 'text', text: 5 }] }] }, 'openai'],
    // 10,000 levels deep: sent as text (JSON.stringify itself cannot go that deep).
    ['/v1/chat/completions', `{"model":"x-gemini","stream":true,"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}}]}`, 'openai'],
  ] as const)('structurally wrong input on a translated stream (%s) is a 400 in the client’s protocol, before anything streams', async (path, body, shape) => {
    const before = s.sim.received.length;
    const res = await post(path, body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/json');
    const j = (await res.json()) as { type?: string; error: { type: string } };
    if (shape === 'anthropic') expect(j).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    else expect(j.error.type).toBe('invalid_request_error');
    expect(s.sim.received.length).toBe(before); // nothing was sent upstream
  });

  it('Claude Code’s request shape reaches a non-Claude model: mid-conversation system messages, billing header, effort', async () => {
    const body = {
      model: 'x-openai',
      max_tokens: 64000,
      stream: true,
      thinking: { type: 'adaptive' },
      output_config: { effort: 'high' },
      context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
      metadata: { user_id: 'user_1' },
      system: [
        { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.300; cc_entrypoint=sdk-cli; cch=1a2b;' },
        { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'hello', cache_control: { type: 'ephemeral' } }] },
        { role: 'system', content: '<system-reminder>cwd /repo</system-reminder>' },
      ],
    };
    const res = await post('/v1/messages?beta=true', body, { 'anthropic-beta': 'mid-conversation-system-2026-04-07,effort-2025-11-24' });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('event: message_stop');
    const start = /event: message_start\ndata: (.*)\n/.exec(text)?.[1];
    expect((JSON.parse(start ?? '{}') as { message: { usage: { input_tokens: number } } }).message.usage.input_tokens).toBeGreaterThan(0);
    const sent = JSON.parse(s.sim.received[s.sim.received.length - 1]!.body) as { messages: { role: string; content: unknown }[]; reasoning_effort?: string };
    expect(sent.messages.map((m) => m.role)).toEqual(['system', 'user', 'system']);
    expect(JSON.stringify(sent)).not.toContain('x-anthropic-billing-header');
    expect(sent.reasoning_effort).toBe('high');
    // Pass-through keeps every byte of it, billing header included.
    const pass = await post('/v1/messages?beta=true', { ...body, model: MODELS.anthropic });
    await pass.text();
    expect(s.sim.received[s.sim.received.length - 1]!.body).toContain('x-anthropic-billing-header: cc_version=2.1.300');
  });
});
