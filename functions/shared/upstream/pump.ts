/**
 * Reading an upstream body chunk by chunk without a promise per chunk.
 *
 * Why 'data' events and not a 'readable' listener with read() calls: in paused mode every chunk
 * goes through the body's buffer, a nextTick to emit 'readable', and read()'s bookkeeping before
 * it reaches the consumer; in flowing mode the HTTP parser's chunk is handed over where it is
 * parsed. At 10 ms between chunks — a chunk per wake-up — this pump and the usage tap's batches
 * (gateway/usage-tap.ts) together measured 4.3 µs less CPU per chunk (of ≈ 60) in paired runs,
 * 12 rounds in both orientations (test/bench/README.md, `--paired`); in bursts 0.6 µs more (of ≈ 5).
 *
 * A burst stays a few writes: the chunks one socket read holds are parsed in one go and emitted
 * back to back, so the first chunk of a read goes over at once and the rest of that read's
 * chunks follow as one concatenated chunk at the end of the tick (a nextTick: the same macrotask,
 * before any I/O wait), as read() handed over everything buffered. Which chunks share a read is
 * told by the socket's byte counter (it moves only when the socket reads), so a stream with gaps
 * — one chunk per read, what model output is — schedules no nextTick at all: scheduling it was
 * ≈ 3 % of the gateway's CPU in a V8 profile of 10 ms-gap Responses → Chat Completions streams
 * (`cpu-per-chunk.ts --profile`, test/bench/README.md). A body without a socket (a
 * stream in a test) defers every later chunk of a tick, as before. Backpressure stays: when the
 * consumer returns a promise (the client's stream is full) the body is paused, so its buffer
 * fills and Node stops reading the upstream socket, until the promise settles.
 */
import type { Readable } from 'node:stream';

const prematureClose = (): Error => Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });

/**
 * Hands each chunk of `body` to `onChunk` in order; resolves at the body's end (after the last
 * chunk's promise). Rejects with the body's error, with a premature close when it closes before
 * its end (the upstream request was aborted or destroyed), or with what onChunk threw or
 * rejected with — then the body is destroyed, as leaving a for-await loop early does.
 */
export function pump(body: Readable, onChunk: (chunk: Buffer) => Promise<void> | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    // node:http's IncomingMessage carries the socket its bytes come from.
    const socket = (body as { socket?: { bytesRead?: number } | null }).socket ?? undefined;
    /** The socket's byte count when the last chunk went over: a chunk that finds it unchanged came in the same read. */
    let lastRead = -1;
    let ended = false;
    let failed = false;
    let failure: unknown;
    let waiting = false;
    let settled = false;
    /** An end-of-tick hand-over is scheduled: chunks until then wait for it (collected in `later`). */
    let inTick = false;
    let later: Buffer[] | undefined;
    const settle = (): void => {
      if (settled || waiting || later || (!ended && !failed)) return;
      settled = true;
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', fail);
      body.off('close', onClose);
      if (failed) reject(failure);
      else resolve();
    };
    /** The first failure wins; what is held is dropped. */
    const setFailure = (err: unknown): void => {
      if (failed) return;
      failed = true;
      failure = err;
      later = undefined;
    };
    /** The body's own error or close: after its end, nothing it does fails the pump. */
    const fail = (err: unknown): void => {
      if (failed || ended) return;
      setFailure(err);
      settle();
    };
    // What the consumer threw counts even after the body's end (held chunks go over after it).
    const consumerFailed = (err: unknown): void => {
      setFailure(err);
      body.destroy();
      settle();
    };
    const resumed = (): void => {
      waiting = false;
      if (failed) return settle();
      // What was collected while the consumer waited goes first; then the body flows again.
      if (later && !handOver(takeLater())) return;
      if (!ended) body.resume();
      settle();
    };
    const rejected = (err: unknown): void => {
      waiting = false;
      consumerFailed(err);
      settle();
    };
    const takeLater = (): Buffer => {
      const l = later as Buffer[];
      later = undefined;
      return l.length === 1 ? (l[0] as Buffer) : Buffer.concat(l);
    };
    /** onChunk(chunk); false when the consumer now waits (the body is paused) or failed. */
    const handOver = (chunk: Buffer): boolean => {
      let p: Promise<void> | undefined;
      try {
        p = onChunk(chunk);
      } catch (err) {
        consumerFailed(err);
        return false;
      }
      if (!p) return true;
      waiting = true;
      body.pause();
      p.then(resumed, rejected);
      return false;
    };
    const endOfTick = (): void => {
      inTick = false;
      if (!later || waiting || failed) return;
      handOver(takeLater());
      settle();
    };
    const defer = (chunk: Buffer): void => {
      (later ??= []).push(chunk);
      if (!inTick && !waiting) {
        inTick = true;
        process.nextTick(endOfTick);
      }
    };
    function onData(chunk: Buffer): void {
      if (failed) return;
      // Nothing overtakes what is held: while the consumer waits, or chunks wait for the tick's end.
      if (waiting || inTick || later) return defer(chunk);
      if (socket === undefined) {
        // No socket to tell reads apart: every later chunk of this tick waits for its end.
        inTick = true;
        process.nextTick(endOfTick);
        return void handOver(chunk);
      }
      const read = socket.bytesRead ?? -1;
      if (read === lastRead && read !== -1) return defer(chunk);
      lastRead = read;
      handOver(chunk);
    }
    const onEnd = (): void => {
      if (failed) return;
      // The body's last chunks may still wait for their tick's end: 'end' can come first (a body
      // read from its buffer queues its end before emitting its last chunk), and they go first.
      if (later && !waiting) handOver(takeLater());
      if (failed) return;
      ended = true;
      settle();
    };
    const onClose = (): void => {
      if (!ended) fail(body.errored ?? prematureClose());
    };
    if (body.readableEnded) return resolve();
    if (body.destroyed) return reject(body.errored ?? prematureClose());
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', fail);
    body.on('close', onClose);
  });
}
