/**
 * The recorded Responses streams and bodies replayed through the parser (upstream → canonical),
 * back out through the Responses encoder, and into the other client protocols: what a client
 * reads (text, calls, usage) must equal what the provider sent.
 */
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../../functions/shared/protocol/canonical.js';
import { createSseParser, type SseEvent } from '../../../functions/shared/protocol/sse.js';
import { clientSide } from '../../../functions/shared/protocol/registry.js';
import { streamEvent } from '../../../functions/shared/protocol/translate.js';
import { messageFromResponses, messageToResponses } from '../../../functions/shared/protocol/responses/body.js';
import { responseEcho } from '../../../functions/shared/protocol/responses/output.js';
import { responsesParser } from '../../../functions/shared/protocol/responses/stream-in.js';
import { responsesEncoder } from '../../../functions/shared/protocol/responses/stream-out.js';
import { toolKindsOf } from '../../../functions/shared/protocol/responses/tools.js';
import { responsesUsage, responsesUsageReader } from '../../../functions/shared/protocol/responses/usage.js';
import { responsesRecorded } from './fixtures.js';

type J = Record<string, unknown>;

function sse(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  const p = createSseParser((e) => out.push(e));
  p.push(text);
  p.end();
  return out;
}

/** What a Responses client reads from a stream: its text, calls, final usage, status. */
function read(text: string): { text: string; calls: { name: string; arguments: string; call_id: string }[]; usage: J | undefined; status: string | undefined; seq: number[]; types: string[] } {
  const r = { text: '', calls: [] as { name: string; arguments: string; call_id: string }[], usage: undefined as J | undefined, status: undefined as string | undefined, seq: [] as number[], types: [] as string[] };
  for (const e of sse(text)) {
    const d = JSON.parse(e.data) as J;
    r.types.push(String(d.type));
    expect(e.event).toBe(d.type);
    if (typeof d.sequence_number === 'number') r.seq.push(d.sequence_number);
    if (d.type === 'response.output_text.delta') r.text += String(d.delta);
    if (d.type === 'response.output_item.done') {
      const item = d.item as J;
      if (item.type === 'function_call') r.calls.push({ name: String(item.name), arguments: String(item.arguments), call_id: String(item.call_id) });
    }
    if (d.type === 'response.completed' || d.type === 'response.incomplete') {
      const resp = d.response as J;
      r.usage = resp.usage as J;
      r.status = String(resp.status);
    }
  }
  return r;
}

function parseAll(body: string, chunkSize = 0): CanonicalEvent[] {
  const p = responsesParser();
  const events: CanonicalEvent[] = [];
  const sp = createSseParser((e) => events.push(...p.push(streamEvent(e))));
  if (chunkSize) for (let i = 0; i < body.length; i += chunkSize) sp.push(body.slice(i, i + chunkSize));
  else sp.push(body);
  sp.end();
  events.push(...p.end());
  return events;
}

const all = responsesRecorded();
const streams = all.filter((r) => r.stream && r.status === 200);
const bodies = all.filter((r) => !r.stream && r.status === 200 && r.body.includes('"object":"response"'));

