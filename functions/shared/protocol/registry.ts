/**
 * Every wire protocol's adapter, in one exhaustive record: a protocol added to WireProtocol
 * without an adapter here does not compile, and neither does an adapter missing a piece.
 */
import { isNotYet, type Adapter, type ClientSide, type NotYet, type UpstreamSide } from './adapter.js';
import { chatCompletions } from './chat-completions/index.js';
import { generateContent } from './generate-content/index.js';
import { messages } from './messages/index.js';
import { responses } from './responses/index.js';
import type { WireProtocol } from './wire.js';

export const ADAPTERS = {
  'chat-completions': chatCompletions,
  messages,
  'generate-content': generateContent,
  responses,
} satisfies Record<WireProtocol, Adapter>;

export const adapterFor = (p: WireProtocol): Adapter => ADAPTERS[p];

/** The client side of a protocol that has one; a handler for a protocol without one cannot start. */
export function clientSide(p: WireProtocol): ClientSide {
  const side = ADAPTERS[p].client;
  if (isNotYet(side)) throw new Error(`${p} has no client side yet: ${side.notYet}`);
  return side;
}

export function upstreamSide(p: WireProtocol): UpstreamSide {
  const side = ADAPTERS[p].upstream;
  if (isNotYet(side)) throw new Error(`${p} has no upstream side yet: ${side.notYet}`);
  return side;
}

/** Whether clients can speak `p` to EzyBus (the endpoint list only lists those). */
export const hasClientSide = (p: WireProtocol): boolean => !isNotYet(ADAPTERS[p].client);

/** The protocols that have a client side: only these can have an endpoint (functions/endpoints.ts). */
export type ClientWire = { [P in WireProtocol]: (typeof ADAPTERS)[P]['client'] extends NotYet ? never : P }[WireProtocol];
