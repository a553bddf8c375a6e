/**
 * Canonical events → a Responses client's stream (docs/protocols.md §5.6): every event framed
 * `event: <type>` + `data: <json>`, each carrying an increasing `sequence_number` from 0, ending
 * with `response.completed` / `response.incomplete` (no `[DONE]`), or `error` then
 * `response.failed`.
 *
 * Mapping: text blocks are output_text parts of one message item (a new message item after any
 * other item); thinking is a reasoning item whose summary streams as
 * `reasoning_summary_text.delta` and whose final `encrypted_content` carries the signed thinking
 * (reasoning.ts) — the final value, on `output_item.done`, as OpenAI does; tool use is a
 * `function_call` (arguments streamed), or for custom tools a `custom_tool_call` whose input is
 * sent whole when the block ends (its JSON wrapper must be complete to be unwrapped).
 */
import type { CanonicalEvent, CanonicalUsage, StopReason } from '../canonical.js';
import { emptyCanonicalUsage } from '../canonical.js';
import type { J } from '../json.js';
import { callItem, finishedResponse, messageItem, reasoningItem, responseId, responseObject, textPart, type CallShape, type ResponseParts } from './output.js';
import { encryptedFromThinking } from './reasoning.js';
import { statusOfStop } from './status.js';
import { customInputOf, type ToolKinds } from './tools.js';

export interface ResponsesEncoderOptions {
  publicModel: string;
  /** responseEcho(client body). */
  echo: J;
  kinds: ToolKinds;
}

/** One block's delta event for a delta string, sequence number included (deltaFrame). */
type DeltaEvent = (delta: string) => string;

type BlockState =
  | { kind: 'text'; outputIndex: number; contentIndex: number; itemId: string; text: string; delta: DeltaEvent }
  | { kind: 'reasoning'; outputIndex: number; itemId: string; text: string; signature: string; summaryOpen: boolean; delta: DeltaEvent }
  | { kind: 'call'; outputIndex: number; call: CallShape; args: string; delta: DeltaEvent }
  | { kind: 'other' };

