/** Chat Completions stream → canonical events (docs/protocols.md §4.11). Never throws; odd events are skipped. */
import type { CanonicalEvent, CanonicalUsage, StopReason } from '../canonical.js';
import type { StreamEvent, StreamEventKind, UpstreamParser } from '../adapter.js';
import { blocks } from '../blocks.js';
import { learnTemplate, type DataTemplate } from '../data-template.js';
import { textOr, count, obj, type J } from '../json.js';
import { canonicalUsage } from '../usage.js';
import { stopFromFinish } from './stop.js';
import { readUsage } from './usage.js';

export function parser(): UpstreamParser {
  const b = blocks();
  let stop: StopReason | null = null;
  let usage: CanonicalUsage | undefined;
  const toolKeys = new Map<number, string>();
  let done = false;
  /**
   * The stream's plain text chunk, once one has been parsed (data-template.ts): a chunk that is
   * its text with only `content` (and `obfuscation`) different stands for one text delta, so it
   * needs no JSON.parse. The usage reader learns the same template from the same chunk.
   */
  let template: DataTemplate | undefined;
  const finish = (out: CanonicalEvent[]): void => {
    if (done || !b.started) return;
    done = true;
    b.close(out);
    out.push({ type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: usage ?? {} });
    out.push({ type: 'message_stop' });
  };
  return {
    push(e) {
      const out: CanonicalEvent[] = [];
      if (e.data === '[DONE]') {
        finish(out);
        return out;
      }
      const d = e.json;
      if (!d) return out;
      if (d.error) {
        const err = obj(d.error);
        out.push({ type: 'error', error: { type: textOr(err.type, 'api_error'), message: textOr(err.message, 'upstream error') } });
        return out;
      }
      b.start(out, textOr(d.id, 'chatcmpl'), textOr(d.model, ''));
      const hasUsage = d.usage && typeof d.usage === 'object';
      if (hasUsage) usage = canonicalUsage(readUsage(d.usage as J));
      template = learn(e.data, d, hasUsage) ?? template;
      for (const c of Array.isArray(d.choices) ? (d.choices as J[]) : []) {
        const delta = obj(c.delta);
        const reasoning = typeof delta.reasoning_content === 'string' ? delta.reasoning_content : typeof delta.reasoning === 'string' ? delta.reasoning : '';
        if (reasoning) {
          const i = b.ensure(out, 'thinking', { type: 'thinking', thinking: '', signature: '' });
          out.push({ type: 'content_block_delta', index: i, delta: { type: 'thinking_delta', thinking: reasoning } });
        }
        const text = typeof delta.content === 'string' ? delta.content : typeof delta.refusal === 'string' ? delta.refusal : '';
        if (text) {
          const i = b.ensure(out, 'text', { type: 'text', text: '' });
          out.push({ type: 'content_block_delta', index: i, delta: { type: 'text_delta', text } });
        }
        for (const tc of Array.isArray(delta.tool_calls) ? (delta.tool_calls as J[]) : []) {
          const ti = count(tc.index);
          const f = obj(tc.function);
          let key = toolKeys.get(ti);
          if (!key || (typeof tc.id === 'string' && tc.id !== key)) {
            key = typeof tc.id === 'string' ? tc.id : `call_${ti}`;
            toolKeys.set(ti, key);
          }
          const i = b.ensure(out, `tool:${key}`, { type: 'tool_use', id: key, name: textOr(f.name, ''), input: {} });
          if (typeof f.arguments === 'string' && f.arguments) out.push({ type: 'content_block_delta', index: i, delta: { type: 'input_json_delta', partial_json: f.arguments } });
        }
        if (typeof c.finish_reason === 'string') stop = stopFromFinish(c.finish_reason);
      }
      return out;
    },
    fromText(data) {
      // Only while the text block is open, so that answering changes no state: the caller may
      // still push the event when its usage reader cannot read it from the text.
      if (b.openKind !== 'text') return undefined;
      const text = template?.match(data);
      if (text === undefined) return undefined;
      const out: CanonicalEvent[] = [];
      if (text) out.push({ type: 'content_block_delta', index: b.ensure(out, 'text', { type: 'text', text: '' }), delta: { type: 'text_delta', text } });
      return out;
    },
    end() {
      const out: CanonicalEvent[] = [];
      if (b.started && !done && stop !== null) finish(out);
      return out;
    },
  };
}

/**
 * A template for a chunk whose only effect is its text: one choice whose delta has a string
 * `content` and no reasoning, refusal or tool call, no finish reason, no usage and no error.
 */
function learn(data: string, d: J, hasUsage: unknown): DataTemplate | undefined {
  if (d.error || hasUsage || !Array.isArray(d.choices) || d.choices.length !== 1) return undefined;
  const c = obj(d.choices[0]);
  const delta = obj(c.delta);
  if (typeof delta.content !== 'string' || delta.reasoning_content !== undefined || delta.reasoning !== undefined || delta.refusal !== undefined || delta.tool_calls !== undefined) return undefined;
  if (typeof c.finish_reason === 'string') return undefined;
  const t = learnTemplate(data, 'content', 'obfuscation');
  return t && t.match(data) === delta.content ? t : undefined;
}

/** A role-only or usage-free empty chunk is preamble; an `error` object is an error; anything else (text, reasoning, a tool call, a finish reason, [DONE]) is content. */
export function streamEventKind(e: StreamEvent): StreamEventKind {
  if (e.data === '[DONE]') return 'content';
  const d = e.json;
  if (!d) return 'preamble';
  if (d.error) return 'error';
  if (d.usage && typeof d.usage === 'object') return 'content';
  for (const c of Array.isArray(d.choices) ? (d.choices as J[]) : []) {
    if (typeof c.finish_reason === 'string') return 'content';
    const delta = obj(c.delta);
    if ((typeof delta.content === 'string' && delta.content) || (typeof delta.refusal === 'string' && delta.refusal)) return 'content';
    if ((typeof delta.reasoning_content === 'string' && delta.reasoning_content) || (typeof delta.reasoning === 'string' && delta.reasoning)) return 'content';
    if (Array.isArray(delta.tool_calls) && delta.tool_calls.length) return 'content';
  }
  return 'preamble';
}
