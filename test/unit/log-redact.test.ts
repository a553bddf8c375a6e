/**
 * The log's last line of defence (logging/log.ts `redact`): whatever a caller puts in a field,
 * a key-shaped substring never leaves the process whole, and a line without one is left as is.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { log, redact, setLogSink } from '../../functions/shared/logging/log.js';

const KEYS = ['sk-proj-abcdEFGH1234_-xyz', 'sk-ant-api03-AbCdEf012345', 'sk-eb-0123456789abcdef', 'AIzaSyA1234567890abcdefghijk', 'Bearer eyJhbGciOiJIUzI1NiJ9.payload'];

describe('redact', () => {
  it('masks every key shape, keeping only its first six characters', () => {
    for (const k of KEYS) {
      const out = redact(JSON.stringify({ msg: 'upstream said', detail: `key ${k} was refused` }));
      expect(out).not.toContain(k);
      expect(out).toContain(`${k.slice(0, 6)}…[redacted]`);
    }
  });

  it('leaves a line without a key-shaped substring unchanged, short prefixes included', () => {
    const line = JSON.stringify({ msg: 'request', model: 'gpt-4.1', note: 'task-1 sk- AIza Bearer x' });
    expect(redact(line)).toBe(line);
  });

  it('answers as the key pattern alone would, for any text', () => {
    const SECRET_RE = /(sk-[A-Za-z0-9_-]{8,}|AIza[0-9A-Za-z_-]{20,}|Bearer\s+[A-Za-z0-9._~+/=-]{12,})/g;
    const piece = fc.oneof(fc.string(), fc.constantFrom(...KEYS, 'sk-', 'AIza', 'Bearer ', 'sk-short', 'x'.repeat(30)));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (parts) => {
        const text = parts.join('');
        expect(redact(text)).toBe(text.replace(SECRET_RE, (m) => `${m.slice(0, 6)}…[redacted]`));
      }),
    );
  });
});

describe('log lines', () => {
  afterEach(() => setLogSink((line) => void process.stdout.write(line + '\n')));

  it('never carry a key a caller put in a field', () => {
    const lines: string[] = [];
    setLogSink((l) => lines.push(l));
    log('error', 'upstream error', { message: `Incorrect API key provided: ${KEYS[0]}`, header: KEYS[4] });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(KEYS[0]);
    expect(lines[0]).not.toContain(KEYS[4]);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 'error', msg: 'upstream error' });
  });
});