export function responsesEncoder(o: ResponsesEncoderOptions): { push(e: CanonicalEvent): string; readonly sequence: number } {
  let seq = 0;
  let parts: ResponseParts = { id: 'resp_ezybus', createdAt: Math.floor(Date.now() / 1000), model: o.publicModel, echo: o.echo };
  let started = false;
  let finished = false;
  const output: J[] = [];
  const blocks = new Map<number, BlockState>();
  let message: { outputIndex: number; id: string; content: J[] } | undefined;
  let usage: CanonicalUsage = emptyCanonicalUsage();
  let stop: StopReason | null = null;
  let items = 0;
  const ev = (type: string, fields: J): string => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...fields })}\n\n`;
  // Delta events are most of a stream, and within a block each is the same text around two
  // values: its sequence number and its delta string. So that text is built once, when the
  // block opens, and a delta costs one JSON.stringify of its string — the same bytes as
  // ev(type, { ...before, delta, ...after }), without a spread object and a whole-event
  // stringify per chunk (the Responses rows' CPU per chunk, README "Where the issue-19 targets
  // stand"). `before` and `after` are non-empty, as every delta event's are.
  const deltaFrame = (type: string, before: J, after?: J): DeltaEvent => {
    const head = `event: ${type}\ndata: {"type":${JSON.stringify(type)},"sequence_number":`;
    const middle = `,${JSON.stringify(before).slice(1, -1)},"delta":`;
    const tail = `${after ? `,${JSON.stringify(after).slice(1, -1)}` : ''}}\n\n`;
    return (delta) => head + String(seq++) + middle + JSON.stringify(delta) + tail;
  };
  const nextId = (prefix: string): string => `${prefix}_${parts.id.slice(5)}_${items++}`;

  const start = (id: string): string => {
    if (started) return '';
    started = true;
    parts = { ...parts, id: responseId(id) };
    const r = responseObject(parts, 'in_progress', [], null);
    return ev('response.created', { response: r }) + ev('response.in_progress', { response: r });
  };

  const closeMessage = (): string => {
    if (!message) return '';
    const item = messageItem(message.id, 'completed', message.content);
    output[message.outputIndex] = item;
    const out = ev('response.output_item.done', { output_index: message.outputIndex, item });
    message = undefined;
    return out;
  };

  const openItem = (item: J): number => {
    const index = output.length;
    output.push(item);
    return index;
  };

  const blockStart = (e: Extract<CanonicalEvent, { type: 'content_block_start' }>): string => {
    const b = e.content_block;
    let out = '';
    if (b.type === 'text') {
      if (!message) {
        const id = nextId('msg');
        const outputIndex = openItem(messageItem(id, 'in_progress', []));
        message = { outputIndex, id, content: [] };
        out += ev('response.output_item.added', { output_index: outputIndex, item: messageItem(id, 'in_progress', []) });
      }
      const contentIndex = message.content.length;
      message.content.push(textPart(''));
      const { outputIndex, id: itemId } = message;
      const delta = deltaFrame('response.output_text.delta', { item_id: itemId, output_index: outputIndex, content_index: contentIndex }, { logprobs: [] });
      blocks.set(e.index, { kind: 'text', outputIndex, contentIndex, itemId, text: b.text, delta });
      out += ev('response.content_part.added', { item_id: itemId, output_index: outputIndex, content_index: contentIndex, part: textPart('') });
      if (b.text) out += delta(b.text);
      return out;
    }
    out += closeMessage();
    if (b.type === 'thinking' || b.type === 'redacted_thinking') {
      const itemId = nextId('rs');
      const outputIndex = openItem(reasoningItem(itemId, '', undefined));
      out += ev('response.output_item.added', { output_index: outputIndex, item: reasoningItem(itemId, '', undefined) });
      if (b.type === 'redacted_thinking') {
        const item = reasoningItem(itemId, '', encryptedFromThinking(b));
        output[outputIndex] = item;
        blocks.set(e.index, { kind: 'other' });
        return out + ev('response.output_item.done', { output_index: outputIndex, item });
      }
      const delta = deltaFrame('response.reasoning_summary_text.delta', { item_id: itemId, output_index: outputIndex, summary_index: 0 });
      blocks.set(e.index, { kind: 'reasoning', outputIndex, itemId, text: '', signature: b.signature, summaryOpen: false, delta });
      return out;
    }
    if (b.type === 'tool_use') {
      const custom = o.kinds.custom.has(b.name);
      const ns = o.kinds.namespaced.get(b.name);
      const call: CallShape = { id: nextId(custom ? 'ctc' : 'fc'), callId: b.id, name: ns?.name ?? b.name, namespace: ns?.namespace, custom };
      const outputIndex = openItem(callItem(call, 'in_progress', ''));
      const delta = deltaFrame('response.function_call_arguments.delta', { item_id: call.id, output_index: outputIndex });
      blocks.set(e.index, { kind: 'call', outputIndex, call, args: '', delta });
      return out + ev('response.output_item.added', { output_index: outputIndex, item: callItem(call, 'in_progress', '') });
    }
    blocks.set(e.index, { kind: 'other' });
    return out;
  };

  const blockDelta = (e: Extract<CanonicalEvent, { type: 'content_block_delta' }>): string => {
    const s = blocks.get(e.index);
    const d = e.delta;
    if (!s) return '';
    if (s.kind === 'text' && d.type === 'text_delta' && d.text) {
      s.text += d.text;
      return s.delta(d.text);
    }
    if (s.kind === 'reasoning') {
      if (d.type === 'signature_delta') s.signature += d.signature;
      if (d.type !== 'thinking_delta' || !d.thinking) return '';
      let out = '';
      if (!s.summaryOpen) {
        s.summaryOpen = true;
        out += ev('response.reasoning_summary_part.added', { item_id: s.itemId, output_index: s.outputIndex, summary_index: 0, part: { type: 'summary_text', text: '' } });
      }
      s.text += d.thinking;
      return out + s.delta(d.thinking);
    }
    if (s.kind === 'call' && d.type === 'input_json_delta' && d.partial_json) {
      s.args += d.partial_json;
      if (s.call.custom) return '';
      return s.delta(d.partial_json);
    }
    return '';
  };

  const blockStop = (index: number): string => {
    const s = blocks.get(index);
    blocks.delete(index);
    if (!s || s.kind === 'other') return '';
    if (s.kind === 'text') {
      const m = message;
      if (m) m.content[s.contentIndex] = textPart(s.text);
      return (
        ev('response.output_text.done', { item_id: s.itemId, output_index: s.outputIndex, content_index: s.contentIndex, text: s.text, logprobs: [] }) +
        ev('response.content_part.done', { item_id: s.itemId, output_index: s.outputIndex, content_index: s.contentIndex, part: textPart(s.text) })
      );
    }
    if (s.kind === 'reasoning') {
      let out = '';
      if (s.summaryOpen) {
        out += ev('response.reasoning_summary_text.done', { item_id: s.itemId, output_index: s.outputIndex, summary_index: 0, text: s.text });
        out += ev('response.reasoning_summary_part.done', { item_id: s.itemId, output_index: s.outputIndex, summary_index: 0, part: { type: 'summary_text', text: s.text } });
      }
      const enc = s.signature ? encryptedFromThinking({ type: 'thinking', thinking: s.text, signature: s.signature }) : undefined;
      const item = reasoningItem(s.itemId, s.text, enc);
      output[s.outputIndex] = item;
      return out + ev('response.output_item.done', { output_index: s.outputIndex, item });
    }
    const { call } = s;
    let out = '';
    let payload: string;
    if (call.custom) {
      let input: unknown = {};
      try {
        input = JSON.parse(s.args || '{}');
      } catch {
        input = { input: s.args };
      }
      payload = customInputOf(input);
      if (payload) out += ev('response.custom_tool_call_input.delta', { item_id: call.id, output_index: s.outputIndex, delta: payload });
      out += ev('response.custom_tool_call_input.done', { item_id: call.id, output_index: s.outputIndex, input: payload });
    } else {
      payload = s.args || '{}';
      out += ev('response.function_call_arguments.done', { item_id: call.id, output_index: s.outputIndex, name: call.name, arguments: payload });
    }
    const item = callItem(call, 'completed', payload);
    output[s.outputIndex] = item;
    return out + ev('response.output_item.done', { output_index: s.outputIndex, item });
  };

  const fail = (code: string, message: string): string => {
    if (finished) return '';
    finished = true;
    let out = start('ezybus');
    out += ev('error', { code, message, param: null });
    out += ev('response.failed', { response: responseObject(parts, 'failed', output.filter(Boolean), usage, { error: { code, message } }) });
    return out;
  };

  return {
    get sequence() {
      return seq;
    },
    push(e) {
      if (finished) return '';
      switch (e.type) {
        case 'message_start':
          usage = { ...usage, ...e.message.usage };
          return start(e.message.id);
        case 'content_block_start':
          return start('ezybus') + blockStart(e);
        case 'content_block_delta':
          return blockDelta(e);
        case 'content_block_stop':
          return blockStop(e.index);
        case 'message_delta':
          for (const [k, v] of Object.entries(e.usage)) if (typeof v === 'number') usage = { ...usage, [k]: v };
          stop = e.delta.stop_reason;
          return '';
        case 'message_stop': {
          let out = start('ezybus');
          for (const i of [...blocks.keys()]) out += blockStop(i);
          out += closeMessage();
          finished = true;
          const r = finishedResponse(parts, stop, output, usage);
          return out + ev(statusOfStop(stop).status === 'completed' ? 'response.completed' : 'response.incomplete', { response: r });
        }
        case 'error':
          return fail(e.error.type === 'rate_limit_error' ? 'rate_limit_exceeded' : 'server_error', e.error.message);
      }
    },
  };
}
