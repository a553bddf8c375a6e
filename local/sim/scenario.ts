/**
 * How a request picks the simulator's behaviour: header `x-sim-scenario`, else directives in the
 * upstream API key after a `;`, else a `[[sim:…]]` marker in the request text (which survives
 * protocol translation), merged over the defaults. All use URL-query syntax.
 */
export interface Scenario {
  ttft_ms: number;
  /** A slow tail: with probability tail_rate, tail_ms more before the first token. */
  tail_rate: number;
  tail_ms: number;
  tps: number;
  tokens: number;
  gap_ms: number;
  fail: number | undefined;
  fail_rate: number;
  fail_times: number | undefined;
  retry_after: number | undefined;
  reset_after: number | undefined;
  /** Probability of a connection reset before any response byte. */
  reset_rate: number;
  error_after: number | undefined;
  /**
   * A fault right after the provider's stream preamble (OpenAI's role chunk; Anthropic's
   * message_start, ping and empty text block start; nothing for Gemini), before any content:
   * `reset` the connection, send the provider's `error` event, or `end` the stream.
   */
  pre_content: 'reset' | 'error' | 'end' | undefined;
  header_delay_ms: number;
  hang: boolean;
  hold_after: number | undefined;
  hold_ms: number;
  /** Hold the stream after its first event until the simulator's gate opens (Simulator.openGate). */
  gate: boolean;
  tool: number;
  /** Call this declared tool (instead of the first `tool` ones), with these JSON arguments. */
  tool_name: string | undefined;
  tool_args: string | undefined;
  /** No tool call when the request's last turn already carries a tool result (agent loops end). */
  tool_once: boolean;
  /** Responses: refuse any request carrying encrypted reasoning, as a key of another OpenAI organisation does. */
  foreign_org: boolean;
  thinking: boolean;
  text: string | undefined;
  /**
   * Agent-client runs: call the request's `Bash` tool once with this command, then — once the
   * conversation carries the tool's result — answer with text that quotes the result.
   */
  bash: string | undefined;
  /** Replay a recorded response from test/fixtures/real (its name, e.g. anthropic/stream-text-basic.vercel-ai.chunks.txt). */
  replay: string | undefined;
  /** Echo the request's key (raw, Bearer, base64, URL-encoded, truncated) in error bodies, error events and a header, as a leaky proxy would. */
  echo_auth: boolean;
  raw: string;
}

const DEFAULTS: Scenario = {
  ttft_ms: 0,
  tail_rate: 0,
  tail_ms: 0,
  tps: 0,
  tokens: 16,
  gap_ms: 0,
  fail: undefined,
  fail_rate: 1,
  fail_times: undefined,
  retry_after: undefined,
  reset_after: undefined,
  reset_rate: 0,
  error_after: undefined,
  pre_content: undefined,
  header_delay_ms: 0,
  hang: false,
  hold_after: undefined,
  hold_ms: 0,
  gate: false,
  tool: 0,
  tool_name: undefined,
  tool_args: undefined,
  tool_once: false,
  foreign_org: false,
  thinking: false,
  text: undefined,
  bash: undefined,
  replay: undefined,
  echo_auth: false,
  raw: '',
};

export function parseScenario(q: string): Scenario {
  const p = new URLSearchParams(q);
  const n = (k: string): number | undefined => (p.has(k) ? Number(p.get(k)) : undefined);
  const s: Scenario = { ...DEFAULTS, raw: q };
  s.ttft_ms = n('ttft_ms') ?? s.ttft_ms;
  s.tail_rate = n('tail_rate') ?? 0;
  s.tail_ms = n('tail_ms') ?? 0;
  s.tps = n('tps') ?? s.tps;
  s.tokens = n('tokens') ?? s.tokens;
  s.gap_ms = n('gap_ms') ?? s.gap_ms;
  s.fail = n('fail');
  s.fail_rate = n('fail_rate') ?? 1;
  s.fail_times = n('fail_times');
  s.retry_after = n('retry_after');
  s.reset_after = n('reset_after');
  s.reset_rate = n('reset_rate') ?? 0;
  s.error_after = n('error_after');
  const pre = p.get('pre_content');
  s.pre_content = pre === 'reset' || pre === 'error' || pre === 'end' ? pre : undefined;
  s.header_delay_ms = n('header_delay_ms') ?? 0;
  s.hang = p.get('hang') === '1';
  s.hold_after = n('hold_after');
  s.hold_ms = n('hold_ms') ?? 0;
  s.gate = p.get('gate') === '1';
  s.tool = n('tools') ?? n('tool') ?? 0;
  s.tool_name = p.get('tool_name') ?? undefined;
  s.tool_args = p.get('tool_args') ?? undefined;
  s.tool_once = p.get('tool_once') === '1';
  if (s.tool_name !== undefined && s.tool === 0) s.tool = 1;
  s.foreign_org = p.get('foreign_org') === '1';
  s.thinking = p.get('thinking') === '1';
  s.text = p.get('text') ?? undefined;
  s.replay = p.get('replay') ?? undefined;
  s.echo_auth = p.get('echo_auth') === '1';
  s.bash = p.get('bash') ?? undefined;
  return s;
}

export function resolveScenario(header: string | undefined, apiKey: string | null, bodyText: string): Scenario {
  if (header) return parseScenario(header);
  const semi = apiKey?.indexOf(';') ?? -1;
  if (apiKey && semi !== -1) return parseScenario(apiKey.slice(semi + 1));
  const m = /\[\[sim:([^\]]*)\]\]/g;
  let last: string | undefined;
  for (const hit of bodyText.matchAll(m)) last = hit[1];
  return parseScenario(last ?? '');
}
