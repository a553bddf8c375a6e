/** generateContent stream (`streamGenerateContent?alt=sse`) → canonical events. Never throws. */
import type { CanonicalEvent, CanonicalUsage, StopReason } from '../canonical.js';
import type { StreamEvent, StreamEventKind, UpstreamParser } from '../adapter.js';
import { blocks } from '../blocks.js';
import { textOr, obj, objs } from '../json.js';
import { canonicalUsage } from '../usage.js';
import { encodeGeminiCallId } from './ids.js';
import { applyPartialArg, type PartialCall } from './partial-args.js';
import { stopFromFinish } from './stop.js';
import { readUsage } from './usage.js';

export function parser(): UpstreamParser {
  const b = blocks();
  let stop: StopReason | null = null;
  let usage: CanonicalUsage | undefined;
  let calls = 0;
  let sawCall = false;
  let done = false;
  let pending: PartialCall | undefined;
  const emitCall = (out: CanonicalEvent[], name: string, sig: string | undefined, args: unknown): void => {
    sawCall = true;
    const id = encodeGeminiCallId(calls++, name, sig);
    const i = b.ensure(out, `tool:${id}`, { type: 'tool_use', id, name, input: {} });
    out.push({ type: 'content_block_delta', index: i, delta: { type: 'input_json_delta', partial_json: JSON.stringify(args) } });
  };
  const closePending = (out: CanonicalEvent[]): void => {
    if (!pending) return;
    emitCall(out, pending.name, pending.signature, pending.args);
    pending = undefined;
  };
  const finish = (out: CanonicalEvent[]): void => {
    if (done || !b.started) return;
    done = true;
    closePending(out);
    b.close(out);
    out.push({ type: 'message_delta', delta: { stop_reason: sawCall && stop === 'end_turn' ? 'tool_use' : stop, stop_sequence: null }, usage: usage ?? {} });
    out.push({ type: 'message_stop' });
  };
  return {
    push(e) {
      const out: CanonicalEvent[] = [];
      const d = e.json;
      if (!d) return out;
      if (d.error) {
        const err = obj(d.error);
        out.push({ type: 'error', error: { type: 'api_error', message: textOr(err.message, 'upstream error') } });
        return out;
      }
      b.start(out, textOr(d.responseId, 'gemini'), textOr(d.modelVersion, ''));
      if (d.usageMetadata) usage = canonicalUsage(readUsage(obj(d.usageMetadata)));
      for (const c of objs(d.candidates)) {
        for (const p of objs(obj(c.content).parts)) {
          const sig = typeof p.thoughtSignature === 'string' ? p.thoughtSignature : undefined;
          if (p.thought === true) {
            const i = b.ensure(out, 'thinking', { type: 'thinking', thinking: '', signature: '' });
            if (typeof p.text === 'string' && p.text) out.push({ type: 'content_block_delta', index: i, delta: { type: 'thinking_delta', thinking: p.text } });
            if (sig) out.push({ type: 'content_block_delta', index: i, delta: { type: 'signature_delta', signature: `gemini:${sig}` } });
          } else if (p.functionCall) {
            const f = obj(p.functionCall);
            const pieces = Array.isArray(f.partialArgs) ? objs(f.partialArgs) : undefined;
            if (pending) {
              // A call whose arguments stream in pieces: gather them; an empty functionCall (or
              // one that no longer continues) closes it.
              for (const piece of pieces ?? []) applyPartialArg(pending, piece);
              if (!pieces || f.willContinue !== true) closePending(out);
            } else if (typeof f.name === 'string' && f.willContinue === true) {
              pending = { name: f.name, signature: sig, args: {}, continuing: undefined };
              for (const piece of pieces ?? []) applyPartialArg(pending, piece);
            } else if (typeof f.name === 'string' && f.name) emitCall(out, f.name, sig, f.args ?? {});
          } else if (typeof p.text === 'string') {
            if (sig) {
              // A signature on a text part: keep it as an (empty) signed thinking block so an
              // OpenAI-format client can hand it back on the next turn.
              const i = b.ensure(out, `sig:${sig.slice(0, 16)}`, { type: 'thinking', thinking: '', signature: '' });
              out.push({ type: 'content_block_delta', index: i, delta: { type: 'signature_delta', signature: `gemini:${sig}` } });
            }
            if (p.text) {
              const i = b.ensure(out, 'text', { type: 'text', text: '' });
              out.push({ type: 'content_block_delta', index: i, delta: { type: 'text_delta', text: p.text } });
            }
          }
        }
        if (typeof c.finishReason === 'string') stop = stopFromFinish(c.finishReason);
      }
      const blocked = obj(d.promptFeedback).blockReason;
      if (typeof blocked === 'string') stop = 'refusal';
      if (stop !== null) finish(out);
      return out;
    },
    end() {
      return [];
    },
  };
}

/** An `error` object is an error; a candidate with parts, a finish reason or a block is content; usage alone is preamble. */
export function streamEventKind(e: StreamEvent): StreamEventKind {
  const d = e.json;
  if (!d) return 'preamble';
  if (d.error) return 'error';
  if (typeof obj(d.promptFeedback).blockReason === 'string') return 'content';
  for (const c of objs(d.candidates)) if (typeof c.finishReason === 'string' || objs(obj(c.content).parts).length) return 'content';
  return 'preamble';
}
