/**
 * Reading an upstream body chunk by chunk without a promise per chunk. Async iteration of a
 * Readable costs a promise, its microtasks and a read() round per chunk; here a 'readable'
 * listener reads what is buffered with plain read() calls. read() returns everything buffered
 * at once, so the HTTP chunks of one socket read (a burst) go over as one chunk, as they did
 * with for-await. Backpressure stays: when the consumer returns a promise (the client's stream
 * is full), nothing is read until it settles, the body's buffer fills and Node stops reading
 * the upstream socket.
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
    let ended = false;
    let failed = false;
    let failure: unknown;
    let waiting = false;
    let settled = false;
    const settle = (): void => {
      if (settled || waiting || (!ended && !failed)) return;
      settled = true;
      body.off('readable', drain);
      body.off('end', onEnd);
      body.off('error', fail);
      body.off('close', onClose);
      if (failed) reject(failure);
      else resolve();
    };
    const fail = (err: unknown): void => {
      if (failed || ended) return;
      failed = true;
      failure = err;
      settle();
    };
    const consumerFailed = (err: unknown): void => {
      fail(err);
      body.destroy();
    };
    const resumed = (): void => {
      waiting = false;
      drain();
      settle();
    };
    const rejected = (err: unknown): void => {
      waiting = false;
      consumerFailed(err);
      settle();
    };
    function drain(): void {
      while (!waiting && !failed) {
        const chunk = body.read() as Buffer | null;
        if (chunk === null) return;
        let p: Promise<void> | undefined;
        try {
          p = onChunk(chunk);
        } catch (err) {
          consumerFailed(err);
          return;
        }
        if (p) {
          waiting = true;
          p.then(resumed, rejected);
        }
      }
    }
    const onEnd = (): void => {
      if (failed) return;
      ended = true;
      settle();
    };
    const onClose = (): void => {
      if (!ended) fail(body.errored ?? prematureClose());
    };
    if (body.readableEnded) return resolve();
    if (body.destroyed) return reject(body.errored ?? prematureClose());
    body.on('readable', drain);
    body.on('end', onEnd);
    body.on('error', fail);
    body.on('close', onClose);
  });
}
