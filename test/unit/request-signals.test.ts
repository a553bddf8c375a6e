/**
 * The request path's abort signals without AbortSignal.any / AbortSignal.timeout:
 * gateway/signals.ts (anySignal) and runtime/lifecycle.ts (requestDeadline and the drain).
 * What callers rely on: the first source's reason wins, an already-aborted source aborts at
 * once, the deadline's reason is a TimeoutError (delivery tells a deadline from other aborts by
 * it), a drain reaches every running deadline, and a disposed one is left alone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { anySignal } from '../../functions/shared/gateway/signals.js';
import { beginDrain, isDraining, requestDeadline, resetDrain } from '../../functions/shared/runtime/lifecycle.js';

describe('anySignal', () => {
  it('aborts with the reason of the first source that aborts, once', () => {
    const a = new AbortController();
    const b = new AbortController();
    const s = anySignal([a.signal, b.signal]);
    let events = 0;
    s.addEventListener('abort', () => events++);
    expect(s.aborted).toBe(false);
    b.abort('b first');
    a.abort('a later');
    expect(s.aborted).toBe(true);
    expect(s.reason).toBe('b first');
    expect(events).toBe(1);
  });

  it('is aborted at once when a source already is (the first aborted one in order)', () => {
    const a = new AbortController();
    const b = new AbortController();
    const c = new AbortController();
    b.abort('b');
    c.abort('c');
    const s = anySignal([a.signal, b.signal, c.signal]);
    expect(s.aborted).toBe(true);
    expect(s.reason).toBe('b');
  });

  it('aborts synchronously, within the source abort() call (as AbortSignal.any does)', () => {
    const a = new AbortController();
    const s = anySignal([a.signal]);
    a.abort(new Error('idle'));
    expect(s.aborted && (s.reason as Error).message).toBe('idle');
  });
});

describe('requestDeadline', () => {
  afterEach(() => resetDrain());

  it('fires with a TimeoutError when the total time is up', async () => {
    const d = requestDeadline(5);
    await new Promise<void>((r) => d.signal.addEventListener('abort', () => r()));
    expect(d.signal.reason).toBeInstanceOf(DOMException);
    expect((d.signal.reason as DOMException).name).toBe('TimeoutError');
    d.dispose();
  });

  it('a disposed deadline never fires, and a drain leaves it alone', async () => {
    const d = requestDeadline(5);
    d.dispose();
    await new Promise((r) => setTimeout(r, 30));
    beginDrain();
    expect(d.signal.aborted).toBe(false);
  });

  it('a drain aborts every running deadline with its TimeoutError, and deadlines made after it start aborted', () => {
    const running = [requestDeadline(60_000), requestDeadline(60_000)];
    beginDrain();
    expect(isDraining()).toBe(true);
    for (const d of running) {
      expect(d.signal.aborted).toBe(true);
      expect((d.signal.reason as DOMException).name).toBe('TimeoutError');
      expect((d.signal.reason as DOMException).message).toMatch(/shutting down/);
      d.dispose();
    }
    const late = requestDeadline(60_000);
    expect(late.signal.aborted).toBe(true);
    expect((late.signal.reason as DOMException).message).toMatch(/shutting down/);
  });
});
