/**
 * Usage read from an event's text (data-template.ts) must be exactly the usage read from the
 * parsed event: same tokens, same stop reason, same content and thinking counts for a stream
 * cut anywhere. Checked on every recorded stream, on synthetic ones, and on random string values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { learnTemplate } from '../../../functions/shared/protocol/data-template.js';
import { adapterFor, upstreamSide } from '../../../functions/shared/protocol/registry.js';
import type { UpstreamParser } from '../../../functions/shared/protocol/adapter.js';
import type { J } from '../../../functions/shared/protocol/json.js';
import { createSseParser } from '../../../functions/shared/protocol/sse.js';
import { createStreamTranslation, streamEvent } from '../../../functions/shared/protocol/translate.js';
import { LEGACY_PROTOCOL_NAMES, type WireProtocol } from '../../../functions/shared/protocol/wire.js';
import { recorded } from '../fixtures.js';
import { responsesRecorded } from '../../unit/responses/fixtures.js';

const chunk = (content: string, extra = ''): string =>
  `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"logprobs":null,"finish_reason":null}]${extra}}`;

describe('learnTemplate', () => {
  const t = learnTemplate(chunk('Hello'), 'content');

  it('matches the same text around another plain string, and only that', () => {
    expect(t?.match(chunk(' world'))).toBe(' world');
    expect(t?.match(chunk(''))).toBe('');
    expect(t?.match(chunk('é→😀'))).toBe('é→😀');
    expect(t?.match(chunk('a\nb'))).toBeUndefined(); // an escape: parsed instead
    expect(t?.match(chunk('say "hi"'))).toBeUndefined();
    expect(t?.match(chunk('x').replace('"index":0', '"index":1'))).toBeUndefined();
    expect(t?.match(chunk('x') + ' ')).toBeUndefined();
    expect(t?.match(chunk('x', ',"usage":{"prompt_tokens":1}'))).toBeUndefined();
    expect(t?.match(chunk('x').replace('"x"', '"x\u0001"'))).toBeUndefined();
    expect(t?.match(chunk('x').replace('"x"}', '"x","content":"y"}'))).toBeUndefined();
  });

  it('answers a repeated match as the first one, whatever came between', () => {
    const a = chunk('A'), b = chunk('say "hi"'), c = chunk('C');
    expect([a, a, b, b, c, a, b].map((s) => t?.match(s))).toEqual(['A', 'A', undefined, undefined, 'C', 'A', undefined]);
  });

  it('gives two readers learning from the same text one template, and other texts or keys their own', () => {
    const text = chunk('shared');
    const one = learnTemplate(text, 'content');
    expect(learnTemplate(text, 'content')).toBe(one);
    expect(learnTemplate(chunk('other'), 'content')).not.toBe(one);
    expect(learnTemplate(chunk('other'), 'content')?.match(chunk('z'))).toBe('z');
    const model = learnTemplate(chunk('other'), 'model'); // the same text, another slot
    expect(model?.match(chunk('other').replace('"model":"m"', '"model":"n"'))).toBe('n');
    expect(model?.match(chunk('z'))).toBeUndefined();
  });

  it('learns only from a text without escapes, whose key occurs once', () => {
    expect(learnTemplate(chunk('a\nb'), 'content')).toBeUndefined();
    expect(learnTemplate(chunk('a', ',"logprobs2":{"content":[]}'), 'content')).toBeUndefined();
    expect(learnTemplate('{"content":1}', 'content')).toBeUndefined();
  });

  it('lets the spaces before the closing brace vary (Anthropic pads its events)', () => {
    const delta = (text: string, pad: string): string => `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${text}"}${pad}}`;
    const a = learnTemplate(delta('a', '   '), 'text');
    expect(a?.match(delta('bb', ''))).toBe('bb');
    expect(a?.match(delta('bb', '          '))).toBe('bb');
    expect(a?.match(delta('bb', ' } '))).toBeUndefined();
    expect(a?.match(delta('bb', '').replace('"index":0', '"index":1'))).toBeUndefined();
  });

  it('lets the named last member vary, nothing else', () => {
    const o = learnTemplate(chunk('a', ',"obfuscation":"Qup1"'), 'content', 'obfuscation');
    expect(o?.match(chunk('b', ',"obfuscation":"yhjoJbEFx"'))).toBe('b');
    expect(o?.match(chunk('b', ',"obfuscation":"y\\"h"'))).toBeUndefined();
    expect(o?.match(chunk('b', ',"obfuscation":"y"} '))).toBeUndefined();
    expect(o?.match(chunk('b', ',"obfuscatio":"y"'))).toBeUndefined();
    expect(learnTemplate(chunk('a', ',"obfuscation":"Qup1"'), 'content')?.match(chunk('b', ',"obfuscation":"other"'))).toBeUndefined();
  });

  it('lets the named integer before the slot vary (the Responses API numbers its events), nothing else', () => {
    const delta = (seq: string, text: string, obf = 'x'): string =>
      `{"type":"response.output_text.delta","sequence_number":${seq},"item_id":"msg_1","output_index":0,"content_index":0,"delta":"${text}","logprobs":[],"obfuscation":"${obf}"}`;
    const t = learnTemplate(delta('4', 'Hi'), 'delta', 'obfuscation', 'sequence_number');
    expect(t?.match(delta('5', 'there', 'yy'))).toBe('there');
    expect(t?.match(delta('0', ''))).toBe('');
    expect(t?.match(delta('123456789', '!'))).toBe('!');
    for (const bad of ['05', '-5', '5.0', '5e1', '', ' 5', 'null', '"5"']) expect(t?.match(delta(bad, 'x')), bad).toBeUndefined();
    expect(t?.match(delta('5', 'x').replace('"output_index":0', '"output_index":1'))).toBeUndefined();
    expect(t?.match(delta('5', 'x').replace('msg_1', 'msg_2'))).toBeUndefined();
    // Without the counter named, the number is part of the fixed text.
    expect(learnTemplate(delta('4', 'Hi'), 'delta', 'obfuscation')?.match(delta('5', 'x'))).toBeUndefined();
    // A counter that is not a plain integer is left fixed.
    const f = learnTemplate(delta('4.5', 'Hi'), 'delta', 'obfuscation', 'sequence_number');
    expect(f?.match(delta('4.5', 'x'))).toBe('x');
    expect(f?.match(delta('5', 'x'))).toBeUndefined();
  });
});

/** A body's SSE events, as the gateway's parser reads them. */
const eventsIn = (body: string): { event: string | undefined; data: string }[] => {
  const out: { event: string | undefined; data: string }[] = [];
  const p = createSseParser((e) => out.push(e));
  p.push(body);
  p.end();
  return out;
};

