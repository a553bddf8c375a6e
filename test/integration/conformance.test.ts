/**
 * The conformance matrix: each client protocol × each upstream protocol × each case, through
 * the official SDKs (Node, and Python for the basics) against the gateway and the simulator.
 * Every cell is a test asserting on what the SDK parsed; when the whole matrix has run, the
 * results are written to docs/conformance.md, so the table in the repository is produced by
 * the tests rather than claimed by hand.
 */
import Anthropic from '@anthropic-ai/sdk';
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setRoute } from '../../functions/shared/admin/ops.js';
import { startStack, type Stack } from '../helpers/stack.js';

type Client = 'openai' | 'anthropic';
type Upstream = 'openai' | 'anthropic' | 'gemini';
const CLIENTS: Client[] = ['openai', 'anthropic'];
const UPSTREAMS: Upstream[] = ['openai', 'anthropic', 'gemini'];
const CASES = ['text', 'text stream', 'tool round trip', 'parallel tool calls', 'thinking + tools round trip', 'image', 'cached prompt usage', 'Python SDK'] as const;
type Case = (typeof CASES)[number];

let s: Stack;
const results = new Map<string, boolean>();
const python = new URL('../../.venv/bin/python', import.meta.url).pathname;

beforeAll(async () => {
  s = await startStack();
  for (const up of UPSTREAMS) await setRoute(`c-${up}`, [{ upstream: `sim-${up}`, model: `${up}-upstream-model` }]);
});
afterAll(async () => {
  await s?.close();
  if (results.size !== CLIENTS.length * UPSTREAMS.length * CASES.length) return; // a filtered run: leave the table alone
  const rows = CLIENTS.flatMap((c) =>
    UPSTREAMS.map((u) => `| ${c === 'openai' ? 'OpenAI Chat Completions' : 'Anthropic Messages'} | ${u} ${c === u ? '(pass-through)' : '(translated)'} | ${CASES.map((k) => (results.get(`${c}|${u}|${k}`) ? '✅' : '❌')).join(' | ')} |`),
  );
  writeFileSync(
    new URL('../../docs/conformance.md', import.meta.url),
    [
      '# Conformance',
      '',
      'Written by `test/integration/conformance.test.ts` whenever the whole matrix runs (`npm test`): each cell is one test that drives the',
      'official SDK for the client protocol through the gateway to the simulator speaking the upstream protocol, and asserts on what',
      'the SDK parsed. ✅ passed, ❌ failed in the run that wrote this file. Recorded provider traffic is replayed separately in',
      '`test/protocol/replay.test.ts` (every fixture in test/fixtures/real, every client protocol, with snapshots and byte-boundary',
      'property tests).',
      '',
      `| client | upstream | ${CASES.join(' | ')} |`,
      `|---|---|${CASES.map(() => '---').join('|')}|`,
      ...rows,
      '',
      'What each case checks:',
      '',
      '- **text**: a non-stream answer with its stop reason and usage; **text stream**: the SDK’s stream helper assembles the text and the final usage.',
      '- **tool round trip**: a tool call with parsed arguments, then the tool result on the next turn reaching the upstream.',
      '- **parallel tool calls**: two calls in one turn with distinct ids, both results sent back.',
      '- **thinking + tools round trip**: thinking requested in the client’s terms (`reasoning_effort`, `thinking`); thinking text reaches',
      '  the client where the upstream returns it (`reasoning_content` for OpenAI-format clients), and the signature (Anthropic) or',
      '  thought signature (Gemini) comes back to the upstream on the next turn with the tool result.',
      '- **image**: a base64 image reaches the upstream in its own form.',
      '- **cached prompt usage**: the second call with the same long prefix reports cached tokens in the client’s usage fields.',
      '- **Python SDK**: Python’s `openai` / `anthropic` SDK, stream and non-stream.',
      '',
    ].join('\n'),
  );
});

function cell(client: Client, up: Upstream, name: Case, fn: () => Promise<void>): void {
  it(`${client} client → ${up} upstream: ${name}`, async () => {
    results.set(`${client}|${up}|${name}`, false);
    await fn();
    results.set(`${client}|${up}|${name}`, true);
  });
}

