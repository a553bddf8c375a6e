/**
 * Recorded count_tokens requests replayed request by request — same path, query string, betas
 * and body — through `POST /v1/messages/count_tokens` on each demo model: what Claude Code sends
 * for `/context` (test/fixtures/clients/count-tokens/, captured by
 * test/integration/claude-code-interactive.test.ts), and the two real Anthropic count_tokens
 * calls pydantic-ai recorded (test/fixtures/real/anthropic/nonstream-count-tokens-*).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { promptTokens } from '../../local/sim/tokenizer.js';
import { DEMO, addDemoRoutes } from '../helpers/demo.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { FIXTURES } from '../protocol/fixtures.js';

type J = Record<string, unknown>;
interface Captured {
  client: string;
  requests: { path: string; query: string; headers: Record<string, string>; body: J }[];
}

const dir = new URL('../fixtures/clients/count-tokens/', import.meta.url).pathname;
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(dir + f, 'utf8')) as Captured] as const);

let s: Stack;
beforeAll(async () => {
  s = await startStack();
  await addDemoRoutes();
});
afterAll(async () => s?.close());

async function count(req: Captured['requests'][number], model: string): Promise<{ status: number; answer: J }> {
  const res = await fetch(`${s.url}${req.path}${req.query ? `?${req.query}` : ''}`, {
    method: 'POST',
    headers: { ...req.headers, 'x-api-key': s.key },
    body: JSON.stringify({ ...req.body, model }),
  });
  return { status: res.status, answer: (await res.json()) as J };
}

const probe = (body: J): boolean => JSON.stringify(body.messages) === '[{"role":"user","content":"foo"}]';

describe.each(fixtures)('%s', (_name, fx) => {
  it('is what the test says: the system prompt in sections, then one request per tool against a tool-less baseline', () => {
    expect(fx.requests.length).toBeGreaterThanOrEqual(10);
    expect(fx.requests.every((r) => r.path === '/v1/messages/count_tokens' && r.query === 'beta=true')).toBe(true);
    expect(fx.requests.some((r) => probe(r.body) && (r.body.tools as unknown[]).length === 0)).toBe(true);
    expect(fx.requests.filter((r) => probe(r.body) && (r.body.tools as unknown[]).length > 0).length).toBeGreaterThanOrEqual(5);
  });

  it.each(Object.entries(DEMO))('on the %s route: every request answered 200 {input_tokens}, each tool counted', async (upstream, model) => {
    const answers: { body: J; n: number }[] = [];
    for (const req of fx.requests) {
      const { status, answer } = await count(req, model);
      expect(status).toBe(200);
      expect(Object.keys(answer)).toEqual(['input_tokens']);
      const n = answer.input_tokens as number;
      expect(Number.isInteger(n) && n > 0).toBe(true);
      // The pass-through answer is the upstream's own count of the client's own body.
      if (upstream === 'anthropic') expect(n).toBe(promptTokens('anthropic', { ...req.body, model: 'sim-anthropic-model' }));
      answers.push({ body: req.body, n });
    }
    const baseline = answers.find((a) => probe(a.body) && (a.body.tools as unknown[]).length === 0)!;
    for (const a of answers.filter((x) => probe(x.body) && (x.body.tools as unknown[]).length > 0)) expect(a.n).toBeGreaterThan(baseline.n);
  });
});

interface Interaction {
  request: { uri: string; parsed_body: J };
  response: { status: { code: number }; parsed_body: J };
}
const real = readdirSync(`${FIXTURES}anthropic/`)
  .filter((f) => f.startsWith('nonstream-count-tokens-'))
  .map((f) => [f, (parse(readFileSync(`${FIXTURES}anthropic/${f}`, 'utf8')) as { interactions: Interaction[] }).interactions] as const);

describe.each(real)('recorded %s', (_name, [counting, generation]) => {
  const url = new URL(counting!.request.uri);
  const req = { path: url.pathname, query: url.search.slice(1), headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: counting!.request.parsed_body };

  it('Anthropic’s count is the whole input of the same request’s generation, cached or not', () => {
    expect(req.path).toBe('/v1/messages/count_tokens');
    const u = generation!.response.parsed_body.usage as Record<string, number>;
    expect(counting!.response.parsed_body.input_tokens).toBe((u.input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0));
  });

  it.each(Object.entries(DEMO))('on the %s route: 200 in the recorded answer’s shape', async (upstream, model) => {
    const { status, answer } = await count(req, model);
    expect(status).toBe(200);
    expect(Object.keys(answer)).toEqual(Object.keys(counting!.response.parsed_body));
    if (upstream === 'anthropic') {
      // Passed through: every field the client sent (top-level cache_control, thinking, tool_choice) arrives.
      const got = s.sim.received.at(-1)!;
      expect(got.query).toBe(req.query);
      expect(Object.keys(JSON.parse(got.body) as J).sort()).toEqual(Object.keys(req.body).sort());
    }
  });
});
