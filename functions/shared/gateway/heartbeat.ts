/**
 * Heartbeats keep CloudFront (30–60 s origin read timeout) and Cloudflare (524 after ~100 s)
 * from cutting a stream while the model is silent. An SSE comment is written when nothing was
 * written for `intervalMs`; every real write pushes the next heartbeat back. A comment is only
 * inserted where it cannot corrupt the event being relayed: `: ping\n\n` between events,
 * `: ping\n` after a complete line inside an event (a comment line never dispatches), and
 * nothing in the middle of a line (the next tick tries again). Mode 'sse-blank' is for clients
 * whose SSE readers do not skip comment lines (Google's SDKs match `^\s*data: ` and would stall
 * on `: ping`): a bare newline, only between events, which those readers skip as whitespace.
 */
import type { ResponseWriter } from '../runtime/response.js';
import { QuietTimer } from './quiet-timer.js';

export type HeartbeatMode = 'sse' | 'sse-blank' | 'json';

export class Heartbeat {
  private quiet: QuietTimer | undefined;
  sent = 0;

  constructor(
    private readonly out: ResponseWriter,
    private readonly intervalMs: number,
    /** 'json': an early-committed JSON answer, kept alive with whitespace before the body. */
    private readonly mode: HeartbeatMode = 'sse',
  ) {}

  /** Writes the first heartbeat at once (the client sees bytes immediately) and arms the timer. */
  async start(): Promise<void> {
    await this.beat();
    if (this.intervalMs > 0) this.quiet = new QuietTimer(this.intervalMs, () => this.tick(), false);
  }

  /** Something real was written: the next heartbeat is due a full interval from now (per chunk: a time stamp only). */
  touch(): void {
    this.quiet?.touch();
  }

  stop(): void {
    this.quiet?.stop();
    this.quiet = undefined;
  }

  private tick(): void {
    this.beat().then(
      () => this.quiet?.restart(),
      () => this.stop(),
    );
  }

  private async beat(): Promise<void> {
    if (this.out.isEnded) return;
    if (this.mode === 'json') {
      if (this.out.bodyStarted) return;
      this.sent++;
      await this.out.write(' ');
      return;
    }
    const where = this.out.sseBoundary;
    if (where === 'none') return;
    if (this.mode === 'sse-blank') {
      if (where !== 'event') return;
      this.sent++;
      await this.out.write('\n');
      return;
    }
    this.sent++;
    await this.out.write(where === 'event' ? ': ping\n\n' : ': ping\n');
  }
}
