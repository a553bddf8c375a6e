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
});