describe('recorded Responses streams', () => {
  it('has the recordings', () => expect(streams.length).toBeGreaterThanOrEqual(5));

  for (const r of streams) {
    it(`${r.name}: parser → Responses encoder keeps text, calls and usage exact`, () => {
      const upstream = read(r.body);
      // Split into small reads: the SSE parser must not care where chunks break.
      const events = parseAll(r.body, 97);
      expect(events[0]?.type).toBe('message_start');
      expect(events.at(-1)?.type).toBe('message_stop');
      const enc = responsesEncoder({ publicModel: 'public', echo: responseEcho(r.request ?? {}), kinds: toolKindsOf(r.request ?? {}) });
      const out = read(events.map((e) => enc.push(e)).join(''));
      expect(out.text).toBe(upstream.text);
      expect(out.calls.map((c) => [c.name, c.arguments, c.call_id])).toEqual(upstream.calls.map((c) => [c.name, c.arguments, c.call_id]));
      expect(out.usage).toEqual(upstream.usage);
      expect(out.status).toBe(upstream.status);
      // Sequence numbers: 0, 1, 2, … with no gap.
      expect(out.seq).toEqual(out.seq.map((_, i) => i));
      expect(out.types.slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
      expect(out.types.at(-1)).toBe('response.completed');
    });

    it(`${r.name}: parser → Chat Completions and Anthropic clients see the same text and calls`, () => {
      const upstream = read(r.body);
      const events = parseAll(r.body);
      const oa = clientSide('chat-completions').encoder({ publicModel: 'public', includeUsage: true, request: {} });
      let text = '';
      const args = new Map<number, string>();
      let usage: J | undefined;
      for (const e of sse(events.map((x) => oa.push(x)).join(''))) {
        if (e.data === '[DONE]') continue;
        const d = JSON.parse(e.data) as { choices: { delta: { content?: string; tool_calls?: { index: number; function: { arguments?: string } }[] } }[]; usage?: J };
        for (const c of d.choices) {
          text += c.delta.content ?? '';
          for (const t of c.delta.tool_calls ?? []) args.set(t.index, (args.get(t.index) ?? '') + (t.function.arguments ?? ''));
        }
        if (d.usage) usage = d.usage;
      }
      expect(text).toBe(upstream.text);
      expect([...args.values()]).toEqual(upstream.calls.map((c) => c.arguments));
      const u = upstream.usage as { input_tokens: number; output_tokens: number; output_tokens_details: { reasoning_tokens: number }; input_tokens_details: { cached_tokens: number } };
      expect(usage).toMatchObject({ prompt_tokens: u.input_tokens, completion_tokens: u.output_tokens, completion_tokens_details: { reasoning_tokens: u.output_tokens_details.reasoning_tokens } });
      const an = clientSide('messages').encoder({ publicModel: 'public', includeUsage: true, request: {} });
      let atext = '';
      for (const e of sse(events.map((x) => an.push(x)).join(''))) {
        const d = JSON.parse(e.data) as { type: string; delta?: { text?: string } };
        if (d.type === 'content_block_delta') atext += d.delta?.text ?? '';
      }
      expect(atext).toBe(upstream.text);
    });

    it(`${r.name}: the pass-through usage reader reports the provider's usage exactly`, () => {
      const reader = responsesUsageReader();
      for (const e of sse(r.body)) reader.event(streamEvent(e));
      const res = reader.result();
      expect(res.usage).toEqual(responsesUsage(read(r.body).usage ?? {}));
      expect(res.stopReason).toBe('completed');
      expect(res.upstreamError).toBe(false);
    });
  }

  it('a reasoning item becomes signed thinking carrying the final encrypted_content, not the first', () => {
    const r = streams.find((s) => s.name.startsWith('stream-reasoning-encrypted-content-function-call'))!;
    const events = parseAll(r.body);
    const sig = events.find((e) => e.type === 'content_block_delta' && e.delta.type === 'signature_delta');
    const done = sse(r.body)
      .map((e) => JSON.parse(e.data) as J)
      .find((d) => d.type === 'response.output_item.done' && (d.item as J).type === 'reasoning')!;
    const payload = JSON.parse(Buffer.from((sig as { delta: { signature: string } }).delta.signature.slice('responses:'.length), 'base64url').toString()) as { e: string };
    expect(payload.e).toBe((done.item as J).encrypted_content);
  });

  it('a cut stream is estimated, flagged, and has no stop reason', () => {
    const r = streams.find((s) => s.name.startsWith('stream-text-basic'))!;
    const reader = responsesUsageReader();
    for (const e of sse(r.body.slice(0, r.body.indexOf('event: response.output_text.done')))) reader.event(streamEvent(e));
    const res = reader.result();
    expect(res.stopReason).toBeNull();
    expect(res.usage).toMatchObject({ estimated: true });
    expect(res.usage!.outputTokens).toBeGreaterThan(0);
  });
});

describe('recorded Responses bodies', () => {
  it('has the recordings', () => expect(bodies.length).toBeGreaterThanOrEqual(6));
  for (const r of bodies) {
    it(`${r.name}: body → canonical → Responses body keeps text, calls and usage`, () => {
      const d = JSON.parse(r.body) as J;
      const m = messageFromResponses(d);
      const back = messageToResponses(m, { publicModel: 'public', echo: responseEcho(r.request ?? {}), kinds: toolKindsOf(r.request ?? {}) });
      const textOf = (x: J): string =>
        ((x.output as J[]) ?? [])
          .filter((i) => i.type === 'message')
          .flatMap((i) => i.content as J[])
          .map((p) => String(p.text ?? ''))
          .join('');
      const callsOf = (x: J): unknown[] => ((x.output as J[]) ?? []).filter((i) => i.type === 'function_call').map((i) => [i.name, i.arguments, i.call_id]);
      expect(textOf(back)).toBe(textOf(d));
      expect(callsOf(back)).toEqual(callsOf(d));
      expect(back.usage).toEqual({ ...(d.usage as J), input_tokens_details: { cached_tokens: ((d.usage as J).input_tokens_details as J).cached_tokens } });
      expect(back.status).toBe(d.status);
      expect(m.stop_reason).toBe(callsOf(d).length ? 'tool_use' : 'end_turn');
    });
  }
});
