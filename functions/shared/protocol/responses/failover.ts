/**
 * Reasoning that an OpenAI organisation encrypted (`reasoning.encrypted_content`, and the
 * `compaction` items of /v1/responses/compact) can be read only by keys of that organisation:
 * another organisation's key answers 400. On failover to another upstream key the request is
 * retried without those items (docs/protocols.md, Codex CLI appendix): the model loses its earlier
 * private reasoning, never the conversation. Items EzyBus minted itself (`ezb1.` prefix) carry
 * another provider's thinking and are not sent to OpenAI in the first place.
 *
 * This is the one place a pass-through body is re-serialised; the first attempt always goes out
 * byte for byte.
 */
import { obj } from '../json.js';

export function hasOrgBoundReasoning(text: string): boolean {
  return text.includes('"encrypted_content"');
}

/** The request text without org-bound encrypted items; `stripped` counts what was removed. */
export function stripOrgBoundReasoning(text: string): { text: string; stripped: number } {
  if (!hasOrgBoundReasoning(text)) return { text, stripped: 0 };
  let body: Record<string, unknown>;
  try {
    body = obj(JSON.parse(text));
  } catch {
    return { text, stripped: 0 };
  }
  if (!Array.isArray(body.input)) return { text, stripped: 0 };
  const kept = body.input.filter((i) => {
    const item = obj(i);
    return !((item.type === 'reasoning' || item.type === 'compaction') && typeof item.encrypted_content === 'string');
  });
  const stripped = body.input.length - kept.length;
  return stripped ? { text: JSON.stringify({ ...body, input: kept }), stripped } : { text, stripped: 0 };
}

/** OpenAI's answer to encrypted content from another organisation (or a corrupted one). */
export function isEncryptedContentRefusal(status: number, body: string): boolean {
  return status === 400 && /encrypted[_ ]content|invalid_encrypted_content|could not be decrypted|organization/i.test(body);
}
