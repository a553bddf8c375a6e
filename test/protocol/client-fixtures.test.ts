/**
 * What real agent clients sent (test/fixtures/clients/, captured by test/integration/claude-code.test.ts
 * with EZYBUS_CAPTURE_CLIENTS=1), translated to every other upstream protocol.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planUpstreamRequest } from '../../functions/shared/protocol/translate.js';

type J = Record<string, unknown>;
const dir = new URL('../fixtures/clients/', import.meta.url).pathname;
const fixtures = readdirSync(dir)
  .filter((f) => f.startsWith('claude-code-') && f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(dir + f, 'utf8')) as { headers: Record<string, string>; body: J }] as const);

describe.each(fixtures)('%s', (_name, fx) => {
  const plan = (up: 'chat-completions' | 'generate-content', upstreamModel: string) => {
    const p = planUpstreamRequest('messages', up, fx.headers, { upstreamModel, publicModel: 'demo', stream: true, maxTokensDefault: 4096, request: fx.body });
    return { body: JSON.parse(p.body) as J, notes: p.notes };
  };
  const mids = (fx.body.messages as { role: string }[]).map((m, i) => (m.role === 'system' ? i : -1)).filter((i) => i >= 0);

  it('is what the test says it is: Claude Code’s billing header, a mid-conversation system message, adaptive thinking, effort', () => {
    expect(JSON.stringify((fx.body.system as J[])[0])).toContain('x-anthropic-billing-header');
    expect(mids.length).toBeGreaterThan(0);
    expect(fx.body).toMatchObject({ thinking: { type: 'adaptive' }, output_config: { effort: 'high' } });
  });

  it('→ Chat Completions: system messages where they were, no billing header, effort kept, every tool and tool result carried', () => {
    const { body, notes } = plan('chat-completions', 'gpt-5.4');
    const messages = body.messages as { role: string; content: unknown; tool_calls?: { id: string }[]; tool_call_id?: string }[];
    expect(messages[0]?.role).toBe('system');
    expect(messages.filter((m) => m.role === 'system').length).toBe(1 + mids.length);
    expect(JSON.stringify(body)).not.toContain('x-anthropic-billing-header');
    expect(notes.join('\n')).toContain('x-anthropic-billing-header');
    expect(body.reasoning_effort).toBe('high');
    expect((body.tools as unknown[]).length).toBe((fx.body.tools as { type?: string }[]).filter((t) => t.type === undefined || t.type === 'custom').length);
    const calls = messages.flatMap((m) => m.tool_calls ?? []).map((c) => c.id);
    for (const m of messages.filter((x) => x.role === 'tool')) expect(calls).toContain(m.tool_call_id);
  });

  it('→ generateContent: no billing header, system notes marked in place, thinking level from effort, tool results named', () => {
    const { body } = plan('generate-content', 'gemini-3-flash-preview');
    expect(JSON.stringify(body)).not.toContain('x-anthropic-billing-header');
    expect(JSON.stringify(body.contents)).toContain('<system>');
    expect(body.generationConfig).toMatchObject({ thinkingConfig: { thinkingLevel: 'HIGH' } });
    const parts = (body.contents as { parts: J[] }[]).flatMap((c) => c.parts);
    const called = new Set(parts.flatMap((p) => (p.functionCall ? [(p.functionCall as { name: string }).name] : [])));
    for (const p of parts) if (p.functionResponse) expect(called).toContain((p.functionResponse as { name: string }).name);
  });
});
