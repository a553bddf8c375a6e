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
 * Holds the upstream's chunks until its first content. push() each chunk as it arrives: while
 * the preamble lasts it is held and push() returns undefined; the chunk that brings content
 * returns every chunk so far, in order, and from then on `open` is true and the caller relays
 * chunks directly, so nothing sits between later chunks and the client. An error event before
 * content throws PreContentFailure.
 */
export class ContentGate {
  open = false;
  private held: Buffer[] = [];
  private verdict: StreamEventKind | undefined;
  private readonly parser;

  constructor(kind: (e: StreamEvent) => StreamEventKind) {
    this.parser = createSseParser((e) => {
      if (this.verdict) return;
      const k = kind(streamEvent(e));
      if (k !== 'preamble') this.verdict = k;
    });
  }

  push(chunk: Buffer): Buffer[] | undefined {
    this.held.push(chunk);
    this.parser.push(chunk);
    if (this.verdict === 'error') throw new PreContentFailure('stream-error', 'the upstream sent an error event before any content');
    if (this.verdict !== 'content') return undefined;
    this.open = true;
    const out = this.held;
    this.held = [];
    return out;
  }

  /** The body ended: before content that is a failure to retry on. */
  ended(): void {
    if (!this.open) throw new PreContentFailure('empty', 'the upstream stream ended before any content');
  }

  /**
   * What a failure of the body (or of the relay) means: before content, a PreContentFailure to
   * retry on — unless EzyBus caused it itself (`aborted`: a deadline), which is not retried;
   * after content, the failure as it was.
   */
  failure(err: unknown, aborted: boolean): unknown {
    if (this.open || err instanceof PreContentFailure || aborted) return err;
    return new PreContentFailure('reset', `the upstream stream broke before any content: ${err instanceof Error ? err.message : String(err)}`);
  }
}
