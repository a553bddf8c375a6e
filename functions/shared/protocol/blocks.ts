/**
 * Content-block bookkeeping for upstream parsers whose protocol has no block events of its own
 * (Chat Completions, generateContent): opens a canonical block when the kind of content
 * changes, closes the previous one, and starts the message once.
 */
import { emptyCanonicalUsage, type CanonicalEvent, type CanonicalUsage } from './canonical.js';

type BlockStart = Extract<CanonicalEvent, { type: 'content_block_start' }>['content_block'];

export interface Blocks {
  readonly started: boolean;
  readonly openKind: string | undefined;
  start(out: CanonicalEvent[], id: string, model: string, usage?: CanonicalUsage): void;
  /** The index of the open block of `kind` ('text' | 'thinking' | 'tool:<key>' …), opening it when needed. */
  ensure(out: CanonicalEvent[], kind: string, block: BlockStart): number;
  close(out: CanonicalEvent[]): void;
}

export function blocks(): Blocks {
  let index = -1;
  let open: string | undefined;
  let started = false;
  const close = (out: CanonicalEvent[]): void => {
    if (open !== undefined) out.push({ type: 'content_block_stop', index });
    open = undefined;
  };
  return {
    get started() {
      return started;
    },
    get openKind() {
      return open;
    },
    start(out, id, model, usage = emptyCanonicalUsage()) {
      if (started) return;
      started = true;
      out.push({ type: 'message_start', message: { id, model, usage } });
    },
    ensure(out, kind, block) {
      if (open === kind) return index;
      close(out);
      index++;
      open = kind;
      out.push({ type: 'content_block_start', index, content_block: block });
      return index;
    },
    close,
  };
}
