/**
 * Gemini carries a thought's signature on the part after the thought (docs/protocols.md, Gemini
 * thought signatures): the signed thinking of a canonical answer must come back on the next
 * part — or on an empty text part when nothing follows — so a multi-turn tool loop keeps its
 * thinking when a Gemini client talks to an Anthropic upstream.
 */
import { describe, expect, it } from 'vitest';
import { partsOf, thoughtSigner } from '../../../functions/shared/protocol/generate-content/client-body.js';
import { decodeThinking } from '../../../functions/shared/protocol/generate-content/thought-signature.js';

describe('partsOf: canonical blocks → Gemini parts', () => {
  it('puts signed thinking on the part after it, and the thought text as a thought part', () => {
    const parts = partsOf([
      { type: 'thinking', thinking: 'plan the call', signature: 'sig-1' },
      { type: 'tool_use', id: 'call_1', name: 'ls', input: { path: '.' } },
      { type: 'text', text: 'done' },
    ]);
    expect(parts).toHaveLength(3);
    expect(parts[0]).toEqual({ text: 'plan the call', thought: true });
    expect(parts[1]).toMatchObject({ functionCall: { id: 'call_1', name: 'ls', args: { path: '.' } } });
    expect(decodeThinking(parts[1]!.thoughtSignature as string)).toEqual([{ type: 'thinking', thinking: 'plan the call', signature: 'sig-1' }]);
    expect(parts[2]).toEqual({ text: 'done' }); // the signature was used once
  });

  it('ends with an empty signed text part when signed thinking is last', () => {
    const parts = partsOf([{ type: 'text', text: 'hi' }, { type: 'redacted_thinking', data: 'opaque' }]);
    expect(parts).toHaveLength(2);
    expect(parts[1]).toMatchObject({ text: '' });
    expect(decodeThinking(parts[1]!.thoughtSignature as string)).toEqual([{ type: 'redacted_thinking', data: 'opaque' }]);
  });

  it('adds nothing for unsigned thinking with no text', () => {
    expect(partsOf([{ type: 'thinking', thinking: '', signature: '' }, { type: 'text', text: 'x' }])).toEqual([{ text: 'x' }]);
  });
});

describe('thoughtSigner', () => {
  it('holds until the next part, then forgets', () => {
    const s = thoughtSigner();
    expect(s.holding).toBe(false);
    s.hold({ type: 'thinking', thinking: 't', signature: 's' });
    expect(s.holding).toBe(true);
    expect(s.sign({ text: 'a' }).thoughtSignature).toEqual(expect.any(String));
    expect(s.holding).toBe(false);
    expect(s.sign({ text: 'b' })).toEqual({ text: 'b' });
  });
});
