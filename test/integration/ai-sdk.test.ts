/**
 * The Vercel AI SDK's default OpenAI provider — `openai(model)`, which speaks the Responses API —
 * against a local EzyBus on each demo model: generateText, streamText, a tool loop the SDK drives
 * itself, and structured output. What the SDK returns is what a user's code would see.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, Output, stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEMO, startDemoStack } from '../helpers/demo.js';
import type { Stack } from '../helpers/stack.js';

let s: Stack;
beforeAll(async () => (s = await startDemoStack({ EZYBUS_HEARTBEAT_MS: '20' })));
afterAll(async () => s?.close());

const provider = () => createOpenAI({ baseURL: `${s.url}/v1`, apiKey: s.key });

describe('AI SDK openai() provider (Responses API) through EzyBus', () => {
  for (const p of ['openai', 'anthropic', 'gemini'] as const) {
    const model = DEMO[p];

    it(`generateText on ${model}`, async () => {
      const r = await generateText({ model: provider()(model), prompt: 'Greet me [[sim:text=Hello there, friend]]' });
      expect(r.text).toBe('Hello there, friend');
      expect(r.finishReason).toBe('stop');
      expect(r.usage.inputTokens).toBeGreaterThan(0);
      expect(r.usage.outputTokens).toBeGreaterThan(0);
    });

    it(`streamText on ${model}`, async () => {
      const r = streamText({ model: provider()(model), prompt: 'Count [[sim:tokens=24&tps=2000]]' });
      const chunks: string[] = [];
      for await (const t of r.textStream) chunks.push(t);
      expect(chunks.length).toBeGreaterThan(5);
      expect((await r.text).split(' ')).toHaveLength(24);
      expect(await r.finishReason).toBe('stop');
      expect((await r.usage).outputTokens).toBeGreaterThan(0);
    });

    it(`a tool loop on ${model}`, async () => {
      const seen: unknown[] = [];
      const r = await generateText({
        model: provider()(model),
        prompt: 'What is the weather? [[sim:tools=1&tool_once=1&text=It is sunny in sim]]',
        tools: {
          weather: tool({
            description: 'Weather for a city',
            inputSchema: z.object({ city: z.string() }),
            execute: async ({ city }) => {
              seen.push(city);
              return { city, sky: 'sunny' };
            },
          }),
        },
        stopWhen: stepCountIs(4),
      });
      expect(seen).toEqual(['sim']);
      expect(r.steps).toHaveLength(2);
      expect(r.steps[0]?.finishReason).toBe('tool-calls');
      expect(r.text).toBe('It is sunny in sim');
      // The tool result went back to the upstream in its own protocol.
      expect(s.sim.received.at(-1)?.body).toContain('sunny');
    });

    it(`structured output on ${model}`, async () => {
      const json = encodeURIComponent(JSON.stringify({ name: 'Ada', year: 1815 }));
      const r = await generateText({
        model: provider()(model),
        prompt: `Who wrote the first program? [[sim:text=${json}]]`,
        output: Output.object({ schema: z.object({ name: z.string(), year: z.number() }) }),
      });
      expect(r.output).toEqual({ name: 'Ada', year: 1815 });
    });
  }
});
