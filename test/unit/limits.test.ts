/**
 * gateway/limits.ts on its own, against dynalite: the estimates admission uses, RPM and TPM
 * windows, and the budget reservation — one conditional update that refuses what does not fit,
 * judges ledgers written before reservations by their spend, and names its bucket so the ledger
 * writer can settle or release it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUpstream } from '../../functions/shared/admin/ops.js';
import { storeWithGateway, type LocalStore } from '../helpers/store.js';
import { GatewayError } from '../../functions/shared/gateway/errors.js';
import { admit, budgetInput, estimateTokens, outputCap, reservationTokens, reserve, shardsFor, BUDGET_DEFAULT_MAX_OUTPUT } from '../../functions/shared/gateway/limits.js';
import { dynamo, marshal } from '../../functions/shared/store/dynamo.js';
import type { GatewayKey, Route } from '../../functions/shared/store/records.js';
import { listTotals } from '../../functions/shared/store/repo.js';
import { reservationBucket } from '../../functions/shared/usage/totals.js';

let store: LocalStore;
beforeAll(async () => {
  store = await storeWithGateway('limits');
});
afterAll(async () => store?.close());

let n = 0;
const key = (over: Partial<GatewayKey> = {}): GatewayKey => ({ id: `key${++n}`, hash: 'h', prefix: 'p', name: 'n', createdAt: 0, ...over });
const outcome = (p: Promise<void>): Promise<string> => p.then(() => 'ok', (e: unknown) => (e instanceof GatewayError ? `${e.status} ${e.kind}` : 'other'));

describe('estimates', () => {
  it('shards high limits so one partition never caps them', () => {
    expect(shardsFor(100)).toBe(1);
    expect(shardsFor(30_000)).toBe(1);
    expect(shardsFor(30_001)).toBe(2);
  });

  it('reads the output cap of every protocol', () => {
    expect(outputCap({ max_tokens: 10 })).toBe(10);
    expect(outputCap({ max_completion_tokens: 11 })).toBe(11);
    expect(outputCap({ max_output_tokens: 12 })).toBe(12);
    expect(outputCap({ generationConfig: { maxOutputTokens: 13 } })).toBe(13);
    expect(outputCap({ max_tokens: 'x' })).toBeUndefined();
  });

  it('TPM charges characters / 4 plus the cap; a reservation assumes 3 characters a token', () => {
    const text = 'x'.repeat(400);
    expect(estimateTokens(text, { max_tokens: 10 })).toBe(110);
    expect(estimateTokens(text, {})).toBe(1124);
    expect(reservationTokens(text, { max_tokens: 10 })).toEqual({ input: 134, output: 10 });
    expect(reservationTokens(text, {}).output).toBe(BUDGET_DEFAULT_MAX_OUTPUT);
  });

  it('a request’s maximum cost is priced at the dearest target of its route', async () => {
    await addUpstream('lim-an', 'anthropic', 'http://127.0.0.1:9');
    await addUpstream('lim-oa', 'openai', 'http://127.0.0.1:9');
    const route: Route = {
      model: 'pub',
      active: true,
      createdAt: 0,
      targets: [
        { upstream: 'lim-oa', model: 'gpt-4.1-nano', weight: 1, priority: 0 },
        { upstream: 'lim-an', model: 'claude-haiku-4-5', weight: 1, priority: 1 },
      ],
    };
    const text = 'x'.repeat(300); // 100 prompt tokens
    // claude-haiku-4-5: 100 × $2 (1 h cache write, its dearest input rate) + 50 × $5 = 200 + 250 µ$
    // gpt-4.1-nano: 100 × $0.10 + 50 × $0.40 = 30 µ$
    expect(await budgetInput(route, text, { max_tokens: 50 }).maxCostMicros()).toBe(450);
  });
});

describe('admission', () => {
  it('a key without limits is admitted with no store call', async () => {
    const a = admit(key(), 10);
    expect(await outcome(a.ready)).toBe('ok');
    expect(a.reservation()).toBeUndefined();
  });

  it('RPM refuses the request over the window’s limit', async () => {
    const k = key({ rpm: 2 });
    const now = Date.now();
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await outcome(admit(k, 1, undefined, now).ready));
    expect(results).toEqual(['ok', 'ok', '429 rate_limit']);
  });

  it('TPM refuses an estimate that does not fit, and settles with the real count', async () => {
    const k = key({ tpm: 100 });
    const now = Date.now();
    const a = admit(k, 80, undefined, now);
    expect(await outcome(a.ready)).toBe('ok');
    expect(await outcome(admit(k, 30, undefined, now).ready)).toBe('429 rate_limit');
    await a.settle(20); // the request used 20, not 80
    expect(await outcome(admit(k, 30, undefined, now).ready)).toBe('ok');
  });

  it('the budget reserves each request’s maximum cost and refuses what would not fit', async () => {
    const k = key({ budgetMicros: 1000 });
    const est = { maxCostMicros: async () => 400 };
    const now = Date.now();
    const a = [admit(k, 1, est, now), admit(k, 1, est, now), admit(k, 1, est, now)];
    const results = await Promise.all(a.map((x) => outcome(x.ready)));
    expect(results.sort()).toEqual(['402 budget_exceeded', 'ok', 'ok']);
    expect(a.map((x) => x.reservation()).filter(Boolean)).toEqual([
      { micros: 400, bucket: reservationBucket(now) },
      { micros: 400, bucket: reservationBucket(now) },
    ]);
    const all = (await listTotals(k.id)).find((t) => t.sk === 'all')?.values;
    expect(all).toMatchObject({ committedMicros: 800, [`r_${reservationBucket(now)}`]: 800 });
  });

  it('a ledger from before reservations is judged by its spend', async () => {
    const { client, sdk } = await dynamo();
    await client.send(new sdk.PutItemCommand({ TableName: 'ezybus-limits-usage', Item: marshal({ pk: 'tot#old', sk: 'all', costMicros: 900 }) }));
    expect(await reserve('old', 1000, 200)).toBeUndefined();
    expect(await reserve('old', 1000, 100)).toMatchObject({ micros: 100 });
  });

  it('a key whose budget is held by requests that died is not refused forever', async () => {
    const { client, sdk } = await dynamo();
    const old = reservationBucket(Date.now()) - 4;
    // Everything committed is a reservation of a request that never wrote its record.
    await client.send(new sdk.PutItemCommand({ TableName: 'ezybus-limits-usage', Item: marshal({ pk: 'tot#dead', sk: 'all', committedMicros: 1000, [`r_${old}`]: 1000, ledgerV2: true }) }));
    expect(await reserve('dead', 1000, 300)).toMatchObject({ micros: 300 });
    const all = (await listTotals('dead')).find((t) => t.sk === 'all')?.values;
    expect(all?.committedMicros).toBe(300);
    expect(all?.[`r_${old}`]).toBeUndefined();
  });

  it('a maximum cost above the whole budget is refused without a store call', async () => {
    expect(await reserve('never-written', 100, 101)).toBeUndefined();
    expect(await listTotals('never-written')).toEqual([]);
  });
});
