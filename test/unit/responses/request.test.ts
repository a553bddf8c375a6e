/**
 * Responses requests → canonical (what Codex CLI and the SDKs send, from captures), and
 * canonical → a Responses upstream's request.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TranslationError } from '../../../functions/shared/protocol/errors.js';
import { encryptedFromThinking, signatureForResponsesItem } from '../../../functions/shared/protocol/responses/reasoning.js';
import { fromResponses } from '../../../functions/shared/protocol/responses/request-in.js';
import { toResponses } from '../../../functions/shared/protocol/responses/request-out.js';
import { responsesRecorded } from './fixtures.js';

type J = Record<string, unknown>;
const codex = (name: string): J[] =>
  (JSON.parse(readFileSync(new URL(`../../fixtures/codex/${name}.codex-0.171.0.json`, import.meta.url), 'utf8')) as { body: J }[]).map((r) => r.body);

describe('fromResponses', () => {
  it("Codex's first request: developer messages → system, function and namespace tools kept, hosted tools dropped with a note", () => {
    const body = codex('exec-plain-prompt')[0]!;
    const notes: string[] = [];
    const { req, kinds } = fromResponses(body, notes);
    expect(req.system.length).toBe(3); // one developer message with one part, one with two
    expect(req.system[0]?.text).toMatch(/^You are a coding agent/);
    expect(req.messages).toHaveLength(1);
    expect(req.messages[0]?.role).toBe('user');
    expect(req.messages[0]?.content.map((b) => (b.type === 'text' ? b.text : b.type)).at(-1)).toBe('Say hello');
    const names = req.tools.map((t) => t.name);
    expect(names).toContain('exec_command');
    expect(names).toContain('multi_agent_v1__spawn_agent');
    expect(kinds.namespaced.get('multi_agent_v1__spawn_agent')).toEqual({ namespace: 'multi_agent_v1', name: 'spawn_agent' });
    expect(notes).toContain("tool of type 'web_search' dropped: it runs only at OpenAI");
    expect(req.toolChoice).toEqual({ type: 'auto' });
  });

  it("Codex's tool turn: function_call + function_call_output → tool_use + tool_result with the call_id", () => {
    const body = codex('exec-shell-tool-call')[1]!;
    const { req } = fromResponses(body, []);
    const [, assistant, result] = req.messages;
    expect(assistant?.content).toEqual([{ type: 'tool_use', id: 'call_1', name: 'exec_command', input: { cmd: 'echo ezybus-shell-ok' } }]);
    expect(result?.content[0]).toMatchObject({ type: 'tool_result', tool_use_id: 'call_1' });
    expect(JSON.stringify(result?.content)).toContain('ezybus-shell-ok');
  });

  it('custom (freeform) tools become one-string-argument functions, and their calls come back', () => {
    const grammar = 'start: begin_patch hunk+ end_patch';
    const { req, kinds } = fromResponses(
      {
        model: 'm',
        tools: [{ type: 'custom', name: 'apply_patch', description: 'Apply a patch.', format: { type: 'grammar', syntax: 'lark', definition: grammar } }],
        tool_choice: { type: 'custom', name: 'apply_patch' },
        input: [
          { role: 'user', content: 'patch it' },
          { type: 'custom_tool_call', call_id: 'call_p', name: 'apply_patch', input: '*** Begin Patch\n*** End Patch' },
          { type: 'custom_tool_call_output', call_id: 'call_p', output: 'Done' },
        ],
      },
      [],
    );
    expect(kinds.custom.has('apply_patch')).toBe(true);
    expect(req.tools[0]).toMatchObject({ name: 'apply_patch', input_schema: { type: 'object', required: ['input'], properties: { input: { type: 'string' } } } });
    expect(req.tools[0]?.description).toContain(grammar);
    expect(req.toolChoice).toEqual({ type: 'tool', name: 'apply_patch' });
    expect(req.messages[1]?.content[0]).toEqual({ type: 'tool_use', id: 'call_p', name: 'apply_patch', input: { input: '*** Begin Patch\n*** End Patch' } });
    expect(req.messages[2]?.content[0]).toEqual({ type: 'tool_result', tool_use_id: 'call_p', content: 'Done' });
  });

  it('reasoning items EzyBus minted return as the exact signed thinking; OpenAI ones are dropped with a note', () => {
    const thinking = { type: 'thinking' as const, thinking: 'Let me think.', signature: 'sig-abc' };
    const notes: string[] = [];
    const { req } = fromResponses(
      {
        model: 'm',
        input: [
          { role: 'user', content: 'hi' },
          { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Let me think.' }], encrypted_content: encryptedFromThinking(thinking) },
          { type: 'reasoning', id: 'rs_2', summary: [], encrypted_content: encryptedFromThinking({ type: 'redacted_thinking', data: 'opaque' }) },
          { type: 'reasoning', id: 'rs_3', summary: [], encrypted_content: 'gAAAAABoxCyz-openai' },
          { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{"a":1}' },
        ],
      },
      notes,
    );
    expect(req.messages[1]?.content).toEqual([thinking, { type: 'redacted_thinking', data: 'opaque' }, { type: 'tool_use', id: 'c1', name: 'f', input: { a: 1 } }]);
    expect(notes.join()).toMatch(/OpenAI reasoning items dropped/);
  });

  it('string input, instructions, text.format, reasoning effort and max_output_tokens', () => {
    const { req } = fromResponses(
      { model: 'm', input: 'Hello', instructions: 'Be brief.', max_output_tokens: 300, reasoning: { effort: 'high' }, text: { format: { type: 'json_schema', name: 'City', schema: { type: 'object' } } }, parallel_tool_calls: false, temperature: 0.2 },
      [],
    );
    expect(req).toMatchObject({ system: [{ type: 'text', text: 'Be brief.' }], messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }], maxTokens: 300, reasoningEffort: 'high', json: { name: 'City', schema: { type: 'object' } }, parallelToolCalls: false, temperature: 0.2 });
  });

  it('images and files: data URLs become base64 sources, URLs stay URLs', () => {
    const { req } = fromResponses(
      {
        model: 'm',
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_image', image_url: 'data:image/png;base64,iVBOR', detail: 'auto' },
              { type: 'input_image', image_url: 'https://example.com/a.jpg' },
              { type: 'input_file', filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBER' },
            ],
          },
        ],
      },
      [],
    );
    expect(req.messages[0]?.content).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' } },
    ]);
  });

  it('stored state is a 400 that says what to send instead', () => {
    expect(() => fromResponses({ model: 'm', input: 'x', previous_response_id: 'resp_1' }, [])).toThrow(TranslationError);
    expect(() => fromResponses({ model: 'm', input: 'x', previous_response_id: 'resp_1' }, [])).toThrow(/Send the whole conversation in 'input'/);
    expect(() => fromResponses({ model: 'm', input: [{ type: 'item_reference', id: 'msg_1' }] }, [])).toThrow(/item_reference/);
    expect(() => fromResponses({ model: 'm', input: 'x', background: true }, [])).toThrow(/background/);
    // null is what SDKs send when unset (the pydantic-ai recording does): accepted.
    expect(() => fromResponses({ model: 'm', input: 'x', previous_response_id: null }, [])).not.toThrow();
  });

  it('bad input is a TranslationError (400), never a crash', () => {
    expect(() => fromResponses({ model: 'm', input: [{ role: 'tool', content: 'x' }] }, [])).toThrow(TranslationError);
    expect(() => fromResponses({ model: 'm', input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: '{nope' }] }, [])).toThrow(TranslationError);
    expect(() => fromResponses({ model: 'm', input: 42, tools: 'x', text: 7 }, [])).not.toThrow();
  });

  it('every recorded request translates', () => {
    for (const r of responsesRecorded()) {
      if (!r.request || r.path !== '/v1/responses') continue;
      const { req } = fromResponses(r.request, []);
      expect(req.messages.length, r.name).toBeGreaterThan(0);
    }
  });
});

describe('toResponses', () => {
  const o = { model: 'gpt-up', stream: true, maxTokensDefault: 4096 };

  it('asks for no storage and for encrypted reasoning, with flat function tools', () => {
    const notes: string[] = [];
    const body = toResponses(
      {
        system: [{ type: 'text', text: 'Sys' }],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'q' }] },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'why', signature: signatureForResponsesItem('rs_9', 'gAAAA-enc') },
              { type: 'thinking', thinking: 'claude', signature: 'anthropic-sig' },
              { type: 'text', text: 'calling' },
              { type: 'tool_use', id: 'call_1', name: 'f', input: { a: 1 } },
            ],
          },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'ok' }] },
        ],
        tools: [{ name: 'f', description: 'F', input_schema: { type: 'object' } }],
        toolChoice: { type: 'any' },
        stop: ['X'],
        maxTokens: 5,
        thinking: 2048,
      },
      o,
      notes,
    );
    expect(body).toMatchObject({
      model: 'gpt-up',
      instructions: 'Sys',
      store: false,
      include: ['reasoning.encrypted_content'],
      stream: true,
      max_output_tokens: 16,
      reasoning: { effort: 'low', summary: 'auto' },
      tool_choice: 'required',
      tools: [{ type: 'function', name: 'f', description: 'F', parameters: { type: 'object' }, strict: false }],
    });
    expect(body.input).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'q' }] },
      { type: 'reasoning', id: 'rs_9', summary: [{ type: 'summary_text', text: 'why' }], encrypted_content: 'gAAAA-enc' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'calling', annotations: [] }] },
      { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{"a":1}' },
      { type: 'function_call_output', call_id: 'call_1', output: 'ok' },
    ]);
    expect(notes.join('|')).toMatch(/thinking signed by another provider dropped/);
    expect(notes.join('|')).toMatch(/stop sequences dropped/);
  });
});

describe('stripOrgBoundReasoning', () => {
  it('removes encrypted reasoning and compaction items and keeps everything else', async () => {
    const { stripOrgBoundReasoning, isEncryptedContentRefusal } = await import('../../../functions/shared/protocol/responses/failover.js');
    const body = {
      model: 'm',
      input: [
        { role: 'user', content: 'q' },
        { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAAA' },
        { type: 'compaction', id: 'cmp_1', encrypted_content: 'gAAAA' },
        { type: 'reasoning', id: 'rs_2', summary: [{ type: 'summary_text', text: 's' }] },
        { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' },
      ],
      unknown_field: { kept: true },
    };
    const r = stripOrgBoundReasoning(JSON.stringify(body));
    expect(r.stripped).toBe(2);
    expect(JSON.parse(r.text)).toEqual({ ...body, input: [body.input[0], body.input[3], body.input[4]] });
    const plain = '{"model":"m", "input":"x"}';
    expect(stripOrgBoundReasoning(plain)).toEqual({ text: plain, stripped: 0 });
    expect(isEncryptedContentRefusal(400, '{"error":{"code":"invalid_encrypted_content","message":"The encrypted content could not be verified."}}')).toBe(true);
    expect(isEncryptedContentRefusal(400, '{"error":{"code":"decimal_below_min_value"}}')).toBe(false);
  });
});
