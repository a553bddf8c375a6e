/**
 * Caches under concurrent refresh, as a Web Function sees them: many requests of one key arrive
 * in one process while its cache entry is missing. They share one store read per cache (keys,
 * routes, upstreams), every one of them is answered, and all are billed to that key.
 */
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayKey } from '../../functions/shared/admin/ops.js';
import { forgetStoreViews } from '../../functions/shared/context.js';
import { MODELS, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
beforeAll(async () => {
  s = await startStack({}, 'web');
});
afterAll(async () => s?.close());

describe('caches under concurrent refresh (one process, many requests)', () => {
  it('64 concurrent first requests of a new key: one key read, one route read, 64 answers on that key', async () => {
    const { key, record } = await createGatewayKey({ name: 'herd' });
    forgetStoreViews(s.gw.gateway);
    const reads: string[] = [];
    const onRequest = (req: IncomingMessage): void => {
      const op = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if (op === 'GetItem' && body.includes('"key#')) reads.push('key');
        if (op === 'Query' && body.includes('route')) reads.push('routes');
      });
    };
    s.gw.storeServer!.prependListener('request', onRequest);
    try {
      const res = await Promise.all(
        Array.from({ length: 64 }, (_, i) =>
          fetch(`${s.url}/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
            body: JSON.stringify({ model: MODELS.openai, messages: [{ role: 'user', content: `hi ${i}` }] }),
          }).then(async (r) => ({ status: r.status, id: r.headers.get('x-request-id'), body: await r.text() })),
        ),
      );
      expect(res.map((r) => r.status)).toEqual(Array(64).fill(200));
      expect(reads.filter((r) => r === 'key')).toHaveLength(1);
      expect(reads.filter((r) => r === 'routes').length).toBeLessThanOrEqual(1);
      while (s.gw.runtime.inflight() > 0) await new Promise((r) => setImmediate(r));
      const ids = new Set(res.map((r) => r.id));
      const billed = s.logs.map((l) => JSON.parse(l) as { msg: string; requestId: string; record?: { keyId: string } }).filter((l) => l.msg === 'request' && ids.has(l.requestId));
      expect(billed).toHaveLength(64);
      expect(billed.every((l) => l.record?.keyId === record.id)).toBe(true);
    } finally {
      s.gw.storeServer!.off('request', onRequest);
    }
  });
});
