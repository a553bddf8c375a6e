/** What every page gets: where to draw, who is signed in, and a way to stop its timers on leave. */
export interface PageContext {
  root: HTMLElement;
  scope: 'read' | 'write';
  /** Registers work to undo when the operator leaves the page (timers, intervals). */
  onLeave(fn: () => void): void;
  /** Draws a transient message at the top of the page. */
  flash(message: string, kind?: 'ok' | 'error'): void;
}

export type Page = (ctx: PageContext) => Promise<void>;
