/**
 * Property tests of every translator: an arbitrary well-formed request translates to every other
 * upstream without throwing (into JSON that parses); an arbitrary malformed one either translates
 * or is refused with the protocol's 400 (a TranslationError) — never any other error, which would
 * be a 500. Upstream streams of arbitrary bytes never make a stream translator throw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TranslationError } from '../../functions/shared/protocol/errors.js';
import { createStreamTranslator, planUpstreamRequest, translateResponseBody } from '../../functions/shared/protocol/translate.js';
import { WIRE_PROTOCOLS, type WireProtocol } from '../../functions/shared/protocol/wire.js';

type J = Record<string, unknown>;
const CLIENTS = ['chat-completions', 'messages'] as const;
const others = (c: WireProtocol): WireProtocol[] => WIRE_PROTOCOLS.filter((p) => p !== c);
const plan = (client: WireProtocol, upstream: WireProtocol, request: unknown): void => {
  const p = planUpstreamRequest(client, upstream, {}, { upstreamModel: 'gemini-3-flash', publicModel: 'pub', stream: true, maxTokensDefault: 1024, request: request as J });
  JSON.parse(p.body);
};

const text = fc.string({ maxLength: 20 });
const name = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,15}$/);
const schema = fc.record({ type: fc.constant('object'), properties: fc.dictionary(name, fc.record({ type: fc.constantFrom('string', 'number', 'boolean') }), { maxKeys: 3 }) });
const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** A Messages conversation: user turns (text, images, results of the previous turn's calls), assistant turns (text, thinking, calls), system notes. */
const messagesRequest = fc
  .record({
    turns: fc.array(
      fc.record({
        say: text,
        image: fc.boolean(),
        calls: fc.array(fc.record({ tool: name, input: fc.dictionary(name, fc.jsonValue(), { maxKeys: 3 }) }), { maxLength: 2 }),
        result: fc.oneof(fc.constant(undefined), text, fc.constant([] as unknown[])),
        note: fc.option(text, { nil: undefined }),
        thinking: fc.boolean(),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    tools: fc.array(fc.record({ name, description: fc.option(text, { nil: undefined }), input_schema: schema }), { maxLength: 3 }),
    system: fc.option(fc.oneof(text, fc.array(fc.record({ type: fc.constant('text'), text }), { maxLength: 2 })), { nil: undefined }),
    effort: fc.option(fc.constantFrom('low', 'medium', 'high', 'max'), { nil: undefined }),
    stream: fc.boolean(),
  })
  .map(({ turns, tools, system, effort, stream }) => {
    const messages: J[] = [];
    let pending: string[] = [];
    turns.forEach((t, i) => {
      const user: J[] = pending.map((id) => ({ type: 'tool_result', tool_use_id: id, ...(t.result === undefined ? {} : { content: t.result }) }));
      user.push({ type: 'text', text: t.say });
      if (t.image) user.push({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } });
      messages.push({ role: 'user', content: user });
      if (t.note !== undefined) messages.push({ role: 'system', content: t.note });
      pending = t.calls.map((_, j) => `toolu_${i}_${j}`);
      const assistant: J[] = [];
      if (t.thinking) assistant.push({ type: 'thinking', thinking: t.say, signature: 'sig' });
      assistant.push({ type: 'text', text: t.say });
      t.calls.forEach((c, j) => assistant.push({ type: 'tool_use', id: `toolu_${i}_${j}`, name: c.tool, input: c.input }));
      if (i < turns.length - 1) messages.push({ role: 'assistant', content: assistant });
      else pending = [];
    });
    return { model: 'm', max_tokens: 256, messages, tools, stream, ...(system === undefined ? {} : { system }), ...(effort ? { thinking: { type: 'adaptive' }, output_config: { effort } } : {}) };
  });

/** A Chat Completions conversation with system messages, images, tool calls and their answers. */
const chatRequest = fc
  .record({
    turns: fc.array(fc.record({ say: text, image: fc.boolean(), calls: fc.array(fc.record({ tool: name, args: fc.dictionary(name, fc.jsonValue(), { maxKeys: 3 }) }), { maxLength: 2 }), system: fc.option(text, { nil: undefined }) }), { minLength: 1, maxLength: 4 }),
    tools: fc.array(fc.record({ type: fc.constant('function'), function: fc.record({ name, parameters: schema }) }), { maxLength: 3 }),
    effort: fc.option(fc.constantFrom('minimal', 'low', 'medium', 'high'), { nil: undefined }),
    json: fc.boolean(),
  })
  .map(({ turns, tools, effort, json }) => {
    const messages: J[] = [];
    turns.forEach((t, i) => {
      if (t.system !== undefined) messages.push({ role: 'system', content: t.system });
      messages.push({ role: 'user', content: t.image ? [{ type: 'text', text: t.say }, { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } }] : t.say });
      if (t.calls.length) {
        messages.push({ role: 'assistant', content: null, tool_calls: t.calls.map((c, j) => ({ id: `call_${i}_${j}`, type: 'function', function: { name: c.tool, arguments: JSON.stringify(c.args) } })) });
        t.calls.forEach((_, j) => messages.push({ role: 'tool', tool_call_id: `call_${i}_${j}`, content: t.say }));
      }
    });
    return { model: 'm', messages, tools, ...(effort ? { reasoning_effort: effort } : {}), ...(json ? { response_format: { type: 'json_schema', json_schema: { name: 'r', schema: { type: 'object' } } } } : {}) };
  });

describe('well-formed requests translate to every other upstream without throwing', () => {
  it('Messages', () => {
    fc.assert(fc.property(messagesRequest, (r) => others('messages').forEach((up) => plan('messages', up, r))), { numRuns: 150 });
  });
  it('Chat Completions', () => {
    fc.assert(fc.property(chatRequest, (r) => others('chat-completions').forEach((up) => plan('chat-completions', up, r))), { numRuns: 150 });
  });
});

/** A well-formed request with one value somewhere replaced by anything at all. */
function mutated(base: fc.Arbitrary<J>): fc.Arbitrary<unknown> {
  return fc.tuple(base, fc.nat(), fc.anything({ withNullPrototype: true, withObjectString: true, maxDepth: 3 })).map(([r, at, junk]) => {
    const copy = JSON.parse(JSON.stringify(r)) as J;
    const slots: Array<[J | unknown[], string | number]> = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) {
        v.forEach((x, i) => {
          slots.push([v, i]);
          walk(x);
        });
      } else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          slots.push([v as J, k]);
          walk(x);
        }
      }
    };
    walk(copy);
    const slot = slots[at % Math.max(1, slots.length)];
    if (slot) (slot[0] as Record<string | number, unknown>)[slot[1]] = junk;
    return copy;
  });
}

