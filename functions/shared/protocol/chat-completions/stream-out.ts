/**
 * Canonical events → a Chat Completions client's stream. Text as `content` deltas, thinking as
 * `reasoning_content` deltas, and each finished thinking block (with its signature) or redacted
 * block once as a `thinking_blocks` delta entry — the field an OpenAI-format client sends back
 * on the assistant message so that multi-turn tool use with thinking keeps working
 * (docs/conformance.md). The usage chunk is written only when the client asked for it
 * (`stream_options.include_usage`). A client that asked with the legacy `functions` gets its
 * call as `function_call` deltas and `finish_reason: "function_call"`.
 */
import { emptyCanonicalUsage, type CanonicalUsage } from '../canonical.js';
import type { ClientEncoder, EncoderOptions } from '../adapter.js';
import { mergeUsage } from '../usage.js';
import { usesLegacyFunctions } from './request-in.js';
import { finishFromStop } from './stop.js';
import { usageObject } from './usage.js';

export function encoder(o: EncoderOptions): ClientEncoder {
  let id = 'chatcmpl-ezybus';
  const created = Math.floor(Date.now() / 1000);
  let usage: CanonicalUsage = emptyCanonicalUsage();
  const kinds = new Map<number, { kind: string; tool?: number; thinking?: string; signature?: string }>();
  let tools = 0;
  let finish: string | null = null;
  const legacy = usesLegacyFunctions(o.request);
  // Every chunk is the same object around its delta, so its text is a prefix and a suffix kept
  // per stream (the prefix changes once, with the upstream's id) and only the delta is
  // stringified: the same bytes as JSON.stringify of the whole chunk, one small call per event.
  let head = '';
  const prefix = (): string => (head = `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(o.publicModel)},"choices":[{"index":0,"delta":`);
  prefix();
  const OPEN = ',"logprobs":null,"finish_reason":null}]}\n\n';
  const tail = (finish_reason: string | null): string => (finish_reason === null ? OPEN : `,"logprobs":null,"finish_reason":${JSON.stringify(finish_reason)}}]}\n\n`);
  const chunk = (delta: Record<string, unknown>, finish_reason: string | null = null): string => head + JSON.stringify(delta) + tail(finish_reason);
  /** The most frequent chunk, a text or reasoning delta, without an object for its delta. */
  const textChunk = (field: 'content' | 'reasoning_content', text: string): string => `${head}{"${field}":${JSON.stringify(text)}}${OPEN}`;
  return {
    push(e) {
      switch (e.type) {
        case 'message_start':
          id = `chatcmpl-${e.message.id.replace(/^(msg_|chatcmpl-)/, '')}`;
          prefix();
          usage = mergeUsage(usage, e.message.usage);
          return chunk({ role: 'assistant', content: '' });
        case 'content_block_start': {
          const b = e.content_block;
          if (b.type === 'tool_use') {
            const tool = tools++;
            kinds.set(e.index, { kind: 'tool', tool });
            if (legacy) return tool === 0 ? chunk({ function_call: { name: b.name, arguments: '' } }) : '';
            return chunk({ tool_calls: [{ index: tool, id: b.id, type: 'function', function: { name: b.name, arguments: '' } }] });
          }
          if (b.type === 'redacted_thinking') {
            kinds.set(e.index, { kind: 'redacted' });
            return chunk({ thinking_blocks: [{ type: 'redacted_thinking', data: b.data }] });
          }
          kinds.set(e.index, { kind: b.type, thinking: '', signature: '' });
          return '';
        }
        case 'content_block_delta': {
          const k = kinds.get(e.index);
          const d = e.delta;
          if (d.type === 'text_delta') return d.text ? textChunk('content', d.text) : '';
          if (d.type === 'thinking_delta') {
            if (k) k.thinking += d.thinking;
            return d.thinking ? textChunk('reasoning_content', d.thinking) : '';
          }
          if (d.type === 'signature_delta') {
            if (k) k.signature = (k.signature ?? '') + d.signature;
            return '';
          }
          if (d.type === 'input_json_delta' && k?.tool !== undefined && d.partial_json) {
            if (legacy) return k.tool === 0 ? chunk({ function_call: { arguments: d.partial_json } }) : '';
            return chunk({ tool_calls: [{ index: k.tool, function: { arguments: d.partial_json } }] });
          }
          return '';
        }
        case 'content_block_stop': {
          const k = kinds.get(e.index);
          if (k?.kind === 'thinking' && k.signature) return chunk({ thinking_blocks: [{ type: 'thinking', thinking: k.thinking ?? '', signature: k.signature }] });
          return '';
        }
        case 'message_delta':
          usage = mergeUsage(usage, e.usage);
          finish = finishFromStop(e.delta.stop_reason, legacy);
          return chunk({}, finish);
        case 'message_stop': {
          let out = finish === null ? chunk({}, 'stop') : '';
          if (o.includeUsage) out += `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: o.publicModel, choices: [], usage: usageObject(usage) })}\n\n`;
          return `${out}data: [DONE]\n\n`;
        }
        case 'error':
          return `data: ${JSON.stringify({ error: { message: e.error.message, type: e.error.type, param: null, code: null } })}\n\n`;
      }
    },
  };
}
