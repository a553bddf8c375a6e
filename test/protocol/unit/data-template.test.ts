/**
 * Usage read from an event's text (data-template.ts) must be exactly the usage read from the
 * parsed event: same tokens, same stop reason, same content and thinking counts for a stream
 * cut anywhere. Checked on every recorded stream, on synthetic ones, and on random string values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { learnTemplate } from '../../../functions/shared/protocol/data-template.js';
import { adapterFor, upstreamSide } from '../../../functions/shared/protocol/registry.js';
import { createSseParser } from '../../../functions/shared/protocol/sse.js';
import { streamEvent } from '../../../functions/shared/protocol/translate.js';
import { LEGACY_PROTOCOL_NAMES } from '../../../functions/shared/protocol/wire.js';
import { recorded } from '../fixtures.js';

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
});

type Upstream = 'openai' | 'anthropic';

/** The stream's events; then the reader's result for every prefix, read both ways. */
function bothWays(provider: Upstream, body: string): number {
  const events: { event: string | undefined; data: string }[] = [];
  const p = createSseParser((e) => events.push(e));
  p.push(body);
  p.end();
  const usage = adapterFor(LEGACY_PROTOCOL_NAMES[provider]).usage;
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
  const eventsOf = (body: string): { event: string | undefined; data: string }[] => {
    const out: { event: string | undefined; data: string }[] = [];
    const p = createSseParser((e) => out.push(e));
    p.push(body);
    p.end();
    return out;
  };
  const compare = (body: string): number => {
    const side = upstreamSide('messages');
    const fast = side.parser();
    const slow = side.parser();
    let hits = 0;
    for (const e of eventsOf(body)) {
      const known = fast.fromText?.(e.data);
      if (known) hits++;
      expect(known ?? fast.push(streamEvent(e))).toEqual(slow.push(streamEvent(e)));
    }
    return hits;
  };
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
