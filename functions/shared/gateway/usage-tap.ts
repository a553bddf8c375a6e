/**
 * The usage tap beside a pass-through stream: the upstream's events read for usage, stop reason
 * and content counts, after the bytes went out (design invariant 2) and in batches.
 *
 * Why batches: a 10 ms-gap stream wakes the process once per chunk, and a parse on every wake-up
 * runs the SSE parser and the reader with cold caches each time. Held and read sixteen at a time,
 * the same events cost less: paired runs of `test/bench/cpu-per-chunk.ts` put the parse on every
 * wake-up at about 5 µs of a pass-through chunk's CPU (of ≈ 60 µs), and batched at about half
 * that (test/bench/README.md). Nothing reads the usage before the stream ends, so nothing waits
 * for a batch: result() reads what is held first, on every path — a stream cut short is billed
 * for what it relayed, as before.
 *
 * Held chunks are the relayed Buffers themselves, not copies: node:http hands each body chunk
 * over in a Buffer of its own, and nothing on the relay path writes into one. The bound is a
 * count and a byte total, so a burst of large reads holds at most one batch's bytes.
 */
import type { StreamUsage, UsageReader } from '../protocol/adapter.js';
import { createSseParser } from '../protocol/sse.js';
import { streamEvent } from '../protocol/translate.js';

/** Chunks held before they are read (a batch), and the bytes that read them sooner. */
export const TAP_BATCH_CHUNKS = 16;
export const TAP_BATCH_BYTES = 64 * 1024;

export interface UsageTap {
  /** A chunk as it was relayed; read with its batch. */
  push(chunk: Buffer): void;
  /** Reads what is held and ends the event stream (a partial event is discarded): the usage. */
  result(): StreamUsage;
}

export function createUsageTap(reader: UsageReader, bounds: { chunks: number; bytes: number } = { chunks: TAP_BATCH_CHUNKS, bytes: TAP_BATCH_BYTES }): UsageTap {
  // Most events are read from their text alone (the reader's data templates); the rest are parsed once.
  const parser = createSseParser((e) => {
    if (!reader.fromText?.(e.data)) reader.event(streamEvent(e));
  });
  let held: Buffer[] = [];
  let heldBytes = 0;
  const read = (): void => {
    const batch = held;
    held = [];
    heldBytes = 0;
    for (const c of batch) parser.push(c);
  };
  let ended = false;
  return {
    push(chunk) {
      if (ended) return;
      held.push(chunk);
      heldBytes += chunk.length;
      if (held.length >= bounds.chunks || heldBytes >= bounds.bytes) read();
    },
    result() {
      if (!ended) {
        ended = true;
        read();
        parser.end();
      }
      return reader.result();
    },
  };
}
