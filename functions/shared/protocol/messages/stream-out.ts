/** Canonical events → a Messages client's stream (the canonical events, minus EzyBus-only fields). */
import type { ClientEncoder, EncoderOptions } from '../adapter.js';

export function encoder(o: EncoderOptions): ClientEncoder {
  const ev = (type: string, data: unknown): string => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
  return {
    push(e) {
      if (e.type === 'message_start') {
        const id = e.message.id.startsWith('msg_') ? e.message.id : `msg_${e.message.id.replace(/[^A-Za-z0-9]/g, '')}`;
        return ev('message_start', {
          type: 'message_start',
          message: { id, type: 'message', role: 'assistant', model: o.publicModel, content: [], stop_reason: null, stop_sequence: null, usage: { ...e.message.usage, reasoning_tokens: undefined } },
        });
      }
      if (e.type === 'message_delta') {
        const { reasoning_tokens: _r, ...usage } = e.usage;
        return ev(e.type, { ...e, usage });
      }
      return ev(e.type, e);
    },
  };
}
