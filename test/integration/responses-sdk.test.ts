/**
 * The official openai SDK's `responses.create`, streamed and not, against each demo model through
 * EzyBus, plus what the Responses protocol must get right for every client: errors in its shape,
 * custom tools, reasoning round trips, usage in the ledger, and pass-through to a Responses
 * upstream.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, lastLog as logOf, startDemoStack } from '../helpers/demo.js';
import type { Stack } from '../helpers/stack.js';

let s: Stack;
beforeAll(async () => (s = await startDemoStack({ EZYBUS_HEARTBEAT_MS: '20' })));
afterAll(async () => s?.close());

const client = (): OpenAI => new OpenAI({ baseURL: `${s.url}/v1`, apiKey: s.key, maxRetries: 0 });
const lastLog = (model: string): Record<string, unknown> | undefined => logOf(s, model);

describe('openai SDK responses.create through EzyBus', () => {
  for (const p of ['openai', 'anthropic', 'gemini'] as const) {
    const model = DEMO[p];

    it(`non-stream on ${model}`, async () => {
      const r = await client().responses.create({ model, input: 'Hi [[sim:text=Hello from upstream]]', instructions: 'Be kind.' });
      expect(r.object).toBe('response');
      expect(r.status).toBe('completed');
      expect(r.output_text).toBe('Hello from upstream');
      expect(r.model).toBe(model);
      expect(r.usage?.output_tokens).toBeGreaterThan(0);
      expect(r.usage?.total_tokens).toBe((r.usage?.input_tokens ?? 0) + (r.usage?.output_tokens ?? 0));
      // Billed like any other request: the ledger's record has the same usage.
      const log = lastLog(model);
      expect(log).toMatchObject({ status: 200, fn: 'responses' });
      const billed = (log!.record as { usage: { inputTokens: number; cacheReadTokens: number; outputTokens: number; reasoningTokens: number } }).usage;
      expect(billed.outputTokens).toBe(r.usage?.output_tokens);
      expect(billed.inputTokens + billed.cacheReadTokens).toBe(r.usage?.input_tokens);
      expect(billed.reasoningTokens).toBe(r.usage?.output_tokens_details.reasoning_tokens);
    });

    it(`stream on ${model}`, async () => {
      const stream = await client().responses.create({ model, input: 'Count [[sim:tokens=12]]', stream: true });
      const types: string[] = [];
      const seq: number[] = [];
      let text = '';
      let done: OpenAI.Responses.Response | undefined;
      for await (const e of stream) {
        types.push(e.type);
        seq.push(e.sequence_number);
        if (e.type === 'response.output_text.delta') text += e.delta;
        if (e.type === 'response.completed') done = e.response;
      }
      expect(types.slice(0, 3)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added']);
      expect(types.at(-1)).toBe('response.completed');
      expect(seq).toEqual(seq.map((_, i) => i));
      expect(text.split(' ')).toHaveLength(12);
      expect(done?.usage?.output_tokens).toBeGreaterThan(0);
    });

    it(`function and custom tool calls on ${model}, and their results back`, async () => {
      const tools: OpenAI.Responses.Tool[] = [
        { type: 'function', name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] }, strict: false },
        { type: 'custom', name: 'apply_patch', description: 'Apply a patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: /.+/' } },
      ];
      const r = await client().responses.create({ model, input: 'Use both [[sim:tools=2]]', tools });
      const [call, custom] = r.output as [OpenAI.Responses.ResponseFunctionToolCall, OpenAI.Responses.ResponseCustomToolCall];
      expect(call).toMatchObject({ type: 'function_call', name: 'lookup' });
      expect(JSON.parse(call.arguments)).toEqual({ q: 'sim' });
      expect(custom).toMatchObject({ type: 'custom_tool_call', name: 'apply_patch' });
      expect(typeof custom.input).toBe('string');
      const next = await client().responses.create({
        model,
        tools,
        input: [
          { role: 'user', content: 'Use both' },
          call,
          custom,
          { type: 'function_call_output', call_id: call.call_id, output: 'found it' },
          { type: 'custom_tool_call_output', call_id: custom.call_id, output: 'patched' },
        ],
      });
      expect(next.status).toBe('completed');
      const sent = s.sim.received.at(-1)!.body;
      expect(sent).toContain('found it');
      expect(sent).toContain('patched');
    });
  }

  it('thinking from Claude survives the round trip through reasoning items (signature intact)', async () => {
    const r = await client().responses.create({ model: DEMO.anthropic, input: 'Think [[sim:thinking=1&tools=1]]', reasoning: { effort: 'low' }, tools: [{ type: 'function', name: 'f', parameters: { type: 'object' }, strict: false }] });
    const reasoning = r.output.find((i) => i.type === 'reasoning') as OpenAI.Responses.ResponseReasoningItem;
    expect(reasoning.encrypted_content).toBeTruthy();
    const call = r.output.find((i) => i.type === 'function_call') as OpenAI.Responses.ResponseFunctionToolCall;
    await client().responses.create({ model: DEMO.anthropic, reasoning: { effort: 'low' }, tools: [{ type: 'function', name: 'f', parameters: { type: 'object' }, strict: false }], input: [{ role: 'user', content: 'Think' }, ...(r.output as OpenAI.Responses.ResponseInputItem[]), { type: 'function_call_output', call_id: call.call_id, output: 'ok' }] });
    const sent = JSON.parse(s.sim.received.at(-1)!.body) as { messages: { role: string; content: { type: string; signature?: string }[] }[] };
    const thinking = sent.messages[1]!.content.find((b) => b.type === 'thinking');
    expect(thinking?.signature).toBe(Buffer.from(`sim-signature-${s.sim.received.at(-2)!.id}`).toString('base64'));
  });

  it('include on translated models: encrypted reasoning given, logprobs and unknown values ignored with a logged reason', async () => {
    for (const model of [DEMO.anthropic, DEMO.gemini, DEMO.openai]) {
      const include = ['reasoning.encrypted_content', 'message.output_text.logprobs', 'x_future.value'] as OpenAI.Responses.ResponseIncludable[];
      const r = await client().responses.create({ model, input: 'Think [[sim:thinking=1&text=Thought about it]]', include });
      expect(r.output_text).toBe('Thought about it');
      const message = r.output.find((i) => i.type === 'message') as OpenAI.Responses.ResponseOutputMessage;
      expect((message.content[0] as OpenAI.Responses.ResponseOutputText).logprobs).toEqual([]);
      if (model === DEMO.anthropic) expect((r.output.find((i) => i.type === 'reasoning') as OpenAI.Responses.ResponseReasoningItem).encrypted_content).toMatch(/^ezb1\./);
      const notes = (lastLog(model)!.record as { notes: string[] }).notes;
      expect(notes).toEqual(expect.arrayContaining([expect.stringMatching(/^include 'message.output_text.logprobs' ignored/), expect.stringMatching(/^include 'x_future.value' ignored/)]));
      expect(notes.join('\n')).not.toContain('reasoning.encrypted_content');
    }
  });

  it('bad input is a 4xx in the Responses error shape, streamed or not', async () => {
    const raw = (body: unknown): Promise<Response> =>
      fetch(`${s.url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    for (const [body, param] of [
      ['{not json', undefined],
      [{ input: 'x' }, 'model'],
      [{ model: DEMO.openai }, 'input'],
      [{ model: DEMO.openai, input: 'x', stream: 'yes' }, 'stream'],
      [{ model: DEMO.anthropic, input: 'x', previous_response_id: 'resp_123' }, 'previous_response_id'],
      [{ model: DEMO.gemini, input: [{ type: 'item_reference', id: 'msg_1' }] }, 'input'],
      [{ model: DEMO.anthropic, input: 'x', include: 'reasoning.encrypted_content' }, 'include'],
    ] as const) {
      const res = await raw(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const j = (await res.json()) as { error: { message: string; type: string; param: string | null; code: string | null } };
      expect(j.error.type).toBe('invalid_request_error');
      if (param) expect(j.error.param).toBe(param);
    }
    // Streamed too: translation is planned before the stream commits, so it is a plain 400.
    const res = await raw({ model: DEMO.gemini, input: [{ type: 'item_reference', id: 'msg_1' }], stream: true });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/item_reference/);
    await expect(client().responses.create({ model: DEMO.gemini, input: [{ type: 'item_reference', id: 'msg_1' }], stream: true })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(client().responses.create({ model: 'nope', input: 'x' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'sk-eb-nope', maxRetries: 0 }).responses.create({ model: DEMO.openai, input: 'x' })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('a mid-stream upstream failure ends the stream with error and response.failed', async () => {
    const stream = await client().responses.create({ model: DEMO.anthropic, input: 'x [[sim:tokens=20&error_after=4]]', stream: true });
    const types: string[] = [];
    await expect(
      (async () => {
        for await (const e of stream) types.push(e.type);
      })(),
    ).rejects.toThrow();
    expect(types).toContain('response.output_text.delta');
  });

  it('/v1/responses/compact lets Codex continue on a non-Responses upstream', async () => {
    const res = await fetch(`${s.url}/v1/responses/compact`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: DEMO.anthropic, instructions: 'Summarise.', input: [{ role: 'user', content: 'What is 2+2?' }, { role: 'assistant', content: '4' }, { role: 'user', content: 'And 3+3?' }] }),
    });
    expect(res.status).toBe(200);
    const j = (await res.json()) as { object: string; output: { type: string; role?: string }[] };
    expect(j.object).toBe('response.compaction');
    const users = j.output.filter((i) => i.role === 'user') as unknown as { content: { text: string }[] }[];
    // The two user turns, then the model's summary of everything (also a user item, as Codex's own compaction writes it).
    expect(users.map((u) => u.content[0]?.text.slice(0, 14))).toEqual(['What is 2+2?', 'And 3+3?', 'Summary of the']);
    expect(users[2]!.content[0]!.text.length).toBeGreaterThan('Summary of the conversation so far'.length);
    // The summary came from the upstream model, asked with the history.
    expect(s.sim.received.at(-1)!.body).toContain('Summarise the conversation');
  });

  it('GET /v1/models?client_version answers in the shape Codex reads', async () => {
    const res = await fetch(`${s.url}/v1/models?client_version=0.171.0`, { headers: { authorization: `Bearer ${s.key}` } });
    const j = (await res.json()) as { models: { slug: string; supported_reasoning_levels: unknown[]; visibility: string; supported_in_api: boolean }[] };
    expect(j.models.map((m) => m.slug)).toContain(DEMO.openai);
    expect(j.models[0]).toMatchObject({ visibility: 'list', supported_in_api: true });
  });

  it('Cursor-style Responses bodies sent to /v1/chat/completions get a Chat Completions answer', async () => {
    const res = await fetch(`${s.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: DEMO.anthropic, input: [{ role: 'user', content: 'hi [[sim:text=chat answer]]' }], tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }], reasoning: { effort: 'low' } }),
    });
    expect(res.status).toBe(200);
    const j = (await res.json()) as { object: string; choices: { message: { content: string } }[] };
    expect(j.object).toBe('chat.completion');
    expect(j.choices[0]?.message.content).toBe('chat answer');
  });
});
