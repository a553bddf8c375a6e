/** Messages non-stream bodies ↔ the canonical message. */
import type { Block, CanonicalMessage, CanonicalUsage } from '../canonical.js';
import type { EncoderOptions } from '../adapter.js';
import { textOr, arr, type J } from '../json.js';
import { canonicalUsage } from '../usage.js';
import { stopFromNative } from './stop.js';
import { messagesUsage } from './usage.js';

export function decodeBody(d: J): CanonicalMessage {
  const usage = messagesUsage.fromBody(d);
  return {
    id: textOr(d.id, 'msg'),
    model: textOr(d.model, ''),
    content: arr(d.content) as Block[],
    stop_reason: typeof d.stop_reason === 'string' ? stopFromNative(d.stop_reason) : null,
    stop_sequence: typeof d.stop_sequence === 'string' ? d.stop_sequence : null,
    usage: usage ? canonicalUsage(usage) : { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
  };
}

export function encodeBody(m: CanonicalMessage, o: EncoderOptions): J {
  const usage: Partial<CanonicalUsage> = { ...m.usage };
  delete usage.reasoning_tokens;
  return {
    id: m.id.startsWith('msg_') ? m.id : `msg_${m.id.replace(/[^A-Za-z0-9]/g, '')}`,
    type: 'message',
    role: 'assistant',
    model: o.publicModel,
    content: m.content,
    stop_reason: m.stop_reason,
    stop_sequence: m.stop_sequence,
    usage,
  };
}
