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

// The byte parser keeps a cut line's bytes and decodes only field values: every way a stream can
// be cut must give the events of the uncut stream.
describe('SSE parser, cut at every byte', () => {
  const stream = bytes(
    '\ufeffevent: message_start\ndata: {"type":"message_start"}\n\n' +
      ': ping\r\n\r\n' +
      'data: {"x":"ü→😀"}\r\n\r\n' +
      'data: line1\ndata:line2\ndata\n\n' +
      'event: delta\r\nid: 7\r\nretry: 5\r\ndata: {"a":1}\r\r' +
      'data: a\rdata: b\r\r' +
      'event: only\n\n' +
      'data: x\r\n\r\n',
  );
  const whole = parse(stream);

  it('reads the uncut stream as the spec says', () => {
    expect(whole).toEqual([
      { event: 'message_start', data: '{"type":"message_start"}' },
      { event: undefined, data: '{"x":"ü→😀"}' },
      { event: undefined, data: 'line1\nline2\n' },
      { event: 'delta', data: '{"a":1}' },
      { event: undefined, data: 'a\nb' },
      { event: undefined, data: 'x' },
    ]);
  });

  it('gives the same events cut once at any offset', () => {
    for (let cut = 1; cut < stream.length; cut++) expect(parse(stream.slice(0, cut), stream.slice(cut))).toEqual(whole);
  });

  it('gives the same events cut at every byte', () => {
    expect(parse(...Array.from(stream, (b) => new Uint8Array([b])))).toEqual(whole);
  });

  it('gives the same events for a line cut across three reads', () => {
    const s = bytes('data: {"long":"abcdefghij"}\n\n');
    expect(parse(s.slice(0, 8), s.slice(8, 16), s.slice(16))).toEqual([{ event: undefined, data: '{"long":"abcdefghij"}' }]);
  });

  it('strips a BOM split across reads, and only at the start', () => {
    const s = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('data: x\n\n')]);
    expect(parse(s.slice(0, 1), s.slice(1, 2), s.slice(2))).toEqual([{ event: undefined, data: 'x' }]);
    // Later, U+FEFF is part of the line: the field is "\ufeffdata", which the spec ignores.
    expect(parse(bytes('data: x\n\n'), new Uint8Array([0xef, 0xbb, 0xbf]), bytes('data: y\n\n'))).toEqual([{ event: undefined, data: 'x' }]);
  });

  it('does not hold on to a pushed chunk: changing it afterwards changes nothing', () => {
    const out: SseEvent[] = [];
    const p = createSseParser((e) => out.push(e));
    const first = Buffer.from('data: {"a":');
    p.push(first);
    first.fill(0x20);
    p.push(Buffer.from('1}\n\n'));
    expect(out).toEqual([{ event: undefined, data: '{"a":1}' }]);
  });

  it('reads text pushed as strings the same as bytes', () => {
    expect(parse('data: hé', 'llo\r', '\n\r\n')).toEqual([{ event: undefined, data: 'héllo' }]);
  });

  it('drops a field name that only starts like data or event', () => {
    expect(parse('datax: 1\nevents: 2\ndata: 3\n\n')).toEqual([{ event: undefined, data: '3' }]);
  });
  it('names each event by its own bytes when names repeat, change at equal length, or are not ASCII', () => {
    const ev = (name: string | Uint8Array, data: string): Uint8Array => {
      const n = typeof name === 'string' ? bytes(name) : name;
      return Buffer.concat([bytes('event: '), n, bytes(`\ndata: ${data}\n\n`)]);
    };
    const got = parse(
      ev('content_block_delta', '1'),
      ev('content_block_delta', '2'),
      ev('content_block_start', '3'), // the same length as the last name, other bytes
      ev('content_block_delta', '4'),
      ev('é', '5'), // one character, two bytes
      ev(new Uint8Array([0xe9]), '6'), // one byte: not UTF-8, one replacement character
      ev('é', '7'),
      ev('', '8'),
      'event:\ndata: 9\n\n',
    );
    expect(got.map((e) => e.event)).toEqual(['content_block_delta', 'content_block_delta', 'content_block_start', 'content_block_delta', 'é', '\ufffd', 'é', '', '']);
    expect(got.map((e) => e.data)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });
});
