/**
 * Gateway keys as an operator configures them: RPM and TPM enforced across two gateway
 * processes sharing one store, the budget hard stop, expiry, model allow-lists, and revocation
 * reaching a warm gateway within the documented cache TTL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayKey } from '../../functions/shared/admin/ops.js';
import { listGatewayKeys, putGatewayKey } from '../../functions/shared/store/repo.js';
import { writeUsage } from '../../functions/shared/usage/ledger.js';
import { MODELS, startSecondInstance, startStack, type Stack } from '../helpers/stack.js';

const TTL = 300;
let s: Stack;
beforeAll(async () => (s = await startStack({ EZYBUS_CACHE_TTL_MS: String(TTL) })));
afterAll(async () => s?.close());

function chat(key: string, url = s.url, model: string = MODELS.openai): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 10 }),
  });
}

describe('limits and budgets', () => {
  it('RPM holds across two gateway processes sharing the store', async () => {
    const second = await startSecondInstance(s);
    try {
      // A fixed window restarts on the minute: a run that straddles one is run again with a
      // new key (the second run, a few seconds long, cannot straddle the next).
      for (let run = 0; ; run++) {
        const minute = Math.floor(Date.now() / 60_000);
        const { key } = await createGatewayKey({ name: 'rpm', rpm: 6 });
        const statuses: number[] = [];
        for (let i = 0; i < 5; i++) {
          statuses.push((await chat(key)).status);
          statuses.push((await chat(key, second.url)).status);
        }
        const refused = await chat(key);
        if (Math.floor(Date.now() / 60_000) !== minute && run === 0) continue;
        expect(statuses.filter((x) => x === 200)).toHaveLength(6);
        expect(statuses.filter((x) => x === 429)).toHaveLength(4);
        expect(refused.status).toBe(429);
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');
        break;
      }
    } finally {
      await second.close();
    }
  });

  it('TPM refuses a request whose estimate does not fit the minute', async () => {
    const { key } = await createGatewayKey({ name: 'tpm', tpm: 60 });
    expect((await chat(key)).status).toBe(200); // ~15 + 10 tokens estimated, corrected after
    const big = await fetch(`${s.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: MODELS.openai, messages: [{ role: 'user', content: 'x'.repeat(400) }], max_tokens: 10 }),
    });
    expect(big.status).toBe(429);
  });

  it('a spent budget is a hard stop with its own error', async () => {
    const { key, record } = await createGatewayKey({ name: 'budget', budgetMicros: 1000 });
    expect((await chat(key)).status).toBe(200);
    // The ledger shows more spend than the budget (a price override would do the same).
    await writeUsage({
      requestId: `budget-${Date.now()}`,
      lambdaRequestId: 'x',
      time: new Date().toISOString(),
      stage: 'local',
      fn: 'chat-completions',
      keyId: record.id,
      model: MODELS.openai,
      clientProtocol: 'openai',
      provider: 'openai',
      upstreamId: 'sim-openai',
      upstreamModel: 'x',
      upstreamKeyId: 'k',
      stream: false,
      status: 200,
      errorType: null,
      attempts: [],
      usage: null,
      costMicros: 5000,
      priceSource: 'builtin',
      priceVersion: 'test',
      ttfbMs: 0,
      durationMs: 0,
      upstreamMs: 0,
      overheadMs: 0,
      cutShort: null,
      notes: [],
    });
    // No spend cache to wait out: the next reservation reads the committed spend.
    const res = await chat(key);
    expect(res.status).toBe(402);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('budget_exceeded');
    const other = await startSecondInstance(s);
    const an = await fetch(`${other.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ model: MODELS.anthropic, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(((await an.json()) as { error: { type: string } }).error.type).toBe('billing_error');
    await other.close();
  });

  it('an expired key and a disallowed model are refused', async () => {
    const { key: expired } = await createGatewayKey({ name: 'old', expiresAt: Date.now() - 1000 });
    expect((await chat(expired)).status).toBe(401);
    const { key: narrow } = await createGatewayKey({ name: 'narrow', allowedModels: ['claude-*'] });
    const res = await chat(narrow);
    expect(res.status).toBe(403);
    const models = (await (await fetch(`${s.url}/v1/models`, { headers: { authorization: `Bearer ${narrow}` } })).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual([MODELS.anthropic]);
  });

  it('revocation reaches a warm gateway within the key cache TTL', async () => {
    const { key, record } = await createGatewayKey({ name: 'revoke-me' });
    expect((await chat(key)).status).toBe(200); // warm: the key is cached
    const found = (await listGatewayKeys()).find((k) => k.id === record.id)!;
    await putGatewayKey({ ...found, disabled: true });
    const revokedAt = Date.now();
    // What must hold however slow the machine: no request that started a TTL after the
    // revocation is served (the cache entry was loaded before it), and the key ends refused.
    let status = 200;
    let lastServedStart = revokedAt;
    while (status === 200 && Date.now() - revokedAt < TTL * 20) {
      const start = Date.now();
      status = (await chat(key)).status;
      if (status === 200) {
        lastServedStart = start;
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    expect(status).toBe(401);
    expect(lastServedStart - revokedAt).toBeLessThanOrEqual(TTL);
  });
});
