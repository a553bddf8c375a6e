/**
 * LangChain's `ChatOpenAI` from `@langchain/openai` with `useResponsesApi: true` against a local
 * EzyBus on each demo model: invoke, stream, a tool call through bindTools (and its result
 * back), a streamed tool call, and withStructuredOutput. The client talks through a recording
 * proxy so the test also sees what LangChain really sends; `EZYBUS_CAPTURE_CLIENTS=1` keeps that as fixtures in
 * test/fixtures/clients/ (replayed through the parser by test/protocol/responses-clients.test.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { AIMessage, AIMessageChunk, ToolMessage } from '@langchain/core/messages';
import { HumanMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEMO } from '../helpers/demo.js';
import { useDemoStackBehindProxy, type RecordedRequest } from '../helpers/recording-proxy.js';

const t = useDemoStackBehindProxy({ EZYBUS_HEARTBEAT_MS: '20' });

const chat = (model: string): ChatOpenAI => new ChatOpenAI({ model, apiKey: t.s.key, configuration: { baseURL: `${t.proxy.url}/v1` }, useResponsesApi: true, maxRetries: 0 });
const sent = (from: number): Record<string, unknown>[] =>
  t.proxy.requests.slice(from).filter((r) => r.path.startsWith('/v1/responses')).map((r) => JSON.parse(r.body) as Record<string, unknown>);

const weather = tool(async ({ city }) => `It is sunny in ${city}`, { name: 'weather', description: 'Weather for a city', schema: z.object({ city: z.string() }) });

const captured: Record<string, RecordedRequest> = {};
function keep(name: string, from: number): void {
  const r = t.proxy.requests.slice(from).filter((x) => x.path.startsWith('/v1/responses')).at(-1);
  if (r) captured[name] = r;
}

describe('LangChain ChatOpenAI (useResponsesApi) through EzyBus', () => {
  for (const p of ['openai', 'anthropic', 'gemini'] as const) {
    const model = DEMO[p];

    it(`invoke on ${model}`, async () => {
      const from = t.proxy.requests.length;
      const r = await chat(model).invoke([new HumanMessage('Greet me [[sim:text=Hello there, friend]]')]);
      expect(r.text).toBe('Hello there, friend');
      expect(r.usage_metadata?.input_tokens).toBeGreaterThan(0);
      expect(r.usage_metadata?.output_tokens).toBeGreaterThan(0);
      expect(sent(from)).toHaveLength(1);
      if (p === 'anthropic') keep('invoke', from);
    });

    it(`stream on ${model}`, async () => {
      const from = t.proxy.requests.length;
      let text = '';
      let chunks = 0;
      let outputTokens = 0;
      for await (const c of await chat(model).stream('Count [[sim:tokens=24&tps=2000]]')) {
        chunks++;
        text += c.text;
        outputTokens += c.usage_metadata?.output_tokens ?? 0;
      }
      expect(chunks).toBeGreaterThan(5);
      expect(text.split(' ')).toHaveLength(24);
      expect(outputTokens).toBeGreaterThan(0);
      expect(sent(from)[0]).toMatchObject({ stream: true });
      if (p === 'anthropic') keep('stream', from);
    });

    it(`a tool call with bindTools on ${model}, and its result back`, async () => {
      const from = t.proxy.requests.length;
      const llm = chat(model).bindTools([weather]);
      const question = new HumanMessage('What is the weather? [[sim:tools=1&tool_once=1&text=It is sunny in sim]]');
      const first = await llm.invoke([question]);
      expect(first.tool_calls).toHaveLength(1);
      expect(first.tool_calls?.[0]).toMatchObject({ name: 'weather', args: { city: 'sim' } });
      const call = first.tool_calls![0]!;
      const result = (await weather.invoke(call)) as ToolMessage;
      const second = await llm.invoke([question, first as AIMessage, result]);
      expect(second.text).toBe('It is sunny in sim');
      expect(second.tool_calls ?? []).toHaveLength(0);
      // The tool result reached the upstream in its own protocol.
      expect(t.s.sim.received.at(-1)?.body).toContain('It is sunny in sim');
      const [req1, req2] = sent(from);
      expect(req1).toMatchObject({ tools: [{ type: 'function', name: 'weather' }] });
      expect(JSON.stringify(req2?.input)).toContain('function_call_output');
      if (p === 'anthropic') keep('tool-result', from);
    });

    it(`a streamed tool call on ${model}`, async () => {
      let full: AIMessageChunk | undefined;
      for await (const c of await chat(model).bindTools([weather]).stream('Weather? [[sim:tools=1]]')) full = full ? full.concat(c) : c;
      expect(full?.tool_calls).toEqual([expect.objectContaining({ name: 'weather', args: { city: 'sim' } })]);
    });

    it(`withStructuredOutput on ${model}`, async () => {
      const from = t.proxy.requests.length;
      const json = encodeURIComponent(JSON.stringify({ name: 'Ada', year: 1815 }));
      const r = await chat(model)
        .withStructuredOutput(z.object({ name: z.string(), year: z.number() }), { name: 'person' })
        .invoke(`Who wrote the first program? [[sim:text=${json}]]`);
      expect(r).toEqual({ name: 'Ada', year: 1815 });
      expect(sent(from)[0]).toMatchObject({ text: { format: { type: 'json_schema', name: 'person' } } });
      if (p === 'anthropic') keep('structured', from);
    });
  }

  it('captures (EZYBUS_CAPTURE_CLIENTS=1 rewrites test/fixtures/clients/langchain-*.json)', () => {
    expect(Object.keys(captured).sort()).toEqual(['invoke', 'stream', 'structured', 'tool-result']);
    if (process.env.EZYBUS_CAPTURE_CLIENTS !== '1') return;
    const version = (JSON.parse(readPkg('@langchain/openai')) as { version: string }).version;
    for (const [name, r] of Object.entries(captured)) {
      const headers = Object.fromEntries(Object.entries(r.headers).filter(([k]) => k === 'content-type' || k.startsWith('x-stainless-lang') || k === 'user-agent'));
      const doc = { client: `LangChain @langchain/openai ${version}, ChatOpenAI({ useResponsesApi: true })`, method: r.method, path: r.path, headers, body: JSON.parse(r.body) as unknown };
      writeFileSync(new URL(`../fixtures/clients/langchain-${version}.${name}.json`, import.meta.url), `${JSON.stringify(doc, null, 1)}\n`);
    }
  });
});

const readPkg = (name: string): string => readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8');
