/**
 * A deadline on silence (the idle deadline, the heartbeat) that costs nothing per chunk: touch()
 * only stamps the time, and the timer checks the stamp when it fires, re-arming itself for what
 * is left of the quiet period. Refreshing a Node timer on every relayed chunk moves it in the
 * timer list each time; a 10 ms-gap stream would do that a hundred times a second for a timer
 * that fires once a minute, if ever.
 */
export class QuietTimer {
  private last = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly ms: number,
    /** Called once the period passed with no touch(); the timer then stays quiet until restart(). */
    private readonly onQuiet: () => void,
    /** Whether the timer alone should keep the process alive (an idle deadline does; a heartbeat does not). */
    private readonly keepsAlive = true,
  ) {
    this.arm(ms);
  }

  /** Something happened: the quiet period starts again from now. */
  touch(): void {
    this.last = Date.now();
  }

  /** A new quiet period after onQuiet (the heartbeat's own write); nothing once stopped. */
  restart(): void {
    if (this.stopped) return;
    this.touch();
    this.arm(this.ms);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(this.fire, ms);
    if (!this.keepsAlive) this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    if (this.stopped) return;
    const quiet = Date.now() - this.last;
    if (quiet < this.ms) this.arm(this.ms - quiet);
    else this.onQuiet();
  };
}
