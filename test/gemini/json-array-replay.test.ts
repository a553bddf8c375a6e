/**
 * Google's default stream framing, replayed from a recording: llm-gemini's cassette of
 * `:streamGenerateContent` without `?alt=sse` (test/fixtures/real/gemini-native/
 * stream-json-array-text-thoughts.llm-gemini.cassette.yaml, a gzip body: thought summary, text,
 * then the signature on an empty part with finishReason). A Gemini upstream in this test serves
 * the recorded chunks as Google's SSE (the gateway always asks upstream for SSE); a client that
 * asked for the JSON array must get the recorded chunks back, framed with Google's own bytes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { addUpstream, addUpstreamKey, setRoute } from '../../functions/shared/admin/ops.js';
import { JSON_ARRAY } from '../../functions/shared/protocol/generate-content/framing.js';
import { FIXTURES } from '../protocol/fixtures.js';
import { startStack, type Stack } from '../helpers/stack.js';

type J = Record<string, unknown>;
const cassette = parse(readFileSync(`${FIXTURES}gemini-native/stream-json-array-text-thoughts.llm-gemini.cassette.yaml`, 'utf8')) as {
  interactions: { request: { uri: string; body: string }; response: { body: { string: Buffer } } }[];
};
const recordedRequest = cassette.interactions[0]!.request;
const recordedWire = gunzipSync(cassette.interactions[0]!.response.body.string).toString('utf8');
const recordedChunks = JSON.parse(recordedWire) as J[];

let s: Stack;
let upstream: Server;
const asked: { url: string; body: string }[] = [];
beforeAll(async () => {
  s = await startStack();
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      asked.push({ url: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const c of recordedChunks) res.write(`data: ${JSON.stringify(c)}\r\n\r\n`);
      res.end();
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  await addUpstream('gemini-recorded', 'gemini', `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  await addUpstreamKey('gemini-recorded', 'recorded-key', 'rec-k1');
  await setRoute('gemini-flash-latest', [{ upstream: 'gemini-recorded', model: 'gemini-flash-latest' }]);
});
afterAll(async () => {
  await new Promise((r) => upstream?.close(r));
  await s?.close();
});

describe('Google’s JSON-array stream, from a recording', () => {
  it('the recording is framed exactly as JSON_ARRAY says: [ first, \\n,\\r\\n between elements, \\n] last', () => {
    expect(recordedChunks.length).toBe(3);
    const inner = recordedWire.slice(JSON_ARRAY.open.length, -JSON_ARRAY.close.length);
    expect(recordedWire.startsWith(JSON_ARRAY.open) && recordedWire.endsWith(JSON_ARRAY.close)).toBe(true);
    expect(inner.split(JSON_ARRAY.between).map((e) => JSON.parse(e) as J)).toEqual(recordedChunks);
  });

  it('the recorded request, without alt=sse: the gateway asks upstream for SSE and answers the recorded chunks in Google’s framing', async () => {
    const res = await fetch(`${s.url}/v1beta/models/gemini-flash-latest:streamGenerateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': s.key, 'content-type': 'application/json' },
      body: recordedRequest.body,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const wire = await res.text();
    expect(asked.at(-1)?.url).toBe('/v1beta/models/gemini-flash-latest:streamGenerateContent?alt=sse');
    expect(JSON.parse(asked.at(-1)!.body)).toEqual(JSON.parse(recordedRequest.body));
    // A heartbeat on a slow machine is a space between elements (JSON whitespace); without them
    // the bytes are Google's framing around the upstream's own chunks.
    const unbeaten = wire.replace(/^ +/, '').replace(/ +(?=\n,\r\n|\n\]$)/g, '');
    expect(unbeaten).toBe(JSON_ARRAY.open + recordedChunks.map((c) => JSON.stringify(c)).join(JSON_ARRAY.between) + JSON_ARRAY.close);
    expect(JSON.parse(wire)).toEqual(recordedChunks);
  });
});
