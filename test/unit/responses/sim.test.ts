/**
 * The simulator's Responses protocol, checked two ways: the official openai SDK (which parses
 * and types every event) reads it, and its event stream has the recorded shape (framing,
 * sequence numbers, the parser's view equal to the recordings').
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../local/sim/server.js';
import { createSseParser } from '../../../functions/shared/protocol/sse.js';

let sim: Simulator;
beforeAll(async () => (sim = await startSimulator({ seed: 3 })));
afterAll(async () => sim?.close());
const client = (): OpenAI => new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'sim-key', maxRetries: 0 });

describe('simulator: Responses API', () => {
  it('streams text the SDK reads, framed like the recordings', async () => {
    const stream = await client().responses.create({ model: 'gpt-sim', input: 'hi [[sim:tokens=5]]', stream: true });
    const types: string[] = [];
    let text = '';
    let final: OpenAI.Responses.Response | undefined;
    for await (const e of stream) {
      types.push(e.type);
      if (e.type === 'response.output_text.delta') text += e.delta;
      if (e.type === 'response.completed') final = e.response;
    }
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(text.split(' ')).toHaveLength(5);
    expect(final?.output.flatMap((i) => (i.type === 'message' ? i.content : [])).map((c) => (c.type === 'output_text' ? c.text : '')).join('')).toBe(text);
    expect(final?.usage?.output_tokens).toBe(5);
    const raw = await fetch(`${sim.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', input: 'x', stream: true }) });
    const body = await raw.text();
    const seq: number[] = [];
    const p = createSseParser((e) => {
      const d = JSON.parse(e.data) as { type: string; sequence_number: number };
      expect(e.event).toBe(d.type);
      seq.push(d.sequence_number);
    });
    p.push(body);
    p.end();
    expect(seq).toEqual(seq.map((_, i) => i));
    expect(body).not.toContain('[DONE]');
  });

  it('non-stream, tool calls (function and custom), reasoning with encrypted content', async () => {
    const r = await client().responses.create({
      model: 'gpt-sim',
      input: 'go [[sim:tools=2]]',
      reasoning: { effort: 'low', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
      tools: [
        { type: 'function', name: 'f', parameters: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, strict: false },
        { type: 'custom', name: 'apply_patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: "x"' } },
      ],
    });
    expect(r.output.map((i) => i.type)).toEqual(['reasoning', 'function_call', 'custom_tool_call']);
    const [rs, fc, ctc] = r.output as [OpenAI.Responses.ResponseReasoningItem, OpenAI.Responses.ResponseFunctionToolCall, OpenAI.Responses.ResponseCustomToolCall];
    expect(rs.encrypted_content).toBeTruthy();
    expect(rs.summary[0]?.text.length).toBeGreaterThan(0);
    expect(JSON.parse(fc.arguments)).toEqual({ a: 'sim' });
    expect(ctc.input).toBe('sim');
    expect(r.usage?.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
  });

  it('tool_once stops calling once a tool result is the last turn', async () => {
    const tools: OpenAI.Responses.Tool[] = [{ type: 'function', name: 'f', parameters: { type: 'object' }, strict: false }];
    const first = await client().responses.create({ model: 'm', input: 'x [[sim:tools=1&tool_once=1&tool_args=%7B%22cmd%22%3A%22ls%22%7D]]', tools });
    const call = first.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call.arguments).toBe('{"cmd":"ls"}');
    const second = await client().responses.create({
      model: 'm',
      tools,
      input: [{ role: 'user', content: 'x [[sim:tools=1&tool_once=1]]' }, call, { type: 'function_call_output', call_id: call.call_id, output: 'done' }],
    });
    expect(second.output.map((i) => i.type)).toEqual(['message']);
  });

  it('compact and input_tokens', async () => {
    const c = await fetch(`${sim.url}/v1/responses/compact`, { method: 'POST', body: JSON.stringify({ model: 'm', input: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] }) });
    const cj = (await c.json()) as { object: string; output: { type: string; role?: string }[] };
    expect(cj.object).toBe('response.compaction');
    expect(cj.output.map((i) => i.type)).toEqual(['message', 'compaction']);
    const t = await fetch(`${sim.url}/v1/responses/input_tokens`, { method: 'POST', body: JSON.stringify({ model: 'm', input: 'hello' }) });
    expect(await t.json()).toMatchObject({ object: 'response.input_tokens', input_tokens: expect.any(Number) as number });
  });

  it('replays a recorded Responses stream byte for byte', async () => {
    const name = 'openai-responses/stream-text-basic-event-lines.llm-openai.cassette.yaml#0';
    const res = await fetch(`${sim.url}/v1/responses`, { method: 'POST', headers: { 'x-sim-scenario': `replay=${encodeURIComponent(name)}` }, body: '{"model":"m","input":"x","stream":true}' });
    const { responsesRecorded } = await import('./fixtures.js');
    expect(await res.text()).toBe(responsesRecorded().find((r) => `openai-responses/${r.name}` === name)!.body);
  });
});
