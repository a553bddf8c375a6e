/**
 * Thinking ↔ Responses reasoning items (docs/protocols.md §5.3, §5.4).
 *
 * A Responses client keeps reasoning only as opaque items it sends back verbatim
 * (`encrypted_content`, with `include: ["reasoning.encrypted_content"]` and `store: false`, as
 * Codex does). When the answer came from another protocol, EzyBus puts the canonical thinking
 * (text + signature, or a redacted block) into `encrypted_content` itself, marked with its own
 * prefix, so the next turn rebuilds the exact blocks the upstream signed. No server state.
 *
 * The other direction: reasoning produced by an OpenAI Responses upstream reaches Chat or
 * Anthropic clients as a thinking block whose signature carries the item (`responses:` +
 * base64url JSON of id and encrypted_content), which turns back into the same reasoning item when
 * the client returns it.
 */
import type { Block } from '../canonical.js';
import { obj, str } from '../json.js';

const OURS = 'ezb1.';
const FROM_RESPONSES = 'responses:';

type Thinking = Extract<Block, { type: 'thinking' }>;
type Redacted = Extract<Block, { type: 'redacted_thinking' }>;

/** Canonical thinking → the `encrypted_content` EzyBus hands a Responses client. */
export function encryptedFromThinking(b: Thinking | Redacted): string {
  const payload = b.type === 'thinking' ? { t: b.thinking, s: b.signature } : { r: b.data };
  return OURS + Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/**
 * A reasoning item from a Responses client → canonical blocks. Items EzyBus minted come back as
 * the exact thinking they carried; an OpenAI item (bound to OpenAI, meaningless elsewhere) comes
 * back as a `responses:` signature, which only a Responses upstream can use.
 */
export function thinkingFromReasoningItem(item: Record<string, unknown>): Thinking | Redacted | undefined {
  const enc = str(item.encrypted_content);
  const summary = summaryText(item);
  if (enc?.startsWith(OURS)) {
    try {
      const v = obj(JSON.parse(Buffer.from(enc.slice(OURS.length), 'base64url').toString('utf8')));
      if (typeof v.r === 'string') return { type: 'redacted_thinking', data: v.r };
      if (typeof v.s === 'string') return { type: 'thinking', thinking: str(v.t) ?? '', signature: v.s };
    } catch {
      return undefined;
    }
    return undefined;
  }
  if (enc === undefined && !summary) return undefined;
  return { type: 'thinking', thinking: summary, signature: signatureForResponsesItem(str(item.id), enc) };
}

export function summaryText(item: Record<string, unknown>): string {
  const parts = Array.isArray(item.summary) ? item.summary.map(obj) : [];
  return parts
    .map((p) => str(p.text) ?? '')
    .filter(Boolean)
    .join('\n\n');
}

export function signatureForResponsesItem(id: string | undefined, encrypted: string | undefined): string {
  return FROM_RESPONSES + Buffer.from(JSON.stringify({ ...(id ? { id } : {}), ...(encrypted ? { e: encrypted } : {}) })).toString('base64url');
}

/** A thinking block's signature, when it holds an OpenAI reasoning item → that item's id and content. */
export function responsesItemOfSignature(signature: string): { id?: string; encrypted?: string } | undefined {
  if (!signature.startsWith(FROM_RESPONSES)) return undefined;
  try {
    const v = obj(JSON.parse(Buffer.from(signature.slice(FROM_RESPONSES.length), 'base64url').toString('utf8')));
    return { ...(typeof v.id === 'string' ? { id: v.id } : {}), ...(typeof v.e === 'string' ? { encrypted: v.e } : {}) };
  } catch {
    return undefined;
  }
}

export const isResponsesSignature = (signature: string): boolean => signature.startsWith(FROM_RESPONSES);
