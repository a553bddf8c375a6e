import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { GatewayError } from '../../functions/shared/gateway/errors.js';
import { ensureIncludeUsage, parseClientRequest as parse, rewriteModel, topLevelStringValue } from '../../functions/shared/gateway/request.js';
import { clientSide } from '../../functions/shared/protocol/registry.js';
import { LEGACY_PROTOCOL_NAMES } from '../../functions/shared/protocol/wire.js';

const parseClientRequest = (p: 'openai' | 'anthropic', text: string): ReturnType<typeof parse> => parse(clientSide(LEGACY_PROTOCOL_NAMES[p]), text);

describe('rewriteModel', () => {
  it('edits only the top-level model value and keeps every other byte', () => {
    const text =
      '{ "messages":[{"role":"user","content":"say \\"model\\": no","model":"inner"}],\n "model" : "claude-x", "seed": 12345678901234567890, "z": 1.50, "thinking":{"type":"adaptive"}}';
    const out = rewriteModel(text, 'claude-sonnet-4-5');
    expect(out).toBe(text.replace('"claude-x"', '"claude-sonnet-4-5"'));
    // Numbers JSON.parse would mangle survive as written.
    expect(out).toContain('12345678901234567890');
    expect(out).toContain('1.50');
  });

  it('returns the text itself when the name is unchanged', () => {
    const text = '{"model":"a","messages":[]}';
    expect(rewriteModel(text, 'a')).toBe(text);
  });

  it('handles escaped model names', () => {
    const text = '{"model":"we\\"ird\\u00e9","messages":[]}';
    expect(JSON.parse(rewriteModel(text, 'b'))).toEqual({ model: 'b', messages: [] });
  });

  it('is exact for arbitrary objects (property)', () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(fc.dictionary(fc.string().filter((k) => k !== 'model' && k !== '__proto__'), json), fc.string(), fc.string(), (obj, before, after) => {
        const text = JSON.stringify({ ...obj, model: before }, null, Math.random() < 0.5 ? 2 : undefined);
        const out = rewriteModel(text, after);
        expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify({ ...obj, model: after })));
        const span = topLevelStringValue(text, 'model');
        expect(span).toBeDefined();
        expect(out.slice(0, span![0])).toBe(text.slice(0, span![0]));
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseClientRequest', () => {
  const err = (fn: () => unknown): GatewayError => {
    try {
      fn();
    } catch (e) {
      return e as GatewayError;
    }
    throw new Error('expected an error');
  };

  it('keeps unknown fields and reads model and stream', () => {
    const r = parseClientRequest('anthropic', '{"model":"m","max_tokens":5,"messages":[],"stream":true,"output_config":{"effort":"high"}}');
    expect(r).toMatchObject({ model: 'm', stream: true });
    expect(r.json.output_config).toEqual({ effort: 'high' });
  });

  // What the upstream owns (messages, max_tokens) is its to check on a same-protocol route; a
  // translated route checks it in the adapter's decodeRequest (test/protocol/translate-cases).
  it.each([
    ['openai', '{"model":"m"}'],
    ['openai', '{"model":"m","messages":[]}'],
    ['anthropic', '{"model":"m","messages":[]}'],
    ['anthropic', '{"model":"m","messages":[],"max_tokens":0}'],
  ] as const)('%s %j is left to the upstream', (protocol, body) => {
    expect(parseClientRequest(protocol, body).model).toBe('m');
  });

  it.each([
    ['openai', '', 'empty'],
    ['openai', '{"model":', 'not valid JSON'],
    ['openai', '[1,2]', 'JSON object'],
    ['openai', '{"messages":[{"role":"user","content":"x"}]}', "'model' is required"],
    ['openai', '{"model":"m","messages":[{}],"stream":"yes"}', "'stream' must be a boolean"],
  ] as const)('%s %j → 400 (%s)', (protocol, body, message) => {
    const e = err(() => parseClientRequest(protocol, body));
    expect(e.status).toBe(400);
    expect(e.message).toContain(message);
  });
});

describe('ensureIncludeUsage', () => {
  it('adds stream_options when absent, editing nothing else', () => {
    const text = '{"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]}';
    const r = ensureIncludeUsage(text);
    expect(r.stripUsage).toBe(true);
    expect(JSON.parse(r.text)).toEqual({ ...JSON.parse(text), stream_options: { include_usage: true } });
  });

  it('merges into an existing stream_options object', () => {
    const text = '{"model":"m","stream_options":{"include_obfuscation":false},"seed":12345678901234567890}';
    const r = ensureIncludeUsage(text);
    expect(r.stripUsage).toBe(true);
    expect(r.text).toBe('{"model":"m","stream_options":{"include_obfuscation":false,"include_usage":true},"seed":12345678901234567890}');
  });

  it('leaves a client that asked alone (and its usage chunk reaches it)', () => {
    const text = '{"model":"m","stream_options":{"include_usage":true}}';
    expect(ensureIncludeUsage(text)).toEqual({ text, stripUsage: false });
  });
});
