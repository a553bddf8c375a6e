import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createSseParser, type SseEvent } from '../../functions/shared/protocol/sse.js';

function parse(...reads: (string | Uint8Array)[]): SseEvent[] {
  const out: SseEvent[] = [];
  const p = createSseParser((e) => out.push(e));
  for (const r of reads) p.push(r);
  p.end();
  return out;
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

// The parser test vectors of docs/protocols.md §6.5, all of which must work.
describe('SSE parser (docs/protocols.md §6.5 vectors)', () => {
  it.each([
    ['1 LF', ['data: {"a":1}\n\n'], [{ event: undefined, data: '{"a":1}' }]],
    ['2 CRLF', ['data: {"a":1}\r\n\r\n'], [{ event: undefined, data: '{"a":1}' }]],
    ['3 lone CR', ['data: {"a":1}\r\r'], [{ event: undefined, data: '{"a":1}' }]],
    ['4 event type', ['event: ping\ndata: {"type": "ping"}\n\n'], [{ event: 'ping', data: '{"type": "ping"}' }]],
    ['5 comment', [': keep-alive\n\n'], []],
    ['6 multi data', ['data: line1\ndata: line2\n\n'], [{ event: undefined, data: 'line1\nline2' }]],
    ['7 no space', ['data:no-space\n\n'], [{ event: undefined, data: 'no-space' }]],
    ['8 bare data', ['data\n\n'], [{ event: undefined, data: '' }]],
    ['9 event only', ['event: x\n\n'], []],
    ['10 unterminated', ['data: {"a":1}'], []],
    ['12 CRLF split across reads', ['data: x\r', '\ndata: y\n\n'], [{ event: undefined, data: 'x\ny' }]],
    ['13 case-sensitive field', ['Data: x\n\n'], []],
    ['14 DONE sentinel is data', ['data: [DONE]\n\n'], [{ event: undefined, data: '[DONE]' }]],
    ['15 bad retry ignored', ['retry: 10x\ndata: z\n\n'], [{ event: undefined, data: 'z' }]],
  ])('vector %s', (_name, reads, want) => {
    expect(parse(...reads)).toEqual(want);
  });

  it('vector 11: strips a leading BOM', () => {
    expect(parse(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('data: x\n\n')]))).toEqual([{ event: undefined, data: 'x' }]);
  });

  it('vector 16: reassembles a UTF-8 character split across reads', () => {
    const all = bytes('data: héllo €\n\n');
    const cut = all.indexOf(0xe2) + 1; // inside the three-byte euro sign
    expect(parse(all.slice(0, cut), all.slice(cut))).toEqual([{ event: undefined, data: 'héllo €' }]);
  });

  it('yields the same events whatever the byte boundaries', () => {
    const stream = bytes(
      'event: message_start\ndata: {"type":"message_start"}\n\n: ping\r\n\r\ndata: {"x":"ü→😀"}\r\n\r\ndata: a\rdata: b\r\r',
    );
    const whole = parse(stream);
    expect(whole).toHaveLength(3);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 8 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const parts: Uint8Array[] = [];
        let prev = 0;
        for (const c of points) {
          parts.push(stream.slice(prev, c));
          prev = c;
        }
        parts.push(stream.slice(prev));
        expect(parse(...parts)).toEqual(whole);
      }),
    );
  });
});
