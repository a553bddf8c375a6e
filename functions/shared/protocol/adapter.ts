/**
 * One adapter per wire protocol (design.md, "One adapter per wire protocol"). Everything the
 * gateway must know about a protocol is a field here, and registry.ts holds one adapter per
 * `WireProtocol` in an exhaustive record, so a new protocol that lacks a piece does not compile.
 *
 * An adapter has two sides. The upstream side is used when EzyBus calls a provider that speaks
 * the protocol; the client side when a client speaks it to EzyBus. A side a protocol does not
 * have yet is an explicit `NotYet` value naming why, which the compiler makes every caller
 * handle (a handler for such a protocol cannot be built: see `clientSide`).
 */
import type { CanonicalEvent, CanonicalMessage, CanonicalRequest, StopReason } from './canonical.js';
import type { ErrorFacts } from './errors.js';
import type { J } from './json.js';
import type { LegacyProtocolName, WireProtocol } from './wire.js';
import type { TokenUsage } from '../usage/types.js';

/** One SSE event with its data parsed once (undefined when the data is not a JSON object). */
export interface StreamEvent {
  event: string | undefined;
  data: string;
  json: J | undefined;
}

/** Upstream events → canonical events; stateful, one per stream; never throws. */
export interface UpstreamParser {
  push(e: StreamEvent): CanonicalEvent[];
  /**
   * What push() would return for an event, from its data text alone, when the parser can tell
   * exactly (data-template.ts); undefined when the event must be parsed and pushed. It changes
   * no state: a caller whose usage reader cannot read the same event from its text pushes it.
   */
  fromText?(data: string): CanonicalEvent[] | undefined;
  /** The upstream stream ended: close what is open (or nothing, when the end was not clean). */
  end(): CanonicalEvent[];
}

/** Canonical events → the client's SSE text; stateful, one per stream. */
export interface ClientEncoder {
  push(e: CanonicalEvent): string;
}

export interface EncoderOptions {
  publicModel: string;
  includeUsage: boolean;
  /** The client's own request (e.g. whether it used Chat Completions' legacy `functions`). */
  request: J;
}

/** What a stream reported, read beside it (pass-through) or inside a translation. */
export interface StreamUsage {
  usage: TokenUsage | null;
  /** The provider's own stop/finish reason, as sent; null when the stream never finished. */
  stopReason: string | null;
  /** Any content (text, thinking, tool call) arrived. */
  sawContent: boolean;
  /** The stream carried the provider's own error event. */
  upstreamError: boolean;
}

export interface UsageReader {
  event(e: StreamEvent): void;
  /**
   * An event read from its data text alone, when the reader can do so exactly (data-template.ts):
   * true when handled, false when the caller must parse it and call event(). Used beside a
   * pass-through stream, where nothing else needs the parsed event.
   */
  fromText?(data: string): boolean;
  result(): StreamUsage;
}

/**
 * The protocol's one usage extraction: the ledger's TokenUsage comes from here, and the usage a
 * translated client sees is converted from the same figures (usage.ts `canonicalUsage`).
 */
export interface UsageModel {
  /** The usage object of a body or event (`usage`, `usageMetadata` …) → TokenUsage. */
  read(u: J): TokenUsage;
  /** A whole non-stream body → usage, or null when it reports none. */
  fromBody(d: J): TokenUsage | null;
  reader(): UsageReader;
  /** Usage as billed, given the request body that was sent (e.g. cache-write TTL attribution). */
  billable(u: TokenUsage, sentBody: string): TokenUsage;
}

export interface OutOptions {
  model: string;
  stream: boolean;
  maxTokensDefault: number;
  thinkingBudgets?: { low: number; medium: number; high: number };
}

/** EzyBus calling a provider that speaks this protocol. */
export interface UpstreamSide {
  path(model: string, stream: boolean): string;
  authHeaders(apiKey: string): Record<string, string>;
  /** Client headers with protocol meaning that reach a same-protocol upstream unchanged (plus required defaults). */
  forwardedHeaders(clientHeaders: Record<string, string>): Record<string, string>;
  /** Headers a translated request carries. */
  translatedHeaders(clientHeaders: Record<string, string>): Record<string, string>;
  /**
   * The one edit pass-through makes besides the model name, on the original text. `stripUsage`:
   * EzyBus asked for something the client did not (stream usage), to be kept from the client.
   */
  preparePassThrough(text: string, stream: boolean): { text: string; stripUsage: boolean };
  /** Canonical request → this protocol's request body. */
  encodeRequest(req: CanonicalRequest, o: OutOptions, notes: string[]): J;
  /** Opt-in automatic prompt-cache breakpoints on a translated request body (route `autoCache`). */
  placeCachePoints?(body: J, ttl: '5m' | '1h'): string[];
  parser(): UpstreamParser;
  /** A non-stream success body → canonical message. */
  decodeBody(d: J): CanonicalMessage;
  /** The provider's native stop/finish reason → canonical. */
  stopReason(native: string): StopReason;
  /** The human message in an upstream error body, when it has one. */
  errorMessage(body: J): string | undefined;
  /**
   * What one stream event is, for failover before the first content (design invariant 4): the
   * preamble a stream opens with (message_start, role-only chunks, pings) is held back until
   * content arrives, and an error before it fails over to the next key.
   */
  streamEventKind(e: StreamEvent): StreamEventKind;
}

