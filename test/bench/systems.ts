/** A server under test, as the benchmark talks to it. */
import type { Target } from './loadgen.js';
import type { Proc } from './procs.js';

export interface System {
  name: string;
  proc: Proc;
  target: Target;
  /** The request body for a simulator scenario, in this system's terms. */
  body(scenario: string, stream?: boolean): string;
}

/** An OpenAI chat body whose prompt carries the simulator scenario. */
export const openaiBody =
  (model: string) =>
  (scenario: string, streamed = false): string =>
    JSON.stringify({ model, messages: [{ role: 'user', content: `Say hello [[sim:${scenario}]]` }], ...(streamed ? { stream: true } : {}) });