describe('malformed requests give only the protocol’s 400', () => {
  const onlyTranslationErrors = (client: WireProtocol, r: unknown): void => {
    for (const up of others(client)) {
      try {
        plan(client, up, r);
      } catch (err) {
        if (!(err instanceof TranslationError)) throw err;
      }
    }
  };
  it.each(CLIENTS)('%s', (client) => {
    fc.assert(fc.property(mutated(client === 'messages' ? messagesRequest : chatRequest), (r) => onlyTranslationErrors(client, r)), { numRuns: 300 });
    fc.assert(fc.property(fc.anything(), (r) => onlyTranslationErrors(client, r && typeof r === 'object' ? r : { messages: r })), { numRuns: 100 });
  });
});

describe('upstream answers of any shape', () => {
  it('stream translators never throw on arbitrary SSE lines', async () => {
    const line = fc.oneof(fc.jsonValue().map((v) => `data: ${JSON.stringify(v)}\n\n`), fc.string().map((s) => `data: ${s}\n\n`), fc.constant('data: [DONE]\n\n'), fc.constantFrom('event: error\n', ': ping\n\n'));
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 8 }), fc.constantFrom(...CLIENTS), fc.constantFrom(...WIRE_PROTOCOLS), async (lines, client, upstream) => {
        fc.pre(client !== upstream);
        const ts = createStreamTranslator(client, upstream, { upstreamModel: 'u', publicModel: 'p', stream: true, maxTokensDefault: 1, request: {}, onUsage: () => undefined });
        const drained = new Response(ts.readable).text();
        const w = ts.writable.getWriter();
        for (const l of lines) await w.write(new TextEncoder().encode(l));
        await w.close();
        await drained;
      }),
      { numRuns: 150 },
    );
  });
  it('body translators refuse only what is not a JSON object', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...CLIENTS), fc.constantFrom(...WIRE_PROTOCOLS), (v, client, upstream) => {
        fc.pre(client !== upstream);
        const run = (): unknown => translateResponseBody(client, upstream, JSON.stringify(v), { upstreamModel: 'u', publicModel: 'p', stream: false, maxTokensDefault: 1, request: {} });
        if (v && typeof v === 'object' && !Array.isArray(v)) expect(run).not.toThrow();
        else expect(run).toThrow(/not a JSON object/);
      }),
      { numRuns: 200 },
    );
  });
});
