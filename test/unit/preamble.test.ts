import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ContentGate, PreContentFailure } from '../../functions/shared/gateway/preamble.js';
import { pump } from '../../functions/shared/upstream/pump.js';
import { upstreamSide } from '../../functions/shared/protocol/registry.js';

const b = (s: string): Buffer => Buffer.from(s);
/** Each part in a read of its own, as a socket delivers chunks that arrive apart. */
async function* from(parts: string[], failAfter?: Error): AsyncGenerator<Buffer> {
  for (const p of parts) {
    yield b(p);
    await new Promise((r) => setImmediate(r));
  }
  if (failAfter) throw failAfter;
}
async function run(parts: string[], protocol: 'chat-completions' | 'messages' | 'generate-content', failAfter?: Error, aborted = false): Promise<{ out: string[]; err?: unknown }> {
  const out: string[] = [];
  // What the relay does: chunks pass the gate until the first content, then go straight out.
  const gate = new ContentGate(upstreamSide(protocol).streamEventKind);
  try {
    await pump(Readable.from(from(parts, failAfter)), (c) => {
      for (const h of gate.open ? [c] : (gate.push(c) ?? [])) out.push(h.toString());
      return undefined;
    });
    gate.ended();
    return { out };
  } catch (err) {
    return { out, err: gate.failure(err, aborted) };
  }
}

const role = 'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}\n\n';
const text = 'data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n';
const oaError = 'data: {"error":{"message":"boom","type":"server_error"}}\n\n';
const start = 'event: message_start\ndata: {"type":"message_start","message":{"id":"m","usage":{"input_tokens":1}}}\n\n';
const ping = 'event: ping\ndata: {"type":"ping"}\n\n';
const blockStart = 'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n';
const delta = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n';
const overloaded = 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';

describe('ContentGate', () => {
  it('holds the preamble and releases it, in order, with the first content', async () => {
    const r = await run([role, text.slice(0, 10), text.slice(10)], 'chat-completions');
    expect(r.err).toBeUndefined();
    expect(r.out.join('')).toBe(role + text);
    expect(r.out).toHaveLength(3);
  });
  it('Messages: message_start, ping and an empty block start are preamble; the first delta is content', async () => {
    expect((await run([start, ping, blockStart, delta], 'messages')).out.join('')).toBe(start + ping + blockStart + delta);
  });
  it.each([
    ['an OpenAI error chunk', [role, oaError], 'chat-completions', 'stream-error'],
    ['an Anthropic overloaded_error', [start, ping, overloaded], 'messages', 'stream-error'],
    ['an end before content', [start, ping], 'messages', 'empty'],
  ] as const)('%s before content: nothing released, a PreContentFailure', async (_n, parts, protocol, outcome) => {
    const r = await run([...parts], protocol);
    expect(r.out).toEqual([]);
    expect(r.err).toBeInstanceOf(PreContentFailure);
    expect((r.err as PreContentFailure).outcome).toBe(outcome);
  });
  it('a reset before content is a PreContentFailure; after content it is the stream’s own failure', async () => {
    const reset = new Error('ECONNRESET');
    const before = await run([role], 'chat-completions', reset);
    expect((before.err as PreContentFailure).outcome).toBe('reset');
    const after = await run([role, text], 'chat-completions', reset);
    expect(after.err).toBe(reset);
    expect(after.out.join('')).toBe(role + text);
  });
  it('an error event after content passes through (it is the client’s to see)', async () => {
    expect((await run([start, delta, overloaded], 'messages')).out.join('')).toBe(start + delta + overloaded);
  });
  it('a failure EzyBus caused (a deadline) is not retried', async () => {
    const r = await run([role], 'chat-completions', new Error('aborted'), true);
    expect(r.err).not.toBeInstanceOf(PreContentFailure);
  });
});
