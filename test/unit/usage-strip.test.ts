import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createUsageStripper } from '../../functions/shared/gateway/usage-strip.js';

const fixture = readFileSync(new URL('../fixtures/real/openai/stream-text-basic-with-usage.openai-python.sse', import.meta.url));

function run(parts: Buffer[]): string {
  const s = createUsageStripper();
  const out: Buffer[] = [];
  for (const p of parts) {
    const b = s.push(p);
    if (b) out.push(b);
  }
  const rest = s.end();
  if (rest) out.push(rest);
  return Buffer.concat(out).toString('utf8');
}

describe('usage stripper on a recorded OpenAI stream', () => {
  it('drops exactly the usage chunk and keeps every other byte', () => {
    const text = fixture.toString('utf8');
    const events = text.split('\n\n').filter(Boolean);
    const usage = events.filter((e) => e.includes('"choices":[]'));
    expect(usage).toHaveLength(1);
    const expected = events.filter((e) => !e.includes('"choices":[]')).map((e) => `${e}\n\n`).join('');
    expect(run([fixture])).toBe(expected);
    expect(run([fixture])).toContain('data: [DONE]');
  });

  it('is the same whatever the read boundaries, even inside a UTF-8 character', () => {
    const whole = run([fixture]);
    for (const size of [1, 7, 64, 333]) {
      const parts: Buffer[] = [];
      for (let i = 0; i < fixture.length; i += size) parts.push(fixture.subarray(i, i + size));
      expect(run(parts)).toBe(whole);
    }
  });

  it('is the same when each read is one whole event (the bytes are relayed as they came)', () => {
    const whole = run([fixture]);
    const events = fixture.toString('utf8').split('\n\n').filter(Boolean).map((e) => Buffer.from(`${e}\n\n`));
    expect(run(events)).toBe(whole);
    const s = createUsageStripper();
    const plain = events.find((e) => !e.includes('"usage"')) as Buffer;
    expect(s.push(plain)).toBe(plain);
  });

  it('keeps a UTF-8 character split just after an event boundary whole', () => {
    const bytes = Buffer.from('data: {"choices":[{"delta":{"content":"a"}}]}\n\ndata: {"choices":[{"delta":{"content":"é"}}]}\n\n');
    const cut = bytes.indexOf(Buffer.from('é')) + 1;
    const split = [bytes.subarray(0, bytes.indexOf('\n\n') + 2), bytes.subarray(bytes.indexOf('\n\n') + 2, cut), bytes.subarray(cut)];
    expect(run(split)).toBe(bytes.toString('utf8'));
    expect(run([Buffer.concat([split[0] as Buffer, split[1] as Buffer]), split[2] as Buffer])).toBe(bytes.toString('utf8'));
  });

  it('relays the spec\'s `"usage": null` chunks as the same bytes, and still drops the usage chunk', () => {
    // With include_usage every other chunk carries "usage": null (docs/protocols.md §1.9).
    const nulled = fixture
      .toString('utf8')
      .split('\n\n')
      .filter(Boolean)
      .map((e) => Buffer.from(e.includes('"choices":[]') || !e.startsWith('data: {') ? `${e}\n\n` : `${e.slice(0, -1)},"usage" : null}\n\n`));
    const s = createUsageStripper();
    const plain = nulled[1] as Buffer;
    expect(plain.toString()).toContain('"usage" : null');
    expect(s.push(plain)).toBe(plain);
    const out = run(nulled);
    expect(out).not.toContain('"choices":[]');
    expect(out).toContain('data: [DONE]');
    expect(out.split('\n\n').filter(Boolean)).toHaveLength(nulled.length - 1);
    // A chunk cut right after the key is a maybe: held, then relayed whole.
    const cut = plain.indexOf('"usage"') + 8;
    expect(run([plain.subarray(0, cut), plain.subarray(cut)])).toBe(plain.toString());
  });
});
