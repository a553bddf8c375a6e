/**
 * The wire protocols EzyBus speaks, named for what they are rather than for a vendor: an
 * OpenAI-compatible base URL (OpenRouter, vLLM, Gemini's OpenAI endpoint …) is simply a
 * Chat Completions upstream.
 *
 * Records written before protocols had these names say `openai`, `anthropic` and `gemini`
 * (upstream records, `--protocol` values, usage records, log fields). Those names are still
 * accepted everywhere a protocol is read, and they remain the values written into usage
 * records and log lines (`clientProtocol`, `provider`, the `provider` Loki label) so that
 * dashboards and queries built on them keep working: see `recordName` on each adapter.
 */
export type WireProtocol = 'chat-completions' | 'messages' | 'generate-content' | 'responses';

/** Every wire protocol, in a stable order (the compiler checks it is complete). */
const ALL: Record<WireProtocol, true> = { 'chat-completions': true, messages: true, 'generate-content': true, responses: true };
export const WIRE_PROTOCOLS = Object.keys(ALL) as WireProtocol[];

/** The names stored by earlier versions, each with the protocol it always meant. */
export const LEGACY_PROTOCOL_NAMES = { openai: 'chat-completions', anthropic: 'messages', gemini: 'generate-content' } as const satisfies Record<string, WireProtocol>;
export type LegacyProtocolName = keyof typeof LEGACY_PROTOCOL_NAMES;

/** A stored or typed protocol name (current or legacy) → the wire protocol, or undefined. */
export function wireProtocolOf(name: unknown): WireProtocol | undefined {
  if (typeof name !== 'string') return undefined;
  if (Object.hasOwn(ALL, name)) return name as WireProtocol;
  return Object.hasOwn(LEGACY_PROTOCOL_NAMES, name) ? LEGACY_PROTOCOL_NAMES[name as LegacyProtocolName] : undefined;
}

/** For messages: every accepted spelling. */
export const PROTOCOL_SPELLINGS = [...WIRE_PROTOCOLS, ...Object.keys(LEGACY_PROTOCOL_NAMES)].join(', ');
