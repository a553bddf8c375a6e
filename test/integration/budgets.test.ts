/**
 * Budgets that hold: 50 concurrent clients on two gateway instances sharing one store, against
 * a key whose budget fits only part of them. Each request reserves its maximum cost with one
 * conditional update before any content goes out, so the spend that gets through stays within
 * the budget plus the documented overrun bound (what the requests in flight cost beyond their
 * reservations: nothing here, where every request names its output cap).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayKey, setRoute } from '../../functions/shared/admin/ops.js';
import { listTotals } from '../../functions/shared/store/repo.js';
import { startSecondInstance, startStack, type SecondInstance, type Stack } from '../helpers/stack.js';

let s: Stack;
let second: SecondInstance;
beforeAll(async () => {
  s = await startStack();
  await setRoute('bud-haiku', [{ upstream: 'sim-anthropic', model: 'claude-haiku-4-5' }]);
  second = await startSecondInstance(s);
});
afterAll(async () => {
  await second?.close();
  await s?.close();
});

function ask(url: string, key: string): Promise<Response> {
  return fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    // 60 output tokens, each request in flight for 300 ms so that all 50 overlap.
    body: JSON.stringify({ model: 'bud-haiku', max_tokens: 64, messages: [{ role: 'user', content: 'Budget check [[sim:tokens=60&ttft_ms=300]]' }] }),
  });
}

async function wave(key: string, n: number): Promise<{ admitted: number; refused: number; spent: number }> {
  const results = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const res = await ask(i % 2 ? second.url : s.url, key);
      await res.text();
      return { status: res.status, cost: Number(res.headers.get('x-ezybus-cost-micros') ?? 0) };
    }),
  );
  expect(results.map((r) => r.status).filter((x) => x !== 200 && x !== 402)).toEqual([]);
  return {
    admitted: results.filter((r) => r.status === 200).length,
    refused: results.filter((r) => r.status === 402).length,
    spent: results.reduce((a, r) => a + r.cost, 0),
  };
}

/** Waits until the ledger (both instances' writers) has counted `requests` for the key. */
async function ledgerCounted(keyId: string, requests: number): Promise<Record<string, number>> {
  for (;;) {
    await s.gw.ledger.flush();
    const all = (await listTotals(keyId)).find((t) => t.sk === 'all')?.values;
    if ((all?.requests ?? 0) >= requests) return all!;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('budget reservations', () => {
  it('50 concurrent clients on two instances: spend stays within the budget', { timeout: 60_000 }, async () => {
    const budget = 10_000; // $0.01; one request costs ~$0.0003
    const { key, record } = await createGatewayKey({ name: 'budget-50', budgetMicros: budget });
    const first = await wave(key, 50);
    expect(first.admitted).toBeGreaterThan(0);
    expect(first.refused).toBeGreaterThan(0);
    const overrun = Math.max(0, first.spent - budget);
    process.stderr.write(`[budgets] wave 1: ${first.admitted} admitted, ${first.refused} refused, spent ${first.spent} µ$ of ${budget} µ$, overrun ${overrun} µ$\n`);
    expect(overrun).toBe(0);
    // Once the ledger has settled every reservation, the room left is used and no more.
    const settled = await ledgerCounted(record.id, 50);
    expect(settled.costMicros).toBe(first.spent);
    expect(settled.committedMicros).toBe(first.spent);
    const next = await wave(key, 50);
    const total = first.spent + next.spent;
    process.stderr.write(`[budgets] wave 2: ${next.admitted} admitted, spent in all ${total} µ$ of ${budget} µ$, overrun ${Math.max(0, total - budget)} µ$\n`);
    expect(total).toBeLessThanOrEqual(budget);
    expect(next.admitted).toBeGreaterThan(0);
    const final = await ledgerCounted(record.id, 100);
    expect(final.committedMicros).toBe(total);
  });

  it('a request whose maximum cost cannot fit is refused up front, in the client’s protocol', async () => {
    const { key } = await createGatewayKey({ name: 'budget-tiny', budgetMicros: 50 });
    const res = await ask(s.url, key);
    expect(res.status).toBe(402);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('billing_error');
  });
});
