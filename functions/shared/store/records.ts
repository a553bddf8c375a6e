/**
 * What EzyBus keeps in DynamoDB, as the code sees it. Item layout (pk/sk) lives in repo.ts.
 * Secrets: a gateway key is stored only as its SHA-256 hash; an upstream key only as ciphertext.
 */
import type { WireProtocol } from '../protocol/wire.js';

export interface GatewayKey {
  id: string;
  /** hex SHA-256 of the full key; the item's identity. */
  hash: string;
  /** First characters, for display (`sk-eb-AbC…`). */
  prefix: string;
  name: string;
  /** Glob patterns (`*` wildcard); empty or absent means every routed model. */
  allowedModels?: string[];
  disabled?: boolean;
  /** Epoch ms after which the key is refused. */
  expiresAt?: number;
  rpm?: number;
  tpm?: number;
  budgetMicros?: number;
  createdAt: number;
}

export interface RouteTarget {
  /** Upstream id (see Upstream). */
  upstream: string;
  /** Model name sent upstream. */
  model: string;
  /** Relative share within its priority tier. */
  weight: number;
  /** Lower number = tried first. */
  priority: number;
}

export interface Route {
  /** Public model name clients send. */
  model: string;
  targets: RouteTarget[];
  active: boolean;
  ownedBy?: string;
  /** max_tokens used when a translated request needs one and the client gave none. */
  maxTokensDefault?: number;
  /** Opt-in hedging: start a second attempt on another key after this many ms without content. */
  hedgeAfterMs?: number;
  /** Upstream statuses that fail over to the next key (default 408, 409, 429, 500, 502, 503, 504, 529). */
  failoverStatuses?: number[];
  /**
   * Opt-in for non-stream requests: commit 200 at once and send whitespace while waiting, so
   * proxies with short read timeouts never cut the wait. Errors then arrive in the body.
   */
  earlyCommit?: boolean;
  /** OpenAI-format clients on Claude targets: place cache breakpoints automatically, at this TTL. */
  autoCache?: '5m' | '1h';
  /** Thinking budget (tokens) for each reasoning_effort when translating to Claude or Gemini. */
  thinkingBudgets?: { low: number; medium: number; high: number };
  createdAt: number;
}

export interface Upstream {
  id: string;
  /** Stored as written; records from before the rename say openai / anthropic / gemini and read as their protocol. */
  protocol: WireProtocol;
  baseUrl: string;
  disabled?: boolean;
  createdAt: number;
}

export interface UpstreamKeyRecord {
  upstreamId: string;
  id: string;
  /** base64 ciphertext from the keyring (KMS or local), bound to its encryption context. */
  ciphertext: string;
  /** Last four characters, for display only. */
  hint: string;
  disabled?: boolean;
  disabledReason?: string;
  createdAt: number;
}
