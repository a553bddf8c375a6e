/**
 * Canonical events → a Gemini-native client's stream (docs/protocols.md §3.4, §4.11 "OA / AN
 * upstream → GE client"): one `GenerateContentResponse` per upstream delta holding only the new
 * part; tool-call arguments are buffered and sent as one `functionCall` part when the call is
 * complete; the last chunk carries `finishReason` and the full `usageMetadata`. Signed thinking
 * rides on the next part's `thoughtSignature`, as in the body (client-body.ts).
 *
 * Two framings, chosen by the client: `?alt=sse` → `data: <json>\r\n\r\n` per chunk (Gemini's
 * CRLF framing); without it → Google's default JSON-array stream (framing.ts JSON_ARRAY:
 * `[{…}`, then `\n,\r\n{…}` per chunk, `\n]` at the end), served as application/json.
 */
import type { ClientEncoder, EncoderOptions } from '../adapter.js';
import type { CanonicalEvent, CanonicalUsage } from '../canonical.js';
import { callPart, finishReason, responseId, thoughtSigner, usageMetadata } from './client-body.js';
import { JSON_ARRAY } from './framing.js';

type J = Record<string, unknown>;

export type GeminiFraming = 'sse' | 'json-array';

/** Chunk objects → bytes on the wire; `end()` closes what the framing opened. */
export interface Framer {
  chunk(o: J): string;
  end(): string;
}

export function framer(kind: GeminiFraming): Framer {
  if (kind === 'sse') return { chunk: (o) => `data: ${JSON.stringify(o)}\r\n\r\n`, end: () => '' };
  let first = true;
  return {
    chunk(o) {
      const sep = first ? JSON_ARRAY.open : JSON_ARRAY.between;
      first = false;
      return sep + JSON.stringify(o);
    },
    end: () => (first ? JSON_ARRAY.empty : JSON_ARRAY.close),
  };
}

export interface ChunkEncoder {
  push(e: CanonicalEvent): J[];
}

export function chunkEncoder(o: { publicModel: string }): ChunkEncoder {
  let id = 'ezybus';
  let usage: CanonicalUsage = { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
  let stop: Parameters<typeof finishReason>[0] = null;
  const blocks = new Map<number, { kind: string; id?: string; name?: string; json: string; thinking: string; signature: string }>();
  const { hold, sign } = thoughtSigner();
  const chunk = (parts: J[], extra: J = {}): J => ({ candidates: [{ content: { parts, role: 'model' }, index: 0, ...extra }], modelVersion: o.publicModel, responseId: id });
  return {
    push(e) {
      switch (e.type) {
        case 'message_start':
          id = responseId(e.message.id);
          usage = { ...usage, ...e.message.usage };
          return [];
        case 'content_block_start': {
          const b = e.content_block;
          blocks.set(e.index, { kind: b.type, json: '', thinking: '', signature: '', ...(b.type === 'tool_use' ? { id: b.id, name: b.name } : {}) });
          if (b.type === 'redacted_thinking') hold(b);
          return [];
        }
        case 'content_block_delta': {
          const k = blocks.get(e.index);
          const d = e.delta;
          if (d.type === 'text_delta') return d.text ? [chunk([sign({ text: d.text })])] : [];
          if (d.type === 'thinking_delta' && k) k.thinking += d.thinking;
          if (d.type === 'thinking_delta') return d.thinking ? [chunk([{ text: d.thinking, thought: true }])] : [];
          if (d.type === 'signature_delta' && k) k.signature += d.signature;
          if (d.type === 'input_json_delta' && k) k.json += d.partial_json;
          return [];
        }
        case 'content_block_stop': {
          const k = blocks.get(e.index);
          if (k?.kind === 'tool_use') {
            let args: unknown = {};
            try {
              args = k.json ? JSON.parse(k.json) : {};
            } catch {
              args = {};
            }
            return [chunk([sign(callPart({ type: 'tool_use', id: k.id ?? '', name: k.name ?? '', input: args }))])];
          }
          if (k?.kind === 'thinking' && k.signature) hold({ type: 'thinking', thinking: k.thinking, signature: k.signature });
          return [];
        }
        case 'message_delta':
          usage = { ...usage, ...Object.fromEntries(Object.entries(e.usage).filter(([, v]) => typeof v === 'number')) };
          stop = e.delta.stop_reason;
          return [];
        case 'message_stop':
          return [{ ...chunk([sign({ text: '' })], { finishReason: finishReason(stop) }), usageMetadata: usageMetadata(usage) }];
        case 'error':
          return [{ error: { code: 500, message: e.error.message, status: 'INTERNAL' } }];
      }
    },
  };
}

/** The adapter's encoder: chunks framed as SSE (the JSON-array framing is applied at the edge: framing.ts). */
export function encoder(o: EncoderOptions): ClientEncoder {
  const chunks = chunkEncoder({ publicModel: o.publicModel });
  const f = framer('sse');
  return { push: (e) => chunks.push(e).map((c) => f.chunk(c)).join('') };
}
