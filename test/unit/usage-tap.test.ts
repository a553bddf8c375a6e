/**
 * The batched usage tap (gateway/usage-tap.ts) bills exactly what reading every chunk on arrival
 * billed: the same usage, stop reason and content counts for every recorded stream, however its
 * bytes are cut into reads and wherever the stream is cut short, with at most one batch held.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StreamEvent, UsageReader } from '../../functions/shared/protocol/adapter.js';
import { adapterFor } from '../../functions/shared/protocol/registry.js';
import { createSseParser } from '../../functions/shared/protocol/sse.js';
import { streamEvent } from '../../functions/shared/protocol/translate.js';
import { LEGACY_PROTOCOL_NAMES } from '../../functions/shared/protocol/wire.js';
import { createUsageTap, TAP_BATCH_BYTES, TAP_BATCH_CHUNKS } from '../../functions/shared/gateway/usage-tap.js';
import { recorded } from '../protocol/fixtures.js';

const streams = recorded().filter((r) => r.stream && r.status === 200);
const readerOf = (provider: keyof typeof LEGACY_PROTOCOL_NAMES): UsageReader => adapterFor(LEGACY_PROTOCOL_NAMES[provider]).usage.reader();

/** What the relay read before this module: every chunk parsed as it arrived, every event parsed. */
function onArrival(reader: UsageReader, chunks: Buffer[]): ReturnType<UsageReader['result']> {
  const p = createSseParser((e) => reader.event(streamEvent(e)));
  for (const c of chunks) p.push(c);
  p.end();
  return reader.result();
}

/** The body cut at the given offsets (sorted, deduplicated), as the reads of a socket would cut it. */
function cut(body: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map((a) => a % (body.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let s = 0;
  for (const p of [...points, body.length]) {
    if (p > s) out.push(body.subarray(s, p));
    s = Math.max(s, p);
  }
  return out;
}

describe('the batched tap reads what reading on arrival read', () => {
  it.each(streams.map((r) => [r.name, r] as const))('%s: whole, one event a read, and cut short after every read', (_n, r) => {
    const provider = r.provider as keyof typeof LEGACY_PROTOCOL_NAMES;
    const body = Buffer.from(r.body, 'utf8');
    const perEvent = r.body.split(/(?<=\r?\n\r?\n)/).map((e) => Buffer.from(e, 'utf8'));
    for (const chunks of [[body], perEvent]) {
      for (let k = 0; k <= chunks.length; k++) {
        const tap = createUsageTap(readerOf(provider));
        for (const c of chunks.slice(0, k)) tap.push(c);
        expect(tap.result()).toEqual(onArrival(readerOf(provider), chunks.slice(0, k)));
      }
    }
  });

  it('with the bytes cut anywhere (inside events, lines and UTF-8 characters)', () => {
    const cases = streams.map((r) => ({ provider: r.provider as keyof typeof LEGACY_PROTOCOL_NAMES, body: Buffer.from(r.body, 'utf8') }));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: cases.length - 1 }), fc.array(fc.nat(), { maxLength: 60 }), fc.nat(), (i, at, stop) => {
        const { provider, body } = cases[i] as (typeof cases)[number];
        const chunks = cut(body, at);
        const k = stop % (chunks.length + 1); // cut short after k reads
        const tap = createUsageTap(readerOf(provider));
        for (const c of chunks.slice(0, k)) tap.push(c);
        expect(tap.result()).toEqual(onArrival(readerOf(provider), chunks.slice(0, k)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('what the tap holds', () => {
  /** A reader that only counts the events it is given. */
  const counting = (): UsageReader & { events: number } => {
    const r = {
      events: 0,
      event(_e: StreamEvent) {
        r.events++;
      },
      result: () => ({ usage: null, stopReason: null, sawContent: false, upstreamError: false }),
    };
    return r;
  };
  const event = (n: number): Buffer => Buffer.from(`data: {"n":${n}}\n\n`);

  it('reads a batch once it has its count of chunks, and the rest at the end', () => {
    const r = counting();
    const tap = createUsageTap(r);
    for (let i = 0; i < TAP_BATCH_CHUNKS - 1; i++) tap.push(event(i));
    expect(r.events).toBe(0);
    tap.push(event(99));
    expect(r.events).toBe(TAP_BATCH_CHUNKS);
    tap.push(event(100));
    tap.result();
    expect(r.events).toBe(TAP_BATCH_CHUNKS + 1);
  });

  it('reads at once when the held bytes reach their bound (a burst of large reads)', () => {
    const r = counting();
    const tap = createUsageTap(r);
    const big = Buffer.from(`data: {"t":"${'x'.repeat(TAP_BATCH_BYTES)}"}\n\n`);
    tap.push(big);
    expect(r.events).toBe(1);
  });

  it('ends once: a second result() reads nothing new, a push after it is ignored', () => {
    const r = counting();
    const tap = createUsageTap(r);
    tap.push(event(1));
    tap.result();
    tap.push(event(2));
    tap.result();
    expect(r.events).toBe(1);
  });
});
