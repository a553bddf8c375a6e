/**
 * The documented ledger delay (README limits, docs/pricing.md "How soon readers see a record"):
 * with `npm start`'s in-process writer, a finished request's record is readable in the ledger —
 * where `ezybus usage` and the console read it — within the stated bound after its last byte
 * reached the client. Measured over streamed and non-stream requests, and while 20 other
 * requests are in flight, so the bound holds under load and not only for a lone request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getUsageRecord } from '../../functions/shared/store/repo.js';
import { MODELS, startStack, type Stack } from '../helpers/stack.js';

/** The bound the README states for the local writer. */
const LOCAL_BOUND_MS = 2000;

let s: Stack;
beforeAll(async () => {
  s = await startStack();
});
afterAll(async () => s?.close());

async function oneRequest(i: number): Promise<number> {
  const stream = i % 2 === 0;
  const res = await fetch(`${s.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: i % 3 === 0 ? MODELS.anthropic : MODELS.openai, stream, messages: [{ role: 'user', content: `delay ${i}` }] }),
  });
  expect(res.status).toBe(200);
  const id = res.headers.get('x-request-id')!;
  await res.text();
  const done = performance.now();
  for (;;) {
    if (await getUsageRecord(id)) return performance.now() - done;
    if (performance.now() - done > 10_000) return Infinity;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('ledger delay, local writer', () => {
  it(`every record is in the ledger within ${LOCAL_BOUND_MS} ms of its response's end, alone and with 20 requests in flight`, { timeout: 120_000 }, async () => {
    const alone: number[] = [];
    for (let i = 0; i < 10; i++) alone.push(await oneRequest(i));
    const loaded = await Promise.all(Array.from({ length: 20 }, (_, i) => oneRequest(100 + i)));
    const fmt = (xs: number[]): string => {
      const v = [...xs].sort((a, b) => a - b);
      return `median ${Math.round(v[Math.floor(v.length / 2)]!)} ms, max ${Math.round(v[v.length - 1]!)} ms`;
    };
    process.stderr.write(`[ledger-delay] alone: ${fmt(alone)}; 20 in flight: ${fmt(loaded)}\n`);
    for (const d of [...alone, ...loaded]) expect(d).toBeLessThan(LOCAL_BOUND_MS);
  });
});
