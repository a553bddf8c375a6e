/**
 * The Gemini-native client side, module by module: recorded Gemini requests (js-genai,
 * llm-gemini, Gemini CLI captures) → canonical; recorded Anthropic and OpenAI streams and
 * bodies → Gemini chunks in both framings; errors in Google's shape; other providers' signed
 * thinking carried through thoughtSignature and back.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { CanonicalEvent } from '../../functions/shared/protocol/canonical.js';
import { TranslationError } from '../../functions/shared/protocol/errors.js';
import { encodeBody } from '../../functions/shared/protocol/generate-content/client-body.js';
import { errorBody, googleError, upstreamError } from '../../functions/shared/protocol/generate-content/client-errors.js';
import { jsonSchemaFromGemini } from '../../functions/shared/protocol/generate-content/json-schema.js';
import { decodeRequest } from '../../functions/shared/protocol/generate-content/request-in.js';
import { chunkEncoder, framer, type GeminiFraming } from '../../functions/shared/protocol/generate-content/stream-out.js';
import { decodeThinking, encodeThinking } from '../../functions/shared/protocol/generate-content/thought-signature.js';
import { createSseParser } from '../../functions/shared/protocol/sse.js';
import { upstreamSide } from '../../functions/shared/protocol/registry.js';
import { streamEvent } from '../../functions/shared/protocol/translate.js';
import { FIXTURES, recorded } from './fixtures.js';

type J = Record<string, unknown>;

/** The request bodies of a js-genai replay recording, in order. */
function jsGenaiRequests(file: string): J[] {
  const d = JSON.parse(readFileSync(`${FIXTURES}gemini-native/${file}`, 'utf8')) as { interactions: { request: { bodySegments: J[] } }[] };
  return d.interactions.map((i) => i.request.bodySegments[0] as J);
}

function cliRequests(file: string): { url: string; body: J; resBody: string }[] {
  const dir = new URL('../fixtures/clients/gemini-cli/', import.meta.url).pathname;
  return readFileSync(dir + file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { url: string; body: string; resBody: string })
    .map((r) => ({ url: r.url, body: JSON.parse(r.body) as J, resBody: r.resBody }));
}