const lastUpstreamBody = (): string => s.sim.received[s.sim.received.length - 1]!.body;
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const LONG = 'You are a meticulous assistant. '.repeat(180); // ≈ 1,400 tokens: long enough to cache
const weather = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } as const;
const time = { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'], additionalProperties: false } as const;

const pyRuns = new Map<Upstream, Promise<Record<string, Record<string, unknown> | null>>>();
function runPython(up: Upstream): Promise<Record<string, Record<string, unknown> | null>> {
  let r = pyRuns.get(up);
  if (!r) {
    const script = new URL('../python/sdk_check.py', import.meta.url).pathname;
    r = promisify(execFile)(python, [script, `c-${up}`, `c-${up}`], { env: { ...process.env, EZYBUS_URL: s.url, EZYBUS_KEY: s.key }, timeout: 60_000 }).then(
      ({ stdout }) => JSON.parse(stdout) as Record<string, Record<string, unknown> | null>,
    );
    pyRuns.set(up, r);
  }
  return r;
}

for (const up of UPSTREAMS) {
  describe(`OpenAI SDK → ${up}`, () => {
    const model = `c-${up}`;
    const oa = (): OpenAI => new OpenAI({ baseURL: `${s.url}/v1`, apiKey: s.key, maxRetries: 0 });
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: weather } },
      { type: 'function', function: { name: 'get_time', description: 'Time in a zone', parameters: time } },
    ];

    cell('openai', up, 'text', async () => {
      const r = await oa().chat.completions.create({ model, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }] });
      expect(r.choices[0]?.message.content?.length).toBeGreaterThan(0);
      expect(r.choices[0]?.finish_reason).toBe('stop');
      expect(r.usage?.prompt_tokens).toBeGreaterThan(0);
    });

    cell('openai', up, 'text stream', async () => {
      const stream = await oa().chat.completions.create({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Hello' }] });
      let text = '';
      let usage: OpenAI.CompletionUsage | null | undefined;
      for await (const c of stream) {
        text += c.choices[0]?.delta.content ?? '';
        if (c.usage) usage = c.usage;
      }
      expect(text.length).toBeGreaterThan(5);
      expect(usage?.completion_tokens).toBeGreaterThan(0);
    });

    const roundTrip = async (n: number): Promise<void> => {
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: `Weather and time? [[sim:tools=${n}]]` }];
      const first = await oa().chat.completions.create({ model, tools, messages });
      const msg = first.choices[0]!.message;
      expect(first.choices[0]?.finish_reason).toBe('tool_calls');
      const calls = (msg.tool_calls ?? []).filter((c) => c.type === 'function');
      expect(calls).toHaveLength(n);
      expect(new Set(calls.map((c) => c.id)).size).toBe(n);
      for (const c of calls) expect(Object.values(JSON.parse(c.function.arguments) as object)).toEqual(['sim']);
      messages.push(msg);
      for (const c of calls) messages.push({ role: 'tool', tool_call_id: c.id, content: `result-${c.function.name}` });
      messages.push({ role: 'user', content: 'Thanks [[sim:tools=0]]' });
      const second = await oa().chat.completions.create({ model, tools, messages });
      expect(second.choices[0]?.message.content?.length).toBeGreaterThan(0);
      for (const c of calls) expect(lastUpstreamBody()).toContain(`result-${c.function.name}`);
    };
    cell('openai', up, 'tool round trip', () => roundTrip(1));
    cell('openai', up, 'parallel tool calls', () => roundTrip(2));

    cell('openai', up, 'thinking + tools round trip', async () => {
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather? [[sim:tool=1&thinking=1]]' }];
      const first = await oa().chat.completions.create({ model, tools, reasoning_effort: 'low', messages });
      const msg = first.choices[0]!.message as OpenAI.ChatCompletionMessage & { reasoning_content?: string };
      if (up === 'openai') expect(first.usage?.completion_tokens_details?.reasoning_tokens).toBeGreaterThan(0);
      else expect(msg.reasoning_content?.length).toBeGreaterThan(0);
      const call = msg.tool_calls?.[0];
      expect(call?.type).toBe('function');
      messages.push(msg, { role: 'tool', tool_call_id: call!.id, content: '18°C' }, { role: 'user', content: '[[sim:tool=0]]' });
      const second = await oa().chat.completions.create({ model, tools, reasoning_effort: 'low', messages });
      expect(second.choices[0]?.message.content?.length).toBeGreaterThan(0);
      const body = lastUpstreamBody();
      expect(body).toContain('18°C');
      if (up === 'anthropic') expect(body).toMatch(/"type":"thinking","thinking":"[^"]+","signature":"[^"]+"/);
      if (up === 'gemini') expect(body).toMatch(/"thoughtSignature":"[^"]+"/);
    });

    cell('openai', up, 'image', async () => {
      const r = await oa().chat.completions.create({
        model,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] }],
      });
      expect(r.choices[0]?.message.content?.length).toBeGreaterThan(0);
      const body = lastUpstreamBody();
      expect(body).toContain(PNG);
      if (up === 'anthropic') expect(body).toMatch(/"type":"image","source":\{"type":"base64","media_type":"image\/png"/);
      if (up === 'gemini') expect(body).toMatch(/"inlineData":\{"mimeType":"image\/png"/);
    });

    cell('openai', up, 'cached prompt usage', async () => {
      // cache_control on a content part reaches Claude; OpenAI and Gemini cache long prefixes on their own.
      const system = { role: 'system' as const, content: [{ type: 'text' as const, text: LONG, ...(up === 'anthropic' ? { cache_control: { type: 'ephemeral' } } : {}) }] };
      const ask = (q: string): Promise<OpenAI.ChatCompletion> => oa().chat.completions.create({ model, messages: [system as OpenAI.ChatCompletionSystemMessageParam, { role: 'user', content: q }] });
      await ask('First question');
      const second = await ask('Second question');
      expect(second.usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThan(1000);
    });

    cell('openai', up, 'Python SDK', async () => {
      if (!existsSync(python)) throw new Error('Python SDKs not installed (.venv)');
      const out = await runPython(up);
      expect(out.openai_nonstream).toMatchObject({ finish: 'stop' });
      expect((out.openai_stream as { content: string }).content.length).toBeGreaterThan(0);
      expect((out.openai_stream as { completion_tokens: number }).completion_tokens).toBeGreaterThan(0);
    });
  });

  describe(`Anthropic SDK → ${up}`, () => {
    const model = `c-${up}`;
    const an = (): Anthropic => new Anthropic({ baseURL: s.url, apiKey: s.key, maxRetries: 0 });
    const tools: Anthropic.Tool[] = [
      { name: 'get_weather', description: 'Weather for a city', input_schema: weather as unknown as Anthropic.Tool.InputSchema },
      { name: 'get_time', description: 'Time in a zone', input_schema: time as unknown as Anthropic.Tool.InputSchema },
    ];

    cell('anthropic', up, 'text', async () => {
      const m = await an().messages.create({ model, max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: 'Hello' }] });
      expect(m.content[0]?.type).toBe('text');
      expect(m.stop_reason).toBe('end_turn');
      expect(m.usage.input_tokens).toBeGreaterThan(0);
    });

    cell('anthropic', up, 'text stream', async () => {
      const st = an().messages.stream({ model, max_tokens: 100, messages: [{ role: 'user', content: 'Hello' }] });
      let text = '';
      st.on('text', (t) => (text += t));
      const final = await st.finalMessage();
      expect(text.length).toBeGreaterThan(5);
      expect(final.stop_reason).toBe('end_turn');
      expect(final.usage.output_tokens).toBeGreaterThan(0);
    });

    const roundTrip = async (n: number): Promise<void> => {
      const first = await an().messages.stream({ model, max_tokens: 300, tools, messages: [{ role: 'user', content: `Weather and time? [[sim:tools=${n}]]` }] }).finalMessage();
      expect(first.stop_reason).toBe('tool_use');
      const calls = first.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
      expect(calls).toHaveLength(n);
      expect(new Set(calls.map((c) => c.id)).size).toBe(n);
      for (const c of calls) expect(Object.values(c.input as object)).toEqual(['sim']);
      const second = await an().messages.create({
        model,
        max_tokens: 300,
        tools,
        messages: [
          { role: 'user', content: 'Weather and time?' },
          { role: 'assistant', content: first.content },
          { role: 'user', content: [...calls.map((c) => ({ type: 'tool_result' as const, tool_use_id: c.id, content: `result-${c.name}` })), { type: 'text' as const, text: '[[sim:tools=0]]' }] },
        ],
      });
      expect(second.content.some((b) => b.type === 'text')).toBe(true);
      for (const c of calls) expect(lastUpstreamBody()).toContain(`result-${c.name}`);
    };
    cell('anthropic', up, 'tool round trip', () => roundTrip(1));
    cell('anthropic', up, 'parallel tool calls', () => roundTrip(2));

    cell('anthropic', up, 'thinking + tools round trip', async () => {
      const thinking = { type: 'enabled' as const, budget_tokens: 1024 };
      const first = await an().messages.stream({ model, max_tokens: 2048, thinking, tools, messages: [{ role: 'user', content: 'Weather? [[sim:tool=1&thinking=1]]' }] }).finalMessage();
      const think = first.content.find((b) => b.type === 'thinking');
      if (up === 'openai') expect(lastUpstreamBody()).toMatch(/"reasoning_effort":"\w+"/); // OpenAI returns no thinking text
      else expect(think?.type === 'thinking' && think.thinking.length).toBeGreaterThan(0);
      // Claude signs the thinking block; Gemini signs the function call, carried in the tool id.
      if (up === 'anthropic') expect(think?.type === 'thinking' && think.signature.length).toBeGreaterThan(0);
      const call = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
      expect(call).toBeDefined();
      const second = await an().messages.create({
        model,
        max_tokens: 2048,
        thinking,
        tools,
        messages: [
          { role: 'user', content: 'Weather?' },
          { role: 'assistant', content: first.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: call!.id, content: '18°C' }, { type: 'text', text: '[[sim:tool=0]]' }] },
        ],
      });
      expect(second.content.some((b) => b.type === 'text')).toBe(true);
      const body = lastUpstreamBody();
      expect(body).toContain('18°C');
      if (up === 'anthropic' && think?.type === 'thinking') expect(body).toContain(think.signature);
      if (up === 'gemini') expect(body).toMatch(/"thoughtSignature":"[^"]+"/);
    });

    cell('anthropic', up, 'image', async () => {
      const m = await an().messages.create({
        model,
        max_tokens: 100,
        messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }, { type: 'text', text: 'What is this?' }] }],
      });
      expect(m.content[0]?.type).toBe('text');
      const body = lastUpstreamBody();
      expect(body).toContain(PNG);
      if (up === 'openai') expect(body).toContain(`"url":"data:image/png;base64,${PNG}"`);
      if (up === 'gemini') expect(body).toMatch(/"inlineData":\{"mimeType":"image\/png"/);
    });

    cell('anthropic', up, 'cached prompt usage', async () => {
      const ask = (q: string): Promise<Anthropic.Message> =>
        an().messages.create({ model, max_tokens: 100, system: [{ type: 'text', text: LONG, cache_control: { type: 'ephemeral' } }], messages: [{ role: 'user', content: q }] });
      const first = await ask('First question');
      if (up === 'anthropic') expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(1000);
      const second = await ask('Second question');
      expect(second.usage.cache_read_input_tokens).toBeGreaterThan(1000);
    });

    cell('anthropic', up, 'Python SDK', async () => {
      if (!existsSync(python)) throw new Error('Python SDKs not installed (.venv)');
      const out = await runPython(up);
      expect(out.anthropic_nonstream).toMatchObject({ stop: 'end_turn' });
      expect((out.anthropic_stream as { text: string }).text.length).toBeGreaterThan(0);
      expect(out.anthropic_401).toEqual({ status: 401, type: 'authentication_error' });
    });
  });
}