/** Every event through one upstream parser from its text where it can, and through another parsed: the same canonical events each time. */
function parserBothWays(protocol: WireProtocol, body: string): { hits: number; fast: UpstreamParser; slow: UpstreamParser } {
  const side = upstreamSide(protocol);
  const fast = side.parser();
  const slow = side.parser();
  let hits = 0;
  for (const e of eventsIn(body)) {
    const known = fast.fromText?.(e.data);
    if (known) hits++;
    expect(known ?? fast.push(streamEvent(e))).toEqual(slow.push(streamEvent(e)));
  }
  return { hits, fast, slow };
}

type Upstream = 'openai' | 'anthropic' | 'responses';
const wire = (u: Upstream): WireProtocol => (u === 'responses' ? 'responses' : LEGACY_PROTOCOL_NAMES[u]);

/** The stream's events; then the reader's result for every prefix, read both ways. */
function bothWays(provider: Upstream, body: string): number {
  const events = eventsIn(body);
  const usage = adapterFor(wire(provider)).usage;
  const fast = usage.reader();
  const slow = usage.reader();
  let hits = 0;
  for (const e of events) {
    if (fast.fromText?.(e.data)) hits++;
    else fast.event(streamEvent(e));
    slow.event(streamEvent(e));
    expect(fast.result()).toEqual(slow.result());
  }
  return hits;
}

