/**
 * An OpenAI Responses upstream's stream → canonical events (docs/protocols.md §5.6), for
 * Chat Completions and Anthropic clients. Items are keyed by `output_index`; each text part,
 * reasoning item and call becomes one canonical block. A reasoning item's final
 * `encrypted_content` (on `output_item.done`, which differs from the one on `.added`) becomes the
 * thinking block's signature. Usage and the stop reason come from the terminal event. Never
 * throws: an unreadable event is skipped.
 */
import type { CanonicalEvent, StopReason } from '../canonical.js';
import { emptyCanonicalUsage } from '../canonical.js';
import type { StreamEvent, StreamEventKind, UpstreamParser } from '../adapter.js';
import { num, obj, objs, str, type J } from '../json.js';
import { signatureForResponsesItem } from './reasoning.js';
import { stopOfResponse } from './status.js';
import { canonicalCallName } from './tools.js';
import { canonicalUsageOf } from './usage.js';

export function responsesParser(): UpstreamParser {
  let started = false;
  let done = false;
  let next = 0;
  // `${output_index}` for items, `${output_index}:${content_index}` for text parts.
  const open = new Map<string, { index: number; kind: 'text' | 'thinking' | 'call'; custom?: boolean; input?: string; summaries?: number }>();

  const start = (out: CanonicalEvent[], r: J): void => {
    if (started) return;
    started = true;
    out.push({ type: 'message_start', message: { id: str(r.id) ?? 'resp', model: str(r.model) ?? '', usage: emptyCanonicalUsage() } });
  };
  const openBlock = (out: CanonicalEvent[], key: string, kind: 'text' | 'thinking' | 'call', block: Extract<CanonicalEvent, { type: 'content_block_start' }>['content_block'], extra: { custom?: boolean } = {}): number => {
    const index = next++;
    open.set(key, { index, kind, ...extra, input: '', summaries: 0 });
    out.push({ type: 'content_block_start', index, content_block: block });
    return index;
  };
  const closeBlock = (out: CanonicalEvent[], key: string): void => {
    const b = open.get(key);
    if (!b) return;
    open.delete(key);
    out.push({ type: 'content_block_stop', index: b.index });
  };
  const finish = (out: CanonicalEvent[], r: J): void => {
    if (done) return;
    done = true;
    for (const key of [...open.keys()]) closeBlock(out, key);
    const stop: StopReason | null = stopOfResponse(r.status, r.incomplete_details, objs(r.output));
    out.push({ type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: r.usage ? canonicalUsageOf(obj(r.usage)) : {} });
    out.push({ type: 'message_stop' });
  };

  return {
    push(e: StreamEvent) {
      const out: CanonicalEvent[] = [];
      const d = e.json;
      if (!d) return out;
      const type = str(d.type) ?? e.event;
      const oi = num(d.output_index);
      const item = obj(d.item);
      switch (type) {
        case 'response.created':
        case 'response.in_progress':
          start(out, obj(d.response));
          break;
        case 'response.output_item.added':
          start(out, {});
          if (item.type === 'reasoning') openBlock(out, String(oi), 'thinking', { type: 'thinking', thinking: '', signature: '' });
          else if (item.type === 'function_call' || item.type === 'custom_tool_call') {
            const custom = item.type === 'custom_tool_call';
            const index = openBlock(out, String(oi), 'call', { type: 'tool_use', id: str(item.call_id) ?? str(item.id) ?? '', name: canonicalCallName(item), input: {} }, { custom });
            const args = str(item.arguments);
            if (args) out.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: args } });
          }
          break;
        case 'response.content_part.added':
          start(out, {});
          openBlock(out, `${String(oi)}:${String(num(d.content_index))}`, 'text', { type: 'text', text: '' });
          break;
        case 'response.output_text.delta':
        case 'response.refusal.delta': {
          const b = open.get(`${String(oi)}:${String(num(d.content_index))}`);
          const delta = str(d.delta);
          if (b && delta) out.push({ type: 'content_block_delta', index: b.index, delta: { type: 'text_delta', text: delta } });
          break;
        }
        case 'response.content_part.done':
          closeBlock(out, `${String(oi)}:${String(num(d.content_index))}`);
          break;
        case 'response.reasoning_summary_text.delta':
        case 'response.reasoning_text.delta': {
          const b = open.get(String(oi));
          const delta = str(d.delta);
          if (b?.kind === 'thinking' && delta) out.push({ type: 'content_block_delta', index: b.index, delta: { type: 'thinking_delta', thinking: delta } });
          break;
        }
        case 'response.reasoning_summary_part.added': {
          const b = open.get(String(oi));
          // Summary parts read as paragraphs of one thinking text.
          if (b?.kind === 'thinking' && (b.summaries = (b.summaries ?? 0) + 1) > 1) out.push({ type: 'content_block_delta', index: b.index, delta: { type: 'thinking_delta', thinking: '\n\n' } });
          break;
        }
        case 'response.function_call_arguments.delta': {
          const b = open.get(String(oi));
          const delta = str(d.delta);
          if (b?.kind === 'call' && delta) out.push({ type: 'content_block_delta', index: b.index, delta: { type: 'input_json_delta', partial_json: delta } });
          break;
        }
        case 'response.custom_tool_call_input.delta': {
          const b = open.get(String(oi));
          if (b?.kind === 'call') b.input = (b.input ?? '') + (str(d.delta) ?? '');
          break;
        }
        case 'response.output_item.done': {
          const b = open.get(String(oi));
          if (b?.kind === 'thinking') {
            out.push({ type: 'content_block_delta', index: b.index, delta: { type: 'signature_delta', signature: signatureForResponsesItem(str(item.id), str(item.encrypted_content)) } });
          } else if (b?.kind === 'call' && b.custom) {
            // A custom tool's raw input, wrapped as the one-string-argument function it became.
            out.push({ type: 'content_block_delta', index: b.index, delta: { type: 'input_json_delta', partial_json: JSON.stringify({ input: str(item.input) ?? b.input ?? '' }) } });
          }
          closeBlock(out, String(oi));
          break;
        }
        case 'response.completed':
        case 'response.incomplete':
          start(out, obj(d.response));
          finish(out, obj(d.response));
          break;
        case 'response.failed': {
          const err = obj(obj(d.response).error);
          if (!done) out.push({ type: 'error', error: { type: 'api_error', message: str(err.message) ?? 'The upstream response failed.' } });
          done = true;
          break;
        }
        case 'error':
          if (!done) out.push({ type: 'error', error: { type: d.code === 'rate_limit_exceeded' ? 'rate_limit_error' : 'api_error', message: str(d.message) ?? 'upstream error' } });
          done = true;
          break;
        default:
          break;
      }
      return out;
    },
    end() {
      return [];
    },
  };
}

const PREAMBLE = new Set(['response.created', 'response.in_progress', 'response.queued', 'response.content_part.added', 'response.reasoning_summary_part.added']);

/**
 * What a Responses stream event is, for failover before the first content: the response's
 * opening events and empty skeletons (a message or reasoning item just added, an empty part) are
 * preamble; `error` and `response.failed` are errors; deltas, calls, finished items and the
 * terminal event are content.
 */
export function streamEventKind(e: StreamEvent): StreamEventKind {
  const d = e.json;
  const type = str(d?.type) ?? e.event;
  if (type === 'error' || type === 'response.failed') return 'error';
  if (!d || (type !== undefined && PREAMBLE.has(type))) return 'preamble';
  if (type === 'response.output_item.added') {
    const t = obj(d.item).type;
    if (t === 'message' || t === 'reasoning') return 'preamble';
  }
  return 'content';
}
