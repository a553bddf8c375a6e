/**
 * Non-stream answers, both ways: a Responses upstream's response object → canonical message,
 * and a canonical message → the response object a Responses client reads.
 */
import type { Block, CanonicalMessage } from '../canonical.js';
import { emptyCanonicalUsage } from '../canonical.js';
import { obj, objs, str, type J } from '../json.js';
import { callItem, finishedResponse, messageItem, reasoningItem, responseId, textPart, type ResponseParts } from './output.js';
import { encryptedFromThinking, signatureForResponsesItem, summaryText } from './reasoning.js';
import { stopOfResponse } from './status.js';
import { canonicalCallName, customInputOf, type ToolKinds } from './tools.js';
import { canonicalUsageOf } from './usage.js';

function parsedArgs(s: string | undefined): unknown {
  try {
    return JSON.parse(s || '{}') as unknown;
  } catch {
    return { _raw: s };
  }
}

export function messageFromResponses(d: J): CanonicalMessage {
  const content: Block[] = [];
  const output = objs(d.output);
  for (const item of output) {
    if (item.type === 'message') {
      for (const p of objs(item.content)) {
        const text = str(p.text) ?? str(p.refusal);
        if (text) content.push({ type: 'text', text });
      }
    } else if (item.type === 'reasoning') {
      content.push({ type: 'thinking', thinking: summaryText(item), signature: signatureForResponsesItem(str(item.id), str(item.encrypted_content)) });
    } else if (item.type === 'function_call') {
      content.push({ type: 'tool_use', id: str(item.call_id) ?? '', name: canonicalCallName(item), input: parsedArgs(str(item.arguments)) });
    } else if (item.type === 'custom_tool_call') {
      content.push({ type: 'tool_use', id: str(item.call_id) ?? '', name: canonicalCallName(item), input: { input: str(item.input) ?? '' } });
    }
  }
  return {
    id: str(d.id) ?? 'resp',
    model: str(d.model) ?? '',
    content,
    stop_reason: stopOfResponse(d.status, d.incomplete_details, output) ?? 'end_turn',
    stop_sequence: null,
    usage: d.usage ? canonicalUsageOf(obj(d.usage)) : emptyCanonicalUsage(),
  };
}

export interface ResponsesBodyOptions {
  publicModel: string;
  echo: J;
  kinds: ToolKinds;
}

export function messageToResponses(m: CanonicalMessage, o: ResponsesBodyOptions): J {
  const parts: ResponseParts = { id: responseId(m.id), createdAt: Math.floor(Date.now() / 1000), model: o.publicModel, echo: o.echo };
  const output: J[] = [];
  const base = parts.id.slice(5);
  let n = 0;
  let text: J[] | undefined;
  const flush = (): void => {
    if (text) output.push(messageItem(`msg_${base}_${n++}`, 'completed', text));
    text = undefined;
  };
  for (const b of m.content) {
    if (b.type === 'text') {
      (text ??= []).push(textPart(b.text));
      continue;
    }
    flush();
    if (b.type === 'thinking') output.push(reasoningItem(`rs_${base}_${n++}`, b.thinking, b.signature ? encryptedFromThinking(b) : undefined));
    else if (b.type === 'redacted_thinking') output.push(reasoningItem(`rs_${base}_${n++}`, '', encryptedFromThinking(b)));
    else if (b.type === 'tool_use') {
      const custom = o.kinds.custom.has(b.name);
      const ns = o.kinds.namespaced.get(b.name);
      const call = { id: `${custom ? 'ctc' : 'fc'}_${base}_${n++}`, callId: b.id, name: ns?.name ?? b.name, namespace: ns?.namespace, custom };
      output.push(callItem(call, 'completed', custom ? customInputOf(b.input) : JSON.stringify(b.input ?? {})));
    }
  }
  flush();
  return finishedResponse(parts, m.stop_reason, output, m.usage);
}