describe('usage read from text equals usage read from the parsed events', () => {
  const streams = recorded().filter((r) => r.stream && r.status === 200 && (r.provider === 'openai' || r.provider === 'anthropic'));
  it.each(streams.map((r) => [r.name, r] as const))('%s, cut after every event', (_n, r) => void bothWays(r.provider as Upstream, r.body));

  const responses = responsesRecorded().filter((r) => r.stream && r.status === 200);
  it.each(responses.map((r) => [r.name, r] as const))('Responses %s, cut after every event', (_n, r) => void bothWays('responses', r.body));
  it('reads the deltas of recorded Responses streams from their text', () => {
    const hits = responses.map((r) => bothWays('responses', r.body));
    expect(hits.reduce((a, b) => a + b, 0)).toBeGreaterThan(20);
  });

  it('reads most content events of a long recorded stream from their text', () => {
    for (const name of ['openai/stream-text-long-usage-chunk.vercel-ai.chunks.txt', 'anthropic/stream-thinking-signature-delta.pydantic-ai.cassette.yaml']) {
      const r = streams.find((s) => s.name === name);
      if (!r) throw new Error(`fixture ${name} missing`);
      const events = r.body.split(/\r?\n\r?\n/).filter((e) => e.includes('data:')).length;
      expect(bothWays(r.provider as Upstream, r.body), name).toBeGreaterThan(events / 2);
    }
  });

  const sse = (datas: string[]): string => datas.map((d) => `data: ${d}\n\n`).join('');
  it('a Chat Completions stream of plain, escaped and odd chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('', 'a\nb', '"', '\\', 'é', '😀', '\u2028')), { maxLength: 12 }), fc.boolean(), (texts, obf) => {
        const extra = (i: number): string => (obf ? `,"obfuscation":"o${'x'.repeat(i % 5)}"` : '');
        const datas = texts.map((t, i) => chunk(t, extra(i)));
        datas.push(chunk('', ',"usage":null').replace('"finish_reason":null', '"finish_reason":"stop"'));
        void bothWays('openai', sse(datas));
      }),
    );
  });

  it('Responses deltas of several types and items, numbered, plain and escaped', () => {
    const type = fc.constantFrom('response.output_text.delta', 'response.reasoning_summary_text.delta', 'response.function_call_arguments.delta');
    const text = fc.oneof(fc.string(), fc.constantFrom('', 'a\nb', '"q"', '\\'));
    fc.assert(
      fc.property(fc.array(fc.tuple(type, fc.constantFrom('msg_1', 'fc_2'), text, fc.boolean()), { maxLength: 14 }), fc.boolean(), (deltas, named) => {
        const datas = deltas.map(([t, item, delta, obf], i) => JSON.stringify({ ...(named || i % 3 ? { type: t } : {}), sequence_number: i + 3, item_id: item, output_index: 0, delta, ...(obf ? { obfuscation: 'o'.repeat(i % 4) } : {}) }));
        datas.push(JSON.stringify({ type: 'response.completed', sequence_number: 99, response: { status: 'completed', usage: { input_tokens: 5, output_tokens: 7 } } }));
        // The event name may disagree with a data that names no type: the reader falls back on it.
        void bothWays('responses', datas.map((d, i) => `event: ${deltas[i]?.[0] ?? 'response.completed'}${i % 2 ? '' : 'x'}\ndata: ${d}\n\n`).join(''));
      }),
    );
  });

  it('Anthropic text and thinking deltas, plain and escaped', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('text', 'thinking'), fc.oneof(fc.string(), fc.constantFrom('', 'a\nb', '"q"'))), { maxLength: 12 }), (deltas) => {
        const datas = deltas.map(([k, v], i) => `${JSON.stringify({ type: 'content_block_delta', index: i % 2, delta: { type: `${k}_delta`, [k]: v } }).slice(0, -1)}${' '.repeat(i % 7)}}`);
        datas.unshift(JSON.stringify({ type: 'message_start', message: { id: 'm', usage: { input_tokens: 3, output_tokens: 1 } } }));
        datas.push(JSON.stringify({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 9 } }));
        void bothWays('anthropic', datas.map((d) => `event: x\ndata: ${d}\n\n`).join(''));
      }),
    );
  });
});

describe('Messages upstream events read from text equal the parsed ones', () => {
  const streams = recorded().filter((r) => r.stream && r.status === 200 && r.provider === 'anthropic');
  const compare = (body: string): number => parserBothWays('messages', body).hits;
  it.each(streams.map((r) => [r.name, r] as const))('%s', (_n, r) => void compare(r.body));

  it('random text and thinking deltas, with padding and escapes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('text', 'thinking', 'partial_json'), fc.oneof(fc.string(), fc.constantFrom('', 'a\nb', '"q"'))), { maxLength: 12 }), (deltas) => {
        const type = { text: 'text_delta', thinking: 'thinking_delta', partial_json: 'input_json_delta' };
        const datas = deltas.map(([k, v], i) => `${JSON.stringify({ type: 'content_block_delta', index: i % 2, delta: { type: type[k], [k]: v } }).slice(0, -1)}${' '.repeat(i % 5)}}`);
        void compare(datas.map((d) => `event: content_block_delta\ndata: ${d}\n\n`).join(''));
      }),
    );
  });

  it('reads most deltas of a recorded thinking stream from their text', () => {
    const r = streams.find((s) => s.name === 'anthropic/stream-thinking-signature-delta.pydantic-ai.cassette.yaml');
    if (!r) throw new Error('fixture missing');
    expect(compare(r.body)).toBeGreaterThan(50);
  });
});