export type StreamEventKind = 'preamble' | 'content' | 'error';

/** A client speaking this protocol to EzyBus. */
export interface ClientSide {
  /**
   * Lenient validation before routing: only what the gateway itself relies on (beyond `model`
   * and `stream`, which every protocol's handler reads). A same-protocol upstream validates the
   * rest itself, so a client gets the provider's own error. Throws TranslationError.
   */
  validate(body: J): void;
  /**
   * The request as canonical, for translation: the full structural check happens here, since no
   * server of this protocol will see it. Throws TranslationError (a 400 before anything streams).
   */
  /**
   * A body this endpoint accepts in another protocol's shape → the body it means in this one
   * (undefined when it is in this protocol's shape). Throws TranslationError.
   */
  normalize?(body: J): J | undefined;
  decodeRequest(body: J, notes: string[]): CanonicalRequest;
  /** Whether the client asked for usage in its stream. */
  includeUsage(body: J): boolean;
  encoder(o: EncoderOptions): ClientEncoder;
  encodeBody(m: CanonicalMessage, o: EncoderOptions): J;
  errorBody(e: ErrorFacts, requestId?: string): string;
  /** One error body (single-line JSON) framed as this protocol's SSE error event. */
  errorEvent(body: string): string;
  /** An upstream's refusal (any protocol's status and message) as this protocol's error. */
  upstreamError(status: number, message: string): { status: number; body: string };
  /**
   * Where model and stream are when the body does not hold them (Gemini names both in the
   * path); undefined when the path names no call of this protocol. Absent: the body's `model`
   * and `stream`, on the endpoint's one path.
   */
  routing?(path: string, query: Record<string, string | undefined>): { model: string; stream: boolean } | undefined;
  /**
   * The body text and query string a same-protocol upstream gets. Absent: the body with its
   * `model` rewritten, the query string as the client sent it.
   */
  passThrough?(text: string, upstreamModel: string, rawQuery: string): { text: string; query: string };
  /**
   * How a stream is kept alive while the upstream is silent: SSE comments (the default), or bare
   * newlines between events for clients whose SSE readers stall on comment lines.
   */
  streamHeartbeat?: 'sse' | 'sse-blank';
  /**
   * A stream framing other than SSE that the request asks for (Gemini without `?alt=sse`): the
   * gateway's SSE is re-framed at the edge, so heartbeats and error events fit it too.
   */
  streamFraming?(query: Record<string, string | undefined>): { chunk(text: string): string; end(): string; contentType: string } | undefined;
}

/** A side that a protocol does not have yet, and why. */
export interface NotYet {
  notYet: string;
}

export interface Adapter {
  protocol: WireProtocol;
  /** The value written into usage records and log lines for this protocol (see wire.ts). */
  recordName: LegacyProtocolName;
  usage: UsageModel;
  upstream: UpstreamSide | NotYet;
  client: ClientSide | NotYet;
}

export const isNotYet = (s: UpstreamSide | ClientSide | NotYet): s is NotYet => 'notYet' in s;

/**
 * The client side of a protocol a Lambda bundle does not serve. A completion function serves one
 * client protocol but calls upstreams of every protocol, so its bundle carries every upstream side
 * and only its own client side: each adapter's `client` is
 * `process.env.EZYBUS_OMIT_CLIENT_<PROTOCOL> ? leftOut(…) : {…}`, and the bundler defines those
 * names as constants (lib/bundling.ts `clientDefines`), so esbuild folds the condition and drops
 * the other client sides' code (about a fifth of the bundle, and of its compile at init).
 * Unbundled (tests, `npm start` from source) the names are unset and every side is there.
 */
export const leftOut = (p: WireProtocol): NotYet => ({ notYet: `this function's bundle carries no ${p} client side (it serves another protocol; lib/bundling.ts clientDefines)` });
