/**
 * What LangChain (`ChatOpenAI({ useResponsesApi: true })`) and pydantic-ai
 * (`OpenAIResponsesModel`) really sent to /v1/responses (test/fixtures/clients/, captured by
 * test/clients/*.test.ts with EZYBUS_CAPTURE_CLIENTS=1), replayed through the parser and planned
 * for every upstream protocol. Shapes these clients have that Codex's captures do not: string
 * content inside `type: "message"` items, `text: {}`, `strict: null`, `$schema` in tool
 * parameters, pydantic's `$defs`/`$ref` in an output tool's parameters, function calls sent back
 * without their `fc_` id, and EzyBus-minted reasoning items sent back with `include` and without
 * `store: false`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromResponses } from '../../functions/shared/protocol/responses/request-in.js';
import { planUpstreamRequest } from '../../functions/shared/protocol/translate.js';

type J = Record<string, unknown>;
const dir = new URL('../fixtures/clients/', import.meta.url).pathname;
const load = (prefix: string): [string, J][] =>
  readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    .map((f) => [f, (JSON.parse(readFileSync(dir + f, 'utf8')) as { body: J }).body]);
const fixtures = [...load('langchain-'), ...load('pydantic-ai-')];
const one = (suffix: string): J => fixtures.find(([f]) => f.endsWith(suffix))![1];

const UPSTREAMS = [
  ['chat-completions', 'gpt-4o'],
  ['messages', 'claude-sonnet-4-5'],
  ['generate-content', 'gemini-2.5-flash'],
] as const;

describe('captured LangChain and pydantic-ai requests', () => {
  it('are all there (both clients, every scenario)', () => {
    expect(fixtures.map(([f]) => f.replace(/-\d[\d.]*\./, '.')).sort()).toEqual([
      'langchain.invoke.json',
      'langchain.stream.json',
      'langchain.structured.json',
      'langchain.tool-result.json',
      'pydantic-ai.plain.json',
      'pydantic-ai.stream.json',
      'pydantic-ai.structured.json',
      'pydantic-ai.thinking-tool-call.json',
      'pydantic-ai.thinking-tool-result.json',
      'pydantic-ai.tool-call.json',
      'pydantic-ai.tool-result.json',
    ]);
  });

  describe.each(fixtures)('%s', (_name, body) => {
    it.each(UPSTREAMS)('plans for %s without a note about anything these clients rely on', (up, model) => {
      const p = planUpstreamRequest('responses', up, {}, { upstreamModel: model, publicModel: 'demo', stream: body.stream === true, maxTokensDefault: 4096, request: body });
      const out = JSON.parse(p.body) as J;
      const text = JSON.stringify(out);
      // The user's words reach every upstream, and no client-only field leaks into its body.
      const first = (body.input as J[])[0]!;
      expect(text).toContain(JSON.stringify(String(first.content)).slice(1, 30));
      for (const f of ['include', 'strict', 'store', 'instructions', 'text']) expect(Object.keys(out)).not.toContain(f);
      // Nothing of what they sent is lost (thinking on a Chat Completions upstream is, by design).
      expect(p.notes.filter((n) => /content part|input item|tool of type|tool_choice|reasoning items dropped/.test(n))).toEqual([]);
    });
  });

  it('LangChain: string content in a typed message item, strict: null and $schema in parameters', () => {
    const { req } = fromResponses(one('langchain-1.6.0.tool-result.json'), []);
    expect(req.messages.map((m) => m.content.map((b) => b.type))).toEqual([['text'], ['tool_use'], ['tool_result']]);
    expect(req.tools[0]).toMatchObject({ name: 'weather', description: 'Weather for a city' });
    const gemini = JSON.parse(planUpstreamRequest('responses', 'generate-content', {}, { upstreamModel: 'g', publicModel: 'demo', stream: false, maxTokensDefault: 4096, request: one('langchain-1.6.0.tool-result.json') }).body) as { tools: { functionDeclarations: { parameters: J }[] }[] };
    // Gemini's OpenAPI subset refuses $schema and additionalProperties: they are removed.
    expect(Object.keys(gemini.tools[0]!.functionDeclarations[0]!.parameters).sort()).toEqual(['properties', 'required', 'type']);
  });

  it('LangChain: withStructuredOutput’s json_schema format is the target’s structured output', () => {
    const { req } = fromResponses(one('langchain-1.6.0.structured.json'), []);
    expect(req.json).toMatchObject({ name: 'person', schema: { type: 'object', required: ['name', 'year'] } });
  });

  it('pydantic-ai: instructions become the system prompt; a function_call without its item id still pairs with its output', () => {
    expect(fromResponses(one('pydantic-ai-2.68.0.plain.json'), []).req.system).toEqual([{ type: 'text', text: 'Be brief.' }]);
    const { req } = fromResponses(one('pydantic-ai-2.68.0.tool-result.json'), []);
    const use = req.messages[1]!.content[0] as { type: string; id: string };
    const result = req.messages[2]!.content[0] as { type: string; tool_use_id: string };
    expect(use.type).toBe('tool_use');
    expect(result.tool_use_id).toBe(use.id);
  });

  it('pydantic-ai: a nested output model’s $defs/$ref reach Gemini inlined, and the other targets as sent', () => {
    const body = one('pydantic-ai-2.68.0.structured.json');
    expect(JSON.stringify(body.tools)).toContain('"$ref":"#/$defs/City"');
    const plan = (up: 'generate-content' | 'messages') => planUpstreamRequest('responses', up, {}, { upstreamModel: 'm', publicModel: 'demo', stream: false, maxTokensDefault: 4096, request: body }).body;
    const gemini = JSON.parse(plan('generate-content')) as { tools: { functionDeclarations: { name: string; parameters: { properties: { city: J } } }[] }[] };
    const decl = gemini.tools[0]!.functionDeclarations.find((d) => d.name === 'final_result')!;
    expect(decl.parameters.properties.city).toMatchObject({ type: 'object', properties: { name: { type: 'string' }, country: { type: 'string' } } });
    expect(JSON.stringify(gemini.tools)).not.toContain('"$ref"');
    expect(plan('messages')).toContain('"$ref":"#/$defs/City"');
  });

  it('pydantic-ai: the reasoning item it sends back (include, no store: false) is the exact signed thinking again', () => {
    const body = one('pydantic-ai-2.68.0.thinking-tool-result.json');
    expect(body.include).toEqual(['reasoning.encrypted_content']);
    expect(body.store).toBeUndefined();
    const { req } = fromResponses(body, []);
    expect(req.messages[1]!.content[0]).toMatchObject({ type: 'thinking', signature: expect.stringMatching(/^c2ltLXNpZ25hdHVyZS/) as unknown });
    const anthropic = JSON.parse(planUpstreamRequest('responses', 'messages', {}, { upstreamModel: 'c', publicModel: 'demo', stream: false, maxTokensDefault: 4096, request: body }).body) as { messages: { content: J[] }[]; thinking?: J };
    expect(anthropic.messages[1]!.content.map((b) => b.type)).toEqual(['thinking', 'tool_use']);
    expect(anthropic.thinking).toBeDefined();
  });
});
