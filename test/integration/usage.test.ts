/**
 * Usage and cost end to end: recorded provider responses replayed by the simulator through the
 * gateway, for each upstream protocol and both client protocols, and the usage record's token
 * split and cost compared with figures worked out by hand from the catalog prices. Then the
 * ledger's promises: a record survives a killed process (ledger or log-line replay, exactly
 * once), and replaying a log twice changes nothing.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replay } from '../../bin/cli/replay.js';
import { createGatewayKey, setRoute } from '../../functions/shared/admin/ops.js';
import { getUsageRecord, listTotals } from '../../functions/shared/store/repo.js';
import type { UsageRecord } from '../../functions/shared/usage/record.js';
import { dataLines, readAll, startSecondInstance, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
beforeAll(async () => {
  s = await startStack();
  await setRoute('bill-claude', [{ upstream: 'sim-anthropic', model: 'claude-sonnet-4-5-20250929' }]);
  await setRoute('bill-haiku', [{ upstream: 'sim-anthropic', model: 'claude-haiku-4-5-20251001' }]);
  await setRoute('bill-nano', [{ upstream: 'sim-openai', model: 'gpt-4.1-nano-2025-04-14' }]);
  await setRoute('bill-gpt5', [{ upstream: 'sim-openai', model: 'gpt-5-nano-2025-08-07' }]);
  await setRoute('bill-flash', [{ upstream: 'sim-gemini', model: 'gemini-2.5-flash' }]);
});
afterAll(async () => s?.close());

const replayMarker = (fixture: string, extra = ''): string => `[[sim:replay=${fixture}${extra}]]`;

function recordOf(requestId: string | null): UsageRecord {
  for (const l of s.logs) {
    const o = JSON.parse(l) as { msg?: string; requestId?: string; record?: UsageRecord };
    if (o.msg === 'request' && o.requestId === requestId && o.record) return o.record;
  }
  throw new Error(`no usage record for ${requestId}`);
}

async function messages(body: Record<string, unknown>, key = s.key): Promise<Response> {
  return fetch(`${s.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({ max_tokens: 1024, ...body }),
  });
}
async function chat(body: Record<string, unknown>): Promise<Response> {
  return fetch(`${s.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const CACHE_STREAM = 'anthropic/stream-cache-creation-and-read-usage.vercel-ai.chunks.txt';

describe('Anthropic upstream', () => {
  it('stream with cache read and a write reported without its split: 5 m by the request’s breakpoints', async () => {
    const res = await messages({
      model: 'bill-claude',
      stream: true,
      system: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: `Hello ${replayMarker(CACHE_STREAM)}` }],
    });
    expect(res.status).toBe(200);
    await readAll(res);
    const r = recordOf(res.headers.get('x-request-id'));
    // The final message_delta reports 6 in, 6,289 read, 3,337 written (no 5 m / 1 h split), 198 out.
    expect(r.usage).toMatchObject({ inputTokens: 6, cacheReadTokens: 6289, cacheWrite5mTokens: 3337, cacheWrite1hTokens: 0, outputTokens: 198, reasoningTokens: 0 });
    // claude-sonnet-4-5: 6 × $3 + 3,337 × $3.75 + 6,289 × $0.30 + 198 × $15
    //   = 18 + 12,513.75 + 1,886.7 + 2,970 = 17,388.45 µ$ → 17,388 µ$
    expect(r.costMicros).toBe(17_388);
    expect(r.priceSource).toBe('builtin');
  });

  it('the same write under 1 h breakpoints is billed at the 1 h rate', async () => {
    const res = await messages({
      model: 'bill-claude',
      stream: true,
      system: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral', ttl: '1h' } }],
      messages: [{ role: 'user', content: `Hello ${replayMarker(CACHE_STREAM)}` }],
    });
    await readAll(res);
    const r = recordOf(res.headers.get('x-request-id'));
    expect(r.usage).toMatchObject({ cacheWrite5mTokens: 0, cacheWrite1hTokens: 3337, cacheSplitEstimated: true });
    // 18 + 3,337 × $6 (= 20,022) + 1,886.7 + 2,970 = 24,896.7 µ$ → 24,897 µ$
    expect(r.costMicros).toBe(24_897);
  });

  it('an OpenAI-format client on the same stream: same record, cache counts reported back', async () => {
    const res = await chat({ model: 'bill-claude', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: `Hello ${replayMarker(CACHE_STREAM)}` }] });
    const { text } = await readAll(res);
    const last = dataLines(text).filter((d) => d !== '[DONE]').map((d) => JSON.parse(d) as { usage?: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details: { cached_tokens: number; cache_creation_tokens?: number } } }).findLast((c) => c.usage);
    // prompt_tokens counts every input-side token: 6 + 6,289 + 3,337 = 9,632
    expect(last?.usage).toMatchObject({ prompt_tokens: 9632, completion_tokens: 198, prompt_tokens_details: { cached_tokens: 6289, cache_creation_tokens: 3337 } });
    const r = recordOf(res.headers.get('x-request-id'));
    expect(r.usage).toMatchObject({ inputTokens: 6, cacheReadTokens: 6289, cacheWrite5mTokens: 3337, outputTokens: 198 });
    expect(r.costMicros).toBe(17_388);
  });

  it('non-stream cache read and 5 m write with the split reported; usage and cost in the headers', async () => {
    const res = await messages({ model: 'bill-haiku', messages: [{ role: 'user', content: replayMarker('anthropic/nonstream-prompt-cache-read-and-creation.pydantic-ai.cassette.yaml') }] });
    expect(res.status).toBe(200);
    await res.text();
    const r = recordOf(res.headers.get('x-request-id'));
    expect(r.usage).toMatchObject({ inputTokens: 3, cacheReadTokens: 1111, cacheWrite5mTokens: 418, cacheWrite1hTokens: 0, outputTokens: 33 });
    // claude-haiku-4-5: 3 × $1 + 418 × $1.25 + 1,111 × $0.10 + 33 × $5 = 3 + 522.5 + 111.1 + 165 = 801.6 → 802 µ$
    expect(r.costMicros).toBe(802);
    expect(res.headers.get('x-ezybus-cost-micros')).toBe('802');
    expect(res.headers.get('x-ezybus-cache-read-tokens')).toBe('1111');
  });

  it('thinking without a reported count: share estimated from the thinking text, not added to output', async () => {
    const res = await messages({ model: 'bill-claude', messages: [{ role: 'user', content: replayMarker('anthropic/nonstream-thinking-round-trip.pydantic-ai.cassette.yaml') }] });
    await res.text();
    const r = recordOf(res.headers.get('x-request-id'));
    // 847 characters of thinking ≈ ⌈847 / 4⌉ = 212 tokens, inside the 525 output tokens.
    expect(r.usage).toMatchObject({ inputTokens: 354, outputTokens: 525, reasoningTokens: 212, reasoningEstimated: true });
    // 354 × $3 + 525 × $15 = 1,062 + 7,875 = 8,937 µ$ (thinking is billed as output once)
    expect(r.costMicros).toBe(8_937);
  });

  it('a stream cut mid-way is billed for what was produced, marked estimated', async () => {
    const res = await messages({ model: 'bill-claude', stream: true, messages: [{ role: 'user', content: replayMarker('anthropic/stream-text-basic.vercel-ai.chunks.txt', '&reset_after=5') }] });
    const { text } = await readAll(res);
    expect(text).toContain('event: error'); // the client learns the stream broke
    const r = recordOf(res.headers.get('x-request-id'));
    expect(r.cutShort).toBe('upstream');
    expect(r.usage?.estimated).toBe(true);
    expect(r.usage?.inputTokens).toBe(12); // from message_start, as reported
    expect(r.usage?.outputTokens).toBeGreaterThan(0);
    expect(r.costMicros).toBe(Math.round(12 * 3 + r.usage!.outputTokens * 15));
  });
});

describe('OpenAI upstream', () => {
  it('cached prompt tokens at the cached rate (gpt-4.1-nano)', async () => {
    const res = await chat({ model: 'bill-nano', messages: [{ role: 'user', content: replayMarker('openai/nonstream-prompt-cache-cached-tokens.pydantic-ai.cassette.yaml') }] });
    await res.json();
    const r = recordOf(res.headers.get('x-request-id'));
    expect(r.usage).toMatchObject({ inputTokens: 8, cacheReadTokens: 4012, outputTokens: 4 });
    // 8 × $0.10 + 4,012 × $0.025 + 4 × $0.40 = 0.8 + 100.3 + 1.6 = 102.7 → 103 µ$
    expect(r.costMicros).toBe(103);
  });

  it('reasoning tokens through an Anthropic-format client (gpt-5-nano)', async () => {
    const res = await messages({ model: 'bill-gpt5', messages: [{ role: 'user', content: replayMarker('openai/nonstream-reasoning-tokens.envoy-aigw.cassette.yaml') }] });
    const body = (await res.json()) as { usage: { input_tokens: number; output_tokens: number } };
    expect(body.usage).toMatchObject({ input_tokens: 27, output_tokens: 267 });
    const r = recordOf(res.headers.get('x-request-id'));
    expect(r.usage).toMatchObject({ inputTokens: 27, outputTokens: 267, reasoningTokens: 192, reasoningEstimated: false });
    // 27 × $0.05 + 267 × $0.40 = 1.35 + 106.8 = 108.15 → 108 µ$
    expect(r.costMicros).toBe(108);
  });
});

describe('Gemini upstream', () => {
  it('thought tokens are output, counted once (gemini-2.5-flash, OpenAI-format stream)', async () => {
    const res = await chat({ model: 'bill-flash', stream: true, messages: [{ role: 'user', content: replayMarker('gemini/stream-thought-parts.pydantic-ai.cassette.yaml') }] });
    await readAll(res);
    const r = recordOf(res.headers.get('x-request-id'));
    // promptTokenCount 34; candidates 469 + thoughts 787 = 1,256 output of which 787 thinking.
    expect(r.usage).toMatchObject({ inputTokens: 34, outputTokens: 1256, reasoningTokens: 787 });
    // 34 × $0.30 + 1,256 × $2.50 = 10.2 + 3,140 = 3,150.2 → 3,150 µ$
    expect(r.costMicros).toBe(3_150);
  });

  it('function call through an Anthropic-format client', async () => {
    const res = await messages({ model: 'bill-flash', stream: true, messages: [{ role: 'user', content: replayMarker('gemini/stream-function-call.vercel-ai.chunks.txt') }] });
    const { text } = await readAll(res);
    expect(text).toContain('"type":"tool_use"');
    const r = recordOf(res.headers.get('x-request-id'));
    // 29 in; 15 candidates + 45 thoughts = 60 out → 29 × $0.30 + 60 × $2.50 = 8.7 + 150 = 158.7 → 159 µ$
    expect(r.usage).toMatchObject({ inputTokens: 29, outputTokens: 60, reasoningTokens: 45 });
    expect(r.costMicros).toBe(159);
  });
});

describe('the ledger keeps every record exactly once', () => {
  it('a process killed right after the response still yields exactly one record', async () => {
    const { key, record } = await createGatewayKey({ name: 'kill-test' });
    const second = await startSecondInstance(s);
    try {
      const res = await fetch(`${second.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'bill-haiku', max_tokens: 64, messages: [{ role: 'user', content: replayMarker('anthropic/nonstream-prompt-cache-read-and-creation.pydantic-ai.cassette.yaml') }] }),
      });
      await res.text();
      await second.kill(); // no time to finish anything
      const requestId = res.headers.get('x-request-id') as string;
      // Either the ledger write made it, or the log line holds the whole record: replay it.
      const log = second.lines.join('\n');
      expect(log).toContain(`"requestId":"${requestId}"`);
      const first = await replay(Readable.from(second.lines.map((l) => l + '\n')));
      expect(first.records).toBe(1);
      expect(await getUsageRecord(requestId)).toMatchObject({ requestId, costMicros: 802 });
      const totals = await listTotals(record.id);
      const all = totals.find((t) => t.sk === 'all');
      expect(all?.values).toMatchObject({ requests: 1, costMicros: 802 });
      // Replaying again (and again) changes nothing.
      const again = await replay(Readable.from(second.lines.map((l) => l + '\n')));
      expect(again).toMatchObject({ records: 1, written: 0, alreadyPresent: 1 });
      expect((await listTotals(record.id)).find((t) => t.sk === 'all')?.values).toEqual(all?.values);
    } finally {
      await second.kill().catch(() => undefined);
    }
  });
});