describe('Gemini request → canonical', () => {
  it('a recorded function-call round trip (js-genai): ids paired, parametersJsonSchema kept, toolConfig AUTO', () => {
    const [, second] = jsGenaiRequests('stream-sse-function-call-round-trip.js-genai.replay.json');
    const notes: string[] = [];
    const req = decodeRequest(second!, notes);
    const call = req.messages.flatMap((m) => m.content).find((b) => b.type === 'tool_use');
    const result = req.messages.flatMap((m) => m.content).find((b) => b.type === 'tool_result');
    expect(call).toMatchObject({ type: 'tool_use', name: expect.any(String) });
    expect(result).toMatchObject({ type: 'tool_result', tool_use_id: (call as { id: string }).id });
    const decl = ((second!.tools as J[])[0]!.functionDeclarations as J[])[0]!;
    expect(req.tools[0]).toMatchObject({ name: decl.name, input_schema: decl.parametersJsonSchema });
    expect(req.toolChoice).toEqual({ type: 'auto' });
    expect(req.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('systemInstruction, responseJsonSchema and thinking settings (js-genai, llm-gemini recordings)', () => {
    const [sys] = jsGenaiRequests('stream-sse-system-instruction-thoughts-token-count.js-genai.replay.json');
    expect(decodeRequest(sys!, []).system.length).toBe(1);
    const [schemaReq] = jsGenaiRequests('nonstream-json-schema-response.js-genai.replay.json');
    const gc = schemaReq!.generationConfig as J;
    expect(decodeRequest(schemaReq!, []).json).toEqual({ schema: gc.responseJsonSchema });
    const cassette = parseYaml(readFileSync(`${FIXTURES}gemini-native/stream-json-array-text-thoughts.llm-gemini.cassette.yaml`, 'utf8')) as { interactions: { request: { body: string } }[] };
    const body = JSON.parse(cassette.interactions[0]!.request.body) as J;
    const req = decodeRequest(body, []);
    expect(req.messages[0]?.content[0]).toMatchObject({ type: 'text' });
    expect(decodeRequest({ contents: [{ parts: [{ text: 'x' }] }], generationConfig: { thinkingConfig: { thinkingBudget: 2048 } } }, []).thinking).toBe(2048);
    expect(decodeRequest({ contents: [{ parts: [{ text: 'x' }] }], generationConfig: { thinkingConfig: { thinkingBudget: -1 } } }, []).thinking).toBe('adaptive');
    expect(decodeRequest({ contents: [{ parts: [{ text: 'x' }] }], generationConfig: { thinkingConfig: { thinkingBudget: 0 } } }, []).thinking).toBeUndefined();
    expect(decodeRequest({ contents: [{ parts: [{ text: 'x' }] }], generationConfig: { thinkingConfig: { thinkingLevel: 'LOW' } } }, []).reasoningEffort).toBe('low');
  });

  it('what Gemini CLI sends on a shell tool call: its own call ids, {output} results, Gemini signatures dropped', () => {
    const [first, second] = cliRequests('shell-tool-call.sim.jsonl');
    const notes: string[] = [];
    const one = decodeRequest(first!.body, notes);
    expect(one.tools.map((t) => t.name)).toContain('run_shell_command');
    expect(one.system[0]?.text.length).toBeGreaterThan(100);
    const req = decodeRequest(second!.body, notes);
    const blocks = req.messages.flatMap((m) => m.content);
    const call = blocks.find((b) => b.type === 'tool_use') as { id: string; input: unknown };
    const result = blocks.find((b) => b.type === 'tool_result') as { tool_use_id: string; content: string };
    expect(call.input).toEqual({ command: 'echo ezybus-tool-ok' });
    expect(result.tool_use_id).toBe(call.id);
    expect(result.content).toContain('Output: ezybus-tool-ok');
    expect(notes.some((n) => n.includes('thought signatures dropped'))).toBe(true);
    expect(blocks.some((b) => b.type === 'thinking')).toBe(false);
  });

  it('snake_case keys, inline data and http file URIs; a response with no id answers the earliest call of its name', () => {
    const req = decodeRequest(
      {
        system_instruction: { parts: [{ text: 'sys' }] },
        contents: [
          { role: 'user', parts: [{ text: 'look' }, { inline_data: { mime_type: 'image/png', data: 'iVBORw0KGgo=' } }, { file_data: { file_uri: 'https://example.com/a.pdf', mime_type: 'application/pdf' } }] },
          { role: 'model', parts: [{ function_call: { name: 'f', args: { a: 1 } } }, { function_call: { name: 'f', args: { a: 2 } } }] },
          { role: 'user', parts: [{ function_response: { name: 'f', response: { error: 'boom' } } }, { function_response: { name: 'f', response: { result: 2 } } }] },
        ],
        tools: [{ function_declarations: [{ name: 'f', parameters: { type: 'OBJECT', properties: { a: { type: 'INTEGER', nullable: true } }, propertyOrdering: ['a'] } }] }, { googleSearch: {} }],
      },
      [],
    );
    expect(req.system).toEqual([{ type: 'text', text: 'sys' }]);
    expect(req.messages[0]?.content.map((b) => b.type)).toEqual(['text', 'image', 'document']);
    expect(req.messages[2]?.content).toEqual([
      { type: 'tool_result', tool_use_id: 'call_1_0', content: 'boom', is_error: true },
      { type: 'tool_result', tool_use_id: 'call_1_1', content: '{"result":2}' },
    ]);
    expect(req.tools).toEqual([{ name: 'f', input_schema: { type: 'object', properties: { a: { type: ['integer', 'null'] } } } }]);
  });

  it('what cannot be translated is a TranslationError (a 400 in Google’s shape at the edge)', () => {
    const bad = (body: J): unknown => {
      try {
        decodeRequest(body, []);
      } catch (err) {
        return err;
      }
      return undefined;
    };
    expect(bad({})).toBeInstanceOf(TranslationError);
    expect(bad({ contents: [{ role: 'system', parts: [{ text: 'x' }] }] })).toBeInstanceOf(TranslationError);
    expect(bad({ contents: [{ parts: [{ text: 'x' }] }], generationConfig: { candidateCount: 2 } })).toBeInstanceOf(TranslationError);
    expect(bad({ contents: [{ parts: [{ fileData: { fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc' } }] }] })).toBeInstanceOf(TranslationError);
    expect(bad({ contents: [{ parts: [{ functionResponse: { name: 'nope', response: {} } }] }] })).toBeInstanceOf(TranslationError);
    expect(bad({ contents: [{ parts: [{ text: 'x' }] }], cachedContent: 'cachedContents/1' })).toBeInstanceOf(TranslationError);
  });

  it('Gemini Schema → JSON Schema', () => {
    expect(jsonSchemaFromGemini({ type: 'ARRAY', items: { type: 'STRING', enum: ['a'] }, minItems: '1', example: ['a'] })).toEqual({ type: 'array', items: { type: 'string', enum: ['a'] }, minItems: 1 });
  });
});

describe('signed thinking through thoughtSignature', () => {
  it('survives a client that keeps only signatures (Gemini CLI drops thought parts)', () => {
    const body = encodeBody(
      {
        id: 'msg_1',
        model: 'm',
        content: [
          { type: 'thinking', thinking: 'Let me check.', signature: 'sigA' },
          { type: 'redacted_thinking', data: 'opaque' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Oslo' } },
        ],
        stop_reason: 'tool_use',
        stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 20, cache_read_input_tokens: 5, cache_creation_input_tokens: 0, reasoning_tokens: 7 },
      },
      { publicModel: 'demo-claude', includeUsage: true, request: {} },
    );
    const parts = ((body.candidates as J[])[0]!.content as { parts: J[] }).parts;
    expect(parts[0]).toEqual({ text: 'Let me check.', thought: true });
    expect(parts[1]).toMatchObject({ functionCall: { id: 'toolu_1', name: 'get_weather', args: { city: 'Oslo' } }, thoughtSignature: expect.stringMatching(/^ezybus\./) });
    expect(body.usageMetadata).toMatchObject({ promptTokenCount: 15, candidatesTokenCount: 13, thoughtsTokenCount: 7, totalTokenCount: 35, cachedContentTokenCount: 5 });
    expect((body.candidates as J[])[0]!.finishReason).toBe('STOP');
    // The next request, as Gemini CLI builds it: thought parts gone, the call with its signature kept.
    const next = decodeRequest(
      {
        contents: [
          { role: 'user', parts: [{ text: 'Weather?' }] },
          { role: 'model', parts: [parts[1]] },
          { role: 'user', parts: [{ functionResponse: { id: 'toolu_1', name: 'get_weather', response: { output: '4°C' } } }] },
        ],
      },
      [],
    );
    expect(next.messages[1]?.content).toEqual([
      { type: 'thinking', thinking: 'Let me check.', signature: 'sigA' },
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Oslo' } },
    ]);
    expect(decodeThinking('CiQBcsjafE')).toBeUndefined(); // a real Gemini signature is not ours
    expect(decodeThinking(encodeThinking([{ type: 'thinking', thinking: 't', signature: 's' }]))).toEqual([{ type: 'thinking', thinking: 't', signature: 's' }]);
  });
});

/** Canonical events of a recorded upstream stream, through the existing upstream parsers. */
function canonicalEvents(provider: 'anthropic' | 'openai', body: string): CanonicalEvent[] {
  const parser = upstreamSide(provider === 'anthropic' ? 'messages' : 'chat-completions').parser();
  const out: CanonicalEvent[] = [];
  const sse = createSseParser((e) => out.push(...parser.push(streamEvent(e))));
  sse.push(body);
  sse.end();
  out.push(...parser.end());
  return out;
}

function encode(events: CanonicalEvent[], framing: GeminiFraming): string {
  const enc = chunkEncoder({ publicModel: 'demo' });
  const f = framer(framing);
  return events.flatMap((e) => enc.push(e)).map((c) => f.chunk(c)).join('') + f.end();
}

function chunksOf(wire: string, framing: GeminiFraming): J[] {
  if (framing === 'json-array') return JSON.parse(wire) as J[];
  expect(wire.endsWith('\r\n\r\n')).toBe(true);
  return wire
    .split('\r\n\r\n')
    .filter(Boolean)
    .map((e) => {
      expect(e.startsWith('data: ')).toBe(true);
      return JSON.parse(e.slice(6)) as J;
    });
}

const partsIn = (c: J): J[] => (((c.candidates as J[] | undefined)?.[0]?.content as { parts?: J[] } | undefined)?.parts ?? []);

describe('canonical stream → Gemini chunks (recorded Anthropic and OpenAI streams replayed)', () => {
  const streams = recorded().filter((r) => r.stream && r.status === 200 && (r.provider === 'anthropic' || r.provider === 'openai'));

  it.each(streams.map((r) => [r.name, r] as const))('%s', (_name, r) => {
    const events = canonicalEvents(r.provider as 'anthropic' | 'openai', r.body);
    const text = events.flatMap((e) => (e.type === 'content_block_delta' && e.delta.type === 'text_delta' ? [e.delta.text] : [])).join('');
    const calls = events.filter((e) => e.type === 'content_block_start' && e.content_block.type === 'tool_use').length;
    for (const framing of ['sse', 'json-array'] as const) {
      const chunks = chunksOf(encode(events, framing), framing);
      const parts = chunks.flatMap(partsIn);
      expect(parts.filter((p) => typeof p.text === 'string' && p.thought !== true).map((p) => p.text).join('')).toBe(text);
      const fcs = parts.filter((p) => p.functionCall).map((p) => p.functionCall as J);
      expect(fcs).toHaveLength(calls);
      for (const fc of fcs) expect(typeof fc.args).toBe('object');
      const last = chunks.at(-1)!;
      expect((last.candidates as J[])[0]!.finishReason).toMatch(/^(STOP|MAX_TOKENS|SAFETY)$/);
      expect(last.usageMetadata).toMatchObject({ promptTokenCount: expect.any(Number), totalTokenCount: expect.any(Number) });
      expect(chunks.slice(0, -1).every((c) => (c.candidates as J[])[0]!.finishReason === undefined)).toBe(true);
    }
  });

  it('the JSON-array framing is Google’s: [ first, then \\n,\\r\\n between elements, \\n] at the end', () => {
    const f = framer('json-array');
    expect(f.chunk({ a: 1 }) + f.chunk({ b: 2 }) + f.end()).toBe('[{"a":1}\n,\r\n{"b":2}\n]');
    expect(framer('json-array').end()).toBe('[]');
    expect(framer('sse').chunk({ a: 1 })).toBe('data: {"a":1}\r\n\r\n');
  });
});

describe('canonical body → Gemini body (recorded bodies)', () => {
  it.each(recorded().filter((r) => !r.stream && r.status === 200 && (r.provider === 'anthropic' || r.provider === 'openai')).map((r) => [r.name, r] as const))('%s', (_n, r) => {
    const d = JSON.parse(r.body) as J;
    const m = upstreamSide(r.provider === 'anthropic' ? 'messages' : 'chat-completions').decodeBody(d);
    const g = encodeBody(m, { publicModel: 'demo', includeUsage: true, request: {} });
    const parts = partsIn(g);
    const text = m.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
    expect(parts.filter((p) => p.thought !== true && typeof p.text === 'string').map((p) => p.text).join('')).toBe(text);
    expect(parts.filter((p) => p.functionCall)).toHaveLength(m.content.filter((b) => b.type === 'tool_use').length);
    expect(g).toMatchObject({ modelVersion: 'demo', usageMetadata: { promptTokenCount: m.usage.input_tokens + m.usage.cache_read_input_tokens + m.usage.cache_creation_input_tokens } });
  });
});

describe('errors in Google’s shape', () => {
  it('status names per HTTP status; 529 becomes 503 UNAVAILABLE', () => {
    expect(googleError(400, 'bad')).toEqual({ error: { code: 400, message: 'bad', status: 'INVALID_ARGUMENT' } });
    expect(JSON.parse(errorBody({ kind: 'authentication', message: 'no key' }))).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED', details: [{ reason: 'API_KEY_INVALID' }] } });
    expect(JSON.parse(errorBody({ kind: 'invalid_request', message: 'bad' }))).toEqual({ error: { code: 400, message: 'bad', status: 'INVALID_ARGUMENT' } });
    expect(googleError(404, 'x').error).toMatchObject({ status: 'NOT_FOUND' });
    expect(googleError(429, 'x').error).toMatchObject({ status: 'RESOURCE_EXHAUSTED' });
    expect(upstreamError(529, 'Overloaded')).toEqual({ status: 503, body: JSON.stringify({ error: { code: 503, message: 'Overloaded', status: 'UNAVAILABLE' } }) });
  });

  it('the recorded Gemini 404 body has the shape we produce', () => {
    const doc = parseYaml(readFileSync(`${FIXTURES}gemini-native/error-404-batch-embed-contents.pydantic-ai.cassette.yaml`, 'utf8')) as { interactions: { response: { parsed_body: { error: J } } }[] };
    const real = doc.interactions[0]!.response.parsed_body.error;
    expect(real).toMatchObject({ code: 404, status: 'NOT_FOUND', message: expect.any(String) });
    expect(Object.keys(googleError(404, 'x').error as J)).toEqual(['code', 'message', 'status']);
  });
});


describe('Gemini paths and the JSON-array framing', () => {
  it('reads model, method and framing from the path and query', async () => {
    const { geminiCall, upstreamQuery } = await import('../../functions/shared/protocol/generate-content/framing.js');
    expect(geminiCall('/v1beta/models/gemini-2.5-flash:streamGenerateContent', { alt: 'sse', key: 'k' })).toEqual({ version: 'v1beta', model: 'gemini-2.5-flash', method: 'streamGenerateContent', stream: true, sse: true });
    expect(geminiCall('/v1/models/demo%2Dgemini:streamGenerateContent', {})).toMatchObject({ version: 'v1', model: 'demo-gemini', sse: false });
    expect(geminiCall('/v1beta/models/x:generateContent', {})).toMatchObject({ stream: false, sse: true });
    expect(geminiCall('/v1beta/models/x:embedContent', {})).toBeUndefined();
    expect(geminiCall('/v1beta/models/%E0%A4%A:generateContent', {})).toBeUndefined();
    expect(upstreamQuery('alt=sse&key=sk-eb-secret&x=1')).toBe('x=1');
    expect(upstreamQuery('key=sk-eb-secret')).toBe('');
  });

  it('re-frames the gateway’s SSE as Google’s array: heartbeats become spaces, errors are elements', async () => {
    const { sseToJsonArray } = await import('../../functions/shared/protocol/generate-content/framing.js');
    const r = sseToJsonArray();
    const pieces = [r.chunk(': ping\n\n'), r.chunk('data: {"a":1}\r\n\r\ndata: {"b"'), r.chunk(':2}\r\n\r\n'), r.chunk('data: {"error":{"code":500}}\n\n'), r.end()];
    const wire = pieces.join('');
    expect(JSON.parse(wire)).toEqual([{ a: 1 }, { b: 2 }, { error: { code: 500 } }]);
    expect(pieces.every((p) => p.length > 0)).toBe(true);
    const empty = sseToJsonArray();
    expect(JSON.parse(empty.chunk(': ping\n\n') + empty.end())).toEqual([]);
  });
});
