/**
 * pydantic-ai's `OpenAIResponsesModel` (Python, in .venv: test/python/requirements.txt) with an
 * OpenAIProvider whose base_url is a local EzyBus, on each demo model: a plain run, a streamed
 * run, a tool-using run whose tool the agent really calls, a nested structured output (pydantic's
 * `$defs`/`$ref`), and a thinking tool run whose signed thinking must reach the upstream again on
 * the second turn. pydantic-ai talks through a
 * recording proxy; `EZYBUS_CAPTURE_CLIENTS=1` keeps what it sent as fixtures in
 * test/fixtures/clients/ (replayed through the parser by test/protocol/responses-clients.test.ts).
 */
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEMO, DEMO_PROVIDERS } from '../helpers/demo.js';
import { useDemoStackBehindProxy } from '../helpers/recording-proxy.js';

const python = new URL('../../.venv/bin/python', import.meta.url).pathname;

const t = useDemoStackBehindProxy({ EZYBUS_HEARTBEAT_MS: '20' });

interface Result {
  plain: { output: string; input_tokens: number; output_tokens: number; requests: number };
  stream: { text: string; deltas: number };
  tool: { output: string; seen: string[]; requests: number; parts: string[] };
  thinking: { output: string; signed: boolean[] };
  structured: unknown;
}

describe.skipIf(!existsSync(python) && !process.env.CI)('pydantic-ai OpenAIResponsesModel through EzyBus', () => {
  it('a plain run, a streamed run and a tool-using run on each demo model', async () => {
    const script = new URL('../python/pydantic_ai_check.py', import.meta.url).pathname;
    const models = DEMO_PROVIDERS.map((p) => DEMO[p]);
    const { stdout } = await promisify(execFile)(python, [script, ...models], { env: { ...process.env, EZYBUS_URL: t.proxy.url, EZYBUS_KEY: t.s.key }, timeout: 120_000 });
    const out = JSON.parse(stdout) as Record<string, Result>;
    for (const model of models) {
      const r = out[model]!;
      expect(r.plain, model).toMatchObject({ output: 'Hello from pydantic-ai', requests: 1 });
      expect(r.plain.input_tokens).toBeGreaterThan(0);
      expect(r.plain.output_tokens).toBeGreaterThan(0);
      expect(r.stream.text.split(' ')).toHaveLength(12);
      expect(r.stream.deltas).toBeGreaterThan(3);
      expect(r.tool).toMatchObject({ output: 'It is sunny in sim', seen: ['sim'], requests: 2 });
      expect(r.tool.parts).toEqual(expect.arrayContaining(['tool-call', 'tool-return']));
      expect(r.thinking.output).toBe('Done thinking');
      // A nested output model: its schema's $defs/$ref reach Gemini inlined, not refused.
      expect(r.structured, model).toEqual({ city: { name: 'Oslo', country: 'Norway' }, days: 3 });
    }
    // With a reasoning profile pydantic-ai asks for encrypted reasoning and sends it back: the
    // upstream gets its own signed thinking (Anthropic) or thought signature (Gemini) again.
    expect(out[DEMO.anthropic]!.thinking.signed).toContain(true);
    expect(out[DEMO.gemini]!.thinking.signed).toContain(true);
    const upstream = t.s.sim.received.map((r) => r.body).filter((b) => b.includes('found sim'));
    expect(upstream.some((b) => /"type":"thinking","thinking":"[^"]+","signature":"c2ltLXNpZ25hdHVyZS/.test(b))).toBe(true);
    expect(upstream.some((b) => /"functionCall":\{"name":"lookup","args":\{[^}]*\}\},"thoughtSignature":"c2ltLXRob3VnaHQt/.test(b))).toBe(true);
    const sent = t.proxy.requests.filter((r) => r.path === '/v1/responses').map((r) => JSON.parse(r.body) as Record<string, unknown>);
    // Per model: plain, stream, tool call, tool result, structured, thinking tool call, thinking tool result.
    expect(sent).toHaveLength(7 * models.length);
    expect(JSON.stringify(sent[4]?.tools)).toContain('"$ref":"#/$defs/City"');
    expect(sent[5]).toMatchObject({ include: ['reasoning.encrypted_content'], reasoning: { effort: 'low' } });
    expect(sent[0]).toMatchObject({ model: DEMO.openai, instructions: 'Be brief.' });
    expect(JSON.stringify(sent[3]?.input)).toContain('function_call_output');
    if (process.env.EZYBUS_CAPTURE_CLIENTS === '1') {
      const { stdout: version } = await promisify(execFile)(python, ['-c', 'import importlib.metadata as m; print(m.version("pydantic-ai-slim"))']);
      const names = ['plain', 'stream', 'tool-call', 'tool-result', 'structured', 'thinking-tool-call', 'thinking-tool-result'];
      const at = 7 * DEMO_PROVIDERS.indexOf('anthropic');
      t.proxy.requests.filter((r) => r.path === '/v1/responses').slice(at, at + 7).forEach((r, i) => {
        const headers = Object.fromEntries(Object.entries(r.headers).filter(([k]) => k === 'content-type' || k === 'x-stainless-lang' || k === 'user-agent'));
        const doc = { client: `pydantic-ai ${version.trim()} (PyPI pydantic-ai-slim[openai]), OpenAIResponsesModel`, method: r.method, path: r.path, headers, body: JSON.parse(r.body) as unknown };
        writeFileSync(new URL(`../fixtures/clients/pydantic-ai-${version.trim()}.${names[i]}.json`, import.meta.url), `${JSON.stringify(doc, null, 1)}\n`);
      });
    }
  }, 180_000);
});
