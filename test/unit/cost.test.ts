/**
 * Prices and cost: every expected figure below is worked out by hand from the provider's
 * published price (USD per million tokens) and the token counts, in the comment beside it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { splitCacheWrites } from '../../functions/shared/usage/cache-split.js';
import { costMicros } from '../../functions/shared/usage/cost.js';
import { builtinPrice, normalizeModelId, resolvePrice, type ModelPrice } from '../../functions/shared/usage/prices.js';
import { emptyUsage, type TokenUsage } from '../../functions/shared/usage/types.js';
import { ADAPTERS } from '../../functions/shared/protocol/registry.js';
import { LEGACY_PROTOCOL_NAMES } from '../../functions/shared/protocol/wire.js';
import { readUsage as openaiUsage } from '../../functions/shared/protocol/chat-completions/usage.js';
import { readUsage as anthropicUsage } from '../../functions/shared/protocol/messages/usage.js';

const usageFromBody = (p: keyof typeof LEGACY_PROTOCOL_NAMES, body: string): TokenUsage | null => ADAPTERS[LEGACY_PROTOCOL_NAMES[p]].usage.fromBody(JSON.parse(body) as Record<string, unknown>);
import { FIXTURES } from '../protocol/fixtures.js';

const u = (p: Partial<TokenUsage>): TokenUsage => ({ ...emptyUsage(), ...p });
const price = (provider: 'openai' | 'anthropic' | 'gemini', model: string, at?: Date): ModelPrice => {
  const p = builtinPrice(provider, model, at);
  if (!p) throw new Error(`no catalog price for ${provider}/${model}`);
  return p;
};

describe('catalog lookup', () => {
  it('prices dated snapshots and aliases like their family', () => {
    expect(normalizeModelId('claude-sonnet-4-5-20250929')).toBe('claude-sonnet-4-5');
    expect(normalizeModelId('gpt-4o-2024-08-06')).toBe('gpt-4o');
    expect(normalizeModelId('claude-3-5-haiku-latest')).toBe('claude-3-5-haiku');
    expect(normalizeModelId('models/gemini-2.5-pro')).toBe('gemini-2.5-pro');
    expect(price('openai', 'gpt-4.1-nano-2025-04-14').input).toBe(100_000); // $0.10
    expect(price('anthropic', 'claude-haiku-4-5-20251001').output).toBe(5_000_000); // $5
  });

  it('knows no price for an unknown model rather than guessing one', () => {
    expect(builtinPrice('openai', 'gpt-4.1-nano-wrong')).toBeUndefined();
    expect(builtinPrice('anthropic', 'gpt-4o')).toBeUndefined(); // provider matters
  });

  it('applies a price change from its effective day only', () => {
    // Sonnet 5.5 cache reads went from $0.20 to $0.10 on 2026-10-07.
    expect(price('anthropic', 'claude-sonnet-5-5', new Date('2026-10-06T23:59:59Z')).cacheRead).toBe(200_000);
    expect(price('anthropic', 'claude-sonnet-5-5', new Date('2026-10-07T00:00:00Z')).cacheRead).toBe(100_000);
  });

  it('lets an operator override win over the catalog', () => {
    const override: ModelPrice = { input: 1, output: 2, cacheRead: 0, cacheWrite5m: 1, cacheWrite1h: 1 };
    expect(resolvePrice('anthropic', 'claude-sonnet-4-5-20250929', new Map([['claude-sonnet-4-5', override]]))).toEqual({ price: override, source: 'override' });
    expect(resolvePrice('anthropic', 'claude-sonnet-4-5-20250929', new Map())?.source).toBe('builtin');
  });
});

describe('cost in integer micro-dollars', () => {
  it('text: input and output only', () => {
    // gpt-4o: 1,000 in × $2.50 + 500 out × $10 = $0.0025 + $0.005 = 7,500 µ$
    expect(costMicros(u({ inputTokens: 1000, outputTokens: 500 }), price('openai', 'gpt-4o'))).toBe(7_500);
  });

  it('OpenAI cached input at the cached rate; reasoning is part of output, not added again', () => {
    // gpt-4.1-nano, from openai/nonstream-prompt-cache-cached-tokens: prompt 4,020 of which 4,012 cached, 4 out.
    // 8 × $0.10 + 4,012 × $0.025 + 4 × $0.40 = 0.8 + 100.3 + 1.6 = 102.7 µ$ → 103 µ$
    expect(costMicros(u({ inputTokens: 8, cacheReadTokens: 4012, outputTokens: 4 }), price('openai', 'gpt-4.1-nano'))).toBe(103);
    // gpt-5-nano, from openai/nonstream-reasoning-tokens: 27 in, 267 out of which 192 reasoning.
    // 27 × $0.05 + 267 × $0.40 = 1.35 + 106.8 = 108.15 µ$ → 108 µ$ (the 192 are inside the 267)
    expect(costMicros(u({ inputTokens: 27, outputTokens: 267, reasoningTokens: 192 }), price('openai', 'gpt-5-nano'))).toBe(108);
  });

  it('Anthropic cache writes at 5 m and 1 h, reads at the read rate', () => {
    // claude-haiku-4-5, from anthropic/nonstream-prompt-cache-read-and-creation: 3 in, 418 written (5 m), 1,111 read, 33 out.
    // 3 × $1 + 418 × $1.25 + 1,111 × $0.10 + 33 × $5 = 3 + 522.5 + 111.1 + 165 = 801.6 µ$ → 802 µ$
    const p = price('anthropic', 'claude-haiku-4-5');
    expect(costMicros(u({ inputTokens: 3, cacheWrite5mTokens: 418, cacheReadTokens: 1111, outputTokens: 33 }), p)).toBe(802);
    // The same 418 written for an hour: 418 × $2 = 836 → 3 + 836 + 111.1 + 165 = 1,115.1 µ$ → 1,115 µ$
    expect(costMicros(u({ inputTokens: 3, cacheWrite1hTokens: 418, cacheReadTokens: 1111, outputTokens: 33 }), p)).toBe(1115);
  });

  it('long-context bands price every token of the request at the higher rate', () => {
    const p = price('gemini', 'gemini-2.5-pro');
    // 200,000 prompt tokens is still the base band: 200,000 × $1.25 + 1,000 × $10 = 250,000 + 10,000 = 260,000 µ$
    expect(costMicros(u({ inputTokens: 200_000, outputTokens: 1000 }), p)).toBe(260_000);
    // 200,001 (cached tokens count toward the prompt): 150,001 × $2.50 + 50,000 × $0.25 + 1,000 × $15
    // = 375,002.5 + 12,500 + 15,000 = 402,502.5 µ$ → 402,503 µ$
    expect(costMicros(u({ inputTokens: 150_001, cacheReadTokens: 50_000, outputTokens: 1000 }), p)).toBe(402_503);
    // Haiku 5.5 above 100k prompt tokens: 100,001 × $0.50 + 10 × $2.50 = 50,000.5 + 25 = 50,025.5 → 50,026 µ$
    expect(costMicros(u({ inputTokens: 100_001, outputTokens: 10 }), price('anthropic', 'claude-haiku-5-5'))).toBe(50_026);
  });

  it('stays exact where floating point would drift', () => {
    // 0.1 + 0.2 style drift: 3 × 100,000 µ$/MTok tokens summed a million times is exactly 300,000 µ$.
    const p = price('openai', 'gpt-4.1-nano');
    let total = 0;
    for (let i = 0; i < 1000; i++) total += costMicros(u({ inputTokens: 1000 }), p); // 1000 × $0.10/MTok = 100 µ$ each
    expect(total).toBe(100_000);
    expect(costMicros(u({ inputTokens: 3_000_000_000, outputTokens: 1_000_000_000 }), price('anthropic', 'claude-opus-4-1'))).toBe(120_000_000_000);
  });
});

describe('usage readers on recorded bytes', () => {
  it('Anthropic: a reported thinking count wins over the estimate', () => {
    const body = JSON.stringify({
      content: [{ type: 'thinking', thinking: 'x'.repeat(400), signature: 's' }],
      usage: { input_tokens: 598, output_tokens: 92, output_tokens_details: { thinking_tokens: 53 } },
    });
    expect(usageFromBody('anthropic', body)).toMatchObject({ outputTokens: 92, reasoningTokens: 53, reasoningEstimated: false });
    // Without it, the share is estimated from the thinking text (≈ 4 chars a token) and marked.
    const old = JSON.stringify({ content: [{ type: 'thinking', thinking: 'x'.repeat(400), signature: 's' }], usage: { input_tokens: 598, output_tokens: 92 } });
    expect(usageFromBody('anthropic', old)).toMatchObject({ outputTokens: 92, reasoningTokens: 92, reasoningEstimated: true });
  });

  it('Anthropic: a total without the 5 m / 1 h split is flagged for attribution', () => {
    expect(anthropicUsage({ input_tokens: 6, cache_creation_input_tokens: 3337, cache_read_input_tokens: 6289, output_tokens: 198 })).toMatchObject({
      cacheWrite5mTokens: 3337,
      cacheWrite1hTokens: 0,
      cacheSplitMissing: true,
    });
    expect(anthropicUsage({ input_tokens: 3, cache_creation_input_tokens: 418, cache_creation: { ephemeral_5m_input_tokens: 18, ephemeral_1h_input_tokens: 400 } })).toMatchObject({
      cacheWrite5mTokens: 18,
      cacheWrite1hTokens: 400,
      cacheSplitMissing: false,
    });
  });

  it('OpenAI: cached and written prompt tokens are taken out of plain input', () => {
    expect(openaiUsage({ prompt_tokens: 4020, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 4012, cache_write_tokens: 0 } })).toMatchObject({ inputTokens: 8, cacheReadTokens: 4012 });
    expect(openaiUsage({ prompt_tokens: 5000, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 4096 } })).toMatchObject({ inputTokens: 904, cacheWrite5mTokens: 4096 });
  });

  it('Gemini: cachedContentTokenCount and thoughtsTokenCount from gemini/nonstream-cached-content-token-count', () => {
    const doc = parse(readFileSync(`${FIXTURES}gemini/nonstream-cached-content-token-count.pydantic-ai.cassette.yaml`, 'utf8')) as { interactions: { request: { uri: string }; response: { parsed_body?: unknown } }[] };
    const gen = doc.interactions.find((i) => i.request.uri.endsWith(':generateContent'));
    const body = JSON.stringify(gen?.response.parsed_body);
    // promptTokenCount 3,520 of which 3,512 cached; 2 candidates + 42 thoughts.
    const usage = usageFromBody('gemini', body);
    expect(usage).toMatchObject({ inputTokens: 8, cacheReadTokens: 3512, outputTokens: 44, reasoningTokens: 42 });
    // gemini-2.5-flash: 8 × $0.30 + 3,512 × $0.03 + 44 × $2.50 = 2.4 + 105.36 + 110 = 217.76 µ$ → 218 µ$
    expect(costMicros(usage!, price('gemini', 'gemini-2.5-flash'))).toBe(218);
  });
});

describe('cache write attribution when Anthropic omits the split', () => {
  const big = 'x'.repeat(3000);
  it('all 1 h when every breakpoint asks for an hour, all 5 m when none does', () => {
    const oneHour = { system: [{ type: 'text', text: big, cache_control: { type: 'ephemeral', ttl: '1h' } }], messages: [{ role: 'user', content: 'hi' }] };
    expect(splitCacheWrites(900, 0, oneHour)).toEqual({ w5m: 0, w1h: 900 });
    const fiveMin = { system: [{ type: 'text', text: big, cache_control: { type: 'ephemeral' } }], messages: [] };
    expect(splitCacheWrites(900, 0, fiveMin)).toEqual({ w5m: 900, w1h: 0 });
  });

  it('mixed: the prefix up to the last 1 h breakpoint is 1 h, the rest 5 m, net of cache reads', () => {
    // Tools (1 h) then a same-sized system block (5 m): half the prefix is 1 h.
    const body = {
      tools: [{ name: 't', description: big, input_schema: { type: 'object' }, cache_control: { type: 'ephemeral', ttl: '1h' } }],
      system: [{ type: 'text', text: big + 'y'.repeat(95), cache_control: { type: 'ephemeral', ttl: '5m' } }],
      messages: [{ role: 'user', content: 'hi' }],
    };
    const { w5m, w1h } = splitCacheWrites(2000, 0, body);
    expect(w5m + w1h).toBe(2000);
    expect(w1h).toBeGreaterThan(950);
    expect(w1h).toBeLessThan(1050);
    // When the 1 h part was read from cache, the writes are all 5 m.
    expect(splitCacheWrites(1000, 1000, body)).toEqual({ w5m: 1000, w1h: 0 });
  });
});

describe('cost arithmetic at the edges', () => {
  it('the double-precision path and the BigInt path round alike, half up', () => {
    const p: ModelPrice = { input: 1, output: 3, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0 };
    expect(costMicros(u({ inputTokens: 499_999 }), p)).toBe(0); // 0.499999 µ$
    expect(costMicros(u({ inputTokens: 500_000 }), p)).toBe(1); // 0.5 µ$ rounds up
    expect(costMicros(u({ inputTokens: 1_499_999 }), p)).toBe(1);
    const big: ModelPrice = { input: 1, output: 3_000_000_000, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0 };
    // Just below 2^53 (doubles): 1 + 3e6 × 3e9 = 9,000,000,000,000,001 → 9,000,000,000 µ$.
    expect(costMicros(u({ inputTokens: 1, outputTokens: 3_000_000 }), big)).toBe(9_000_000_000);
    // Past 2^53 (BigInt): 5e5 + 3e9 × 3e9 = 9e18 + 5e5 → 9,000,000,000,000.5 → …001 µ$.
    expect(costMicros(u({ inputTokens: 500_000, outputTokens: 3_000_000_000 }), big)).toBe(9_000_000_000_001);
  });

  it('a catalog answer holds for its UTC day only (the memo never carries a price across a change)', () => {
    expect(price('anthropic', 'claude-sonnet-5-5', new Date('2026-10-06T12:00:00Z')).cacheRead).toBe(200_000);
    expect(price('anthropic', 'claude-sonnet-5-5', new Date('2026-10-06T23:59:59.999Z')).cacheRead).toBe(200_000);
    expect(price('anthropic', 'claude-sonnet-5-5', new Date('2026-10-07T00:00:00Z')).cacheRead).toBe(100_000);
    expect(price('anthropic', 'claude-sonnet-5-5', new Date('2026-10-06T00:00:00Z')).cacheRead).toBe(200_000);
  });
});
