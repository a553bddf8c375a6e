/**
 * An upstream that answers 200 and then fails before any content (issue 16 item 1): a connection
 * reset after the head, the provider's own error event (Anthropic `event: error` overloaded_error,
 * OpenAI's error chunk) or an end of stream, each right after the provider's preamble. The client
 * must see a normal answer from the next key, the faulty key must be rested (a cooldown in the
 * shared health records), and the usage record must name the failed attempt — pass-through and translated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUpstream, addUpstreamKey, setRoute } from '../../functions/shared/admin/ops.js';
import type { UsageRecord } from '../../functions/shared/usage/record.js';
import { listHealth } from '../../functions/shared/upstream/health.js';
import { startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
beforeAll(async () => {
  s = await startStack({ EZYBUS_CACHE_TTL_MS: '200' });
});
afterAll(async () => s?.close());

let n = 0;
async function pool(protocol: 'openai' | 'anthropic', keys: string[]): Promise<string> {
  const id = `pre-${++n}`;
  await addUpstream(id, protocol, s.sim.url);
  for (const [i, k] of keys.entries()) await addUpstreamKey(id, k, `k${i + 1}`);
  const model = `${id}-model`;
  await setRoute(model, [{ upstream: id, model: `${protocol}-sim` }]);
  await new Promise((r) => setTimeout(r, 250)); // past the route cache TTL
  return model;
}

function ask(client: 'openai' | 'anthropic', model: string): Promise<Response> {
  return client === 'openai'
    ? fetch(`${s.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${s.key}` },
        body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      })
    : fetch(`${s.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': s.key, 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model, max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      });
}

function recordOf(requestId: string | null): UsageRecord {
  for (const l of s.logs) {
    const o = JSON.parse(l) as { msg?: string; requestId?: string; record?: UsageRecord };
    if (o.msg === 'request' && o.requestId === requestId && o.record) return o.record;
  }
  throw new Error(`no usage record for ${requestId}`);
}

const OUTCOME = { reset: 'reset', error: 'stream-error', end: 'empty' } as const;

describe('a stream that fails before its first content fails over', () => {
  const cases = (['reset', 'error', 'end'] as const).flatMap((fault) =>
    (
      [
        ['openai', 'openai'],
        ['anthropic', 'anthropic'],
        ['openai', 'anthropic'],
        ['anthropic', 'openai'],
      ] as const
    ).map(([client, upstream]) => [fault, client, upstream] as const),
  );
  it.each(cases)('%s: %s client, %s upstream', async (fault, client, upstream) => {
    const faulty = `sim-bad-${fault}-${client}-${upstream};pre_content=${fault}`;
    const model = await pool(upstream, [faulty, 'sim-good']);
    const from = s.sim.received.length;
    const seen: UsageRecord[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await ask(client, model);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toContain('error');
      expect(text).toMatch(client === 'openai' ? /data: \[DONE\]/ : /event: message_stop/);
      // One message: the faulty attempt's preamble never reached the client.
      expect(text.match(client === 'openai' ? /"role":"assistant"/g : /event: message_start/g)).toHaveLength(1);
      seen.push(recordOf(res.headers.get('x-request-id')));
    }
    const faultyTries = s.sim.received.slice(from).filter((r) => r.apiKey === faulty).length;
    expect(faultyTries).toBeGreaterThanOrEqual(1);
    // Every request that met the faulty key failed over within itself, and its record says so.
    const failedOver = seen.filter((r) => r.attempts.length > 1);
    expect(failedOver).toHaveLength(faultyTries);
    for (const r of failedOver) expect(r.attempts.map((a) => a.outcome)).toEqual([OUTCOME[fault], 200]);
    // The key was rested through the health records every instance reads (its cooldown may
    // already have run out on a slow machine, so the record is what is checked, not the clock).
    // The invocations write it after the client's last byte, before they return: wait for them.
    await s.gw.runtime.settled();
    const ref = `${model.replace(/-model$/, '')}/k1`;
    expect((await listHealth()).get(ref)?.failures ?? 0).toBeGreaterThanOrEqual(1);
  });

  it('when every key fails before content, the client gets one clear error naming the attempts', async () => {
    const model = await pool('anthropic', ['sim-x;pre_content=error', 'sim-y;pre_content=reset']);
    const res = await ask('anthropic', model);
    const text = await res.text();
    expect(text.match(/^event: error$/gm)).toHaveLength(1);
    expect(text).not.toContain('event: message_start');
    expect(text).toMatch(/attempt\(s\).*stream-error.*reset|attempt\(s\).*reset.*stream-error/);
  });
});
