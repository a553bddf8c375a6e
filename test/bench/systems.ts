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

/** A Responses body (`input` as a string) whose prompt carries the simulator scenario. */
export const responsesBody =
  (model: string) =>
  (scenario: string, streamed = false): string =>
    JSON.stringify({ model, input: `Say hello [[sim:${scenario}]]`, ...(streamed ? { stream: true } : {}) });

/**
 * The Responses endpoint on a running EzyBus: passed through to a Responses upstream, translated
 * to Anthropic (the counterpart of the Chat Completions "ezybus translated" row) and to Chat
 * Completions. Routes from setup.ts.
 */
export function responsesSystems(ezybus: System): System[] {
  const target = { ...ezybus.target, path: '/v1/responses' };
  return [
    { name: 'ezybus responses', proc: ezybus.proc, target, body: responsesBody('bench-gpt-responses') },
    { name: 'ezybus responses translated', proc: ezybus.proc, target, body: responsesBody('bench-claude') },
    { name: 'ezybus responses → chat completions', proc: ezybus.proc, target, body: responsesBody('bench-gpt') },
  ];
}
