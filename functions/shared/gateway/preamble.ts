/**
 * Failover before the first content (design invariant 4, issue 16 item 1). A 200 stream head is
 * not yet an answer: an upstream may send its preamble (message_start, a role-only chunk, pings)
 * and then fail — a connection reset, an Anthropic `event: error` (overloaded_error), an OpenAI
 * error chunk. Nothing of the upstream reaches the client until its first content, so such a
 * failure is retried on the next key exactly as a failed head would be.
 *
 * The gate reads the upstream's bytes with its own SSE parser only while the preamble lasts
 * (a few events), holds them, and releases them in order with the chunk that brings content.
 */
import type { StreamEvent, StreamEventKind } from '../protocol/adapter.js';
import { createSseParser } from '../protocol/sse.js';
import { streamEvent } from '../protocol/translate.js';

/** The upstream failed before any content: nothing was written, another key may be tried. */
export class PreContentFailure extends Error {
  override name = 'PreContentFailure';
  constructor(
    /** The attempt's outcome in the usage record: 'stream-error', 'reset' or 'empty'. */
    readonly outcome: 'stream-error' | 'reset' | 'empty',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads the upstream body until its first content and returns every chunk so far (the held
 * preamble and the chunk with the content), in order; the caller goes on reading the same
 * iterator directly, so nothing sits between later chunks and the client. Throws
 * PreContentFailure for an error event, a broken connection or an end before content;
 * `aborted()` tells a failure EzyBus caused itself (deadlines), which is not retried.
 */
export async function awaitContent(body: AsyncIterator<Buffer>, kind: (e: StreamEvent) => StreamEventKind, aborted: () => boolean, onChunk: () => void): Promise<Buffer[]> {
  const held: Buffer[] = [];
  let verdict: StreamEventKind | undefined;
  const parser = createSseParser((e) => {
    if (verdict) return;
    const k = kind(streamEvent(e));
    if (k !== 'preamble') verdict = k;
  });
  try {
    for (;;) {
      const r = await body.next();
      if (r.done) throw new PreContentFailure('empty', 'the upstream stream ended before any content');
      onChunk();
      held.push(r.value);
      parser.push(r.value);
      if (verdict === 'error') throw new PreContentFailure('stream-error', 'the upstream sent an error event before any content');
      if (verdict === 'content') return held;
    }
  } catch (err) {
    if (err instanceof PreContentFailure || aborted()) throw err;
    throw new PreContentFailure('reset', `the upstream stream broke before any content: ${err instanceof Error ? err.message : String(err)}`);
  }
}
