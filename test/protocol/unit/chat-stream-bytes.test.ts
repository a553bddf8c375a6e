/**
 * The Chat Completions encoder writes each chunk from a per-stream prefix and suffix around its
 * delta (stream-out.ts): its bytes must be exactly what JSON.stringify of the whole chunk gives
 * — compact, keys in the order the SDKs' own chunks have — for every recorded upstream stream.
 */
import { describe, expect, it } from 'vitest';
import { createStreamTranslation } from '../../../functions/shared/protocol/translate.js';
import { createSseParser } from '../../../functions/shared/protocol/sse.js';
import { LEGACY_PROTOCOL_NAMES } from '../../../functions/shared/protocol/wire.js';
import { recorded } from '../fixtures.js';

const streams = recorded().filter((r) => r.stream && r.status === 200 && r.provider !== 'openai');

function translate(provider: 'anthropic' | 'gemini', body: string, request: Record<string, unknown>): string[] {
  const ts = createStreamTranslation('chat-completions', LEGACY_PROTOCOL_NAMES[provider], {
    upstreamModel: 'up',
    publicModel: 'public "model"',
    stream: true,
    maxTokensDefault: 4096,
    request,
    onUsage: () => undefined,
  });
  const bytes = Buffer.from(body);
  const parts: string[] = [];
  // Cut into small reads, as a socket might deliver them.
  for (let i = 0; i < bytes.length; i += 97) parts.push(Buffer.from(ts.push(bytes.subarray(i, i + 97)) ?? []).toString());
  parts.push(Buffer.from(ts.end() ?? []).toString());
  const data: string[] = [];
  const p = createSseParser((e) => data.push(e.data));
  p.push(parts.join(''));
  p.end();
  return data;
}

describe('Chat Completions stream chunks, byte for byte', () => {
  it.each(streams.map((r) => [r.name, r] as const))('%s', (_name, r) => {
    for (const request of [{}, { stream_options: { include_usage: true } }, { functions: [{ name: 'f' }] }]) {
      const data = translate(r.provider as 'anthropic' | 'gemini', r.body, request);
      expect(data.length).toBeGreaterThan(1);
      for (const d of data) {
        if (d === '[DONE]') continue;
        const obj = JSON.parse(d) as Record<string, unknown>;
        expect(d).toBe(JSON.stringify(obj));
        if (!('error' in obj)) expect(Object.keys(obj)).toEqual(['id', 'object', 'created', 'model', 'choices', ...('usage' in obj ? ['usage'] : [])]);
      }
    }
  });
});