/** `data` with its first key's first character written as a \\u escape: the same JSON value, but no template can be learned from or match it, so every reader parses it. */
const parsedOnly = (data: string): string => data.replace(/^\{"([A-Za-z_])/, (_m, c: string) => `{"\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

describe('Chat Completions upstream events read from text equal the parsed ones', () => {
  const compare = (body: string): number => {
    const { hits, fast, slow } = parserBothWays('chat-completions', body);
    expect(fast.end()).toEqual(slow.end());
    return hits;
  };
  const streams = recorded().filter((r) => r.stream && r.status === 200 && r.provider === 'openai');
  it.each(streams.map((r) => [r.name, r] as const))('%s', (_n, r) => void compare(r.body));

  it('reads most chunks of a long recorded stream from their text', () => {
    const r = streams.find((s) => s.name === 'openai/stream-text-long-usage-chunk.vercel-ai.chunks.txt');
    if (!r) throw new Error('fixture missing');
    expect(compare(r.body)).toBeGreaterThan(eventsIn(r.body).length / 2);
  });

  it('random chunks of text, reasoning, refusals and tool calls', () => {
    const delta = fc.oneof(
      fc.record({ content: fc.oneof(fc.string(), fc.constantFrom('', 'a\nb', '"')) }),
      fc.record({ content: fc.string(), reasoning: fc.string() }),
      fc.record({ reasoning_content: fc.string() }),
      fc.record({ refusal: fc.string() }),
      fc.record({ tool_calls: fc.constant([{ index: 0, id: 'call_1', function: { name: 'f', arguments: '{"a"' } }]) }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(delta, fc.boolean()), { maxLength: 14 }), (deltas) => {
        const datas = deltas.map(([d, obf], i) => JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: d, finish_reason: null }], ...(obf ? { obfuscation: 'o'.repeat(i % 3) } : {}) }));
        datas.push(JSON.stringify({ id: 'c', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }), '[DONE]');
        void compare(datas.map((d) => `data: ${d}\n\n`).join(''));
      }),
    );
  });
});

describe('a translated stream reads the same whether its events are read from their text or parsed', () => {
  const clients: WireProtocol[] = ['chat-completions', 'messages', 'responses', 'generate-content'];
  const requests: Record<string, J> = {
    'chat-completions': { model: 'pub', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } },
    messages: { model: 'pub', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }], stream: true },
    responses: { model: 'pub', input: 'hi', stream: true },
    'generate-content': { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] },
  };
  /** The client bytes (timestamps blanked: two translations may straddle a second) and the usage reported. */
  const translate = (client: WireProtocol, upstream: WireProtocol, body: string): { out: string; usage: unknown } => {
    let usage: unknown;
    const t = createStreamTranslation(client, upstream, { upstreamModel: 'm', publicModel: 'pub', stream: true, maxTokensDefault: 4096, request: requests[client] ?? {}, onUsage: (u, stop, err) => (usage = { u, stop, err }) });
    const dec = new TextDecoder();
    let out = '';
    // One event per push, as a stream with gaps arrives.
    for (const piece of body.split(/(?<=\n\n)/)) out += dec.decode(t.push(new TextEncoder().encode(piece)) ?? new Uint8Array());
    out += dec.decode(t.end() ?? new Uint8Array());
    return { out: out.replace(/"(created|created_at)":\d+/g, '"$1":0'), usage };
  };
  const both = (upstream: WireProtocol, body: string): void => {
    const slow = eventsIn(body)
      .map((e) => `${e.event === undefined ? '' : `event: ${e.event}\n`}data: ${parsedOnly(e.data)}\n\n`)
      .join('');
    for (const client of clients) {
      if (client === upstream) continue;
      expect(translate(client, upstream, body), `${upstream} → ${client}`).toEqual(translate(client, upstream, slow));
    }
  };
  const byProvider = { openai: 'chat-completions', anthropic: 'messages' } as const;
  const streams = recorded().filter((r) => r.stream && r.status === 200 && (r.provider === 'openai' || r.provider === 'anthropic'));
  it.each(streams.map((r) => [r.name, r] as const))('%s', (_n, r) => both(byProvider[r.provider as 'openai' | 'anthropic'], r.body));

  it('Chat Completions chunks whose parser and usage reader learn different templates', () => {
    // The second chunk's `reasoning` member keeps the parser's template at the first chunk's
    // text while the usage reader learns from it: a later chunk then reads from text on one side only.
    const chunkOf = (delta: J): string => JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta, finish_reason: null }] });
    // Then a reasoning chunk leaves the thinking block open when the next text chunk comes.
    const datas = [chunkOf({ role: 'assistant', content: '' }), chunkOf({ content: 'a' }), chunkOf({ content: 'b', reasoning: '' }), chunkOf({ content: 'a longer text of the second kind' }), chunkOf({ reasoning_content: 'r' }), chunkOf({ content: 'c' }), chunkOf({ content: 'd' }), chunkOf({ content: 'e', reasoning: '' })];
    const finished = [JSON.stringify({ id: 'c', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 4 } }), '[DONE]'];
    both('chat-completions', [...datas, ...finished].map((d) => `data: ${d}\n\n`).join(''));
    // Cut before any usage: the usage is then estimated from the text counted.
    both('chat-completions', datas.map((d) => `data: ${d}\n\n`).join(''));
  });
});
