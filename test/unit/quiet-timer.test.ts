import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QuietTimer } from '../../functions/shared/gateway/quiet-timer.js';

describe('QuietTimer (fake clock)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fires a full period after the last touch, however many touches came before', () => {
    let fired = 0;
    const t = new QuietTimer(1_000, () => fired++);
    for (let i = 0; i < 50; i++) {
      vi.advanceTimersByTime(100);
      t.touch();
    }
    expect(fired).toBe(0);
    vi.advanceTimersByTime(999);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
    vi.advanceTimersByTime(10_000);
    expect(fired).toBe(1); // once, until restart()
    t.restart();
    vi.advanceTimersByTime(1_000);
    expect(fired).toBe(2);
    t.stop();
  });

  it('never fires once stopped, and restart() after stop() does nothing', () => {
    let fired = 0;
    const t = new QuietTimer(1_000, () => fired++);
    vi.advanceTimersByTime(500);
    t.stop();
    t.restart();
    vi.advanceTimersByTime(5_000);
    expect(fired).toBe(0);
  });
});
