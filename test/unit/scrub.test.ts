import { describe, expect, it } from 'vitest';
import { scrubberFor } from '../../functions/shared/gateway/scrub.js';

// A made-up key in OpenAI's project-key shape, assembled so the source holds no key-looking literal.
const KEY = ['sk', 'proj', 'Zx9QwErTy1234567890abcdefGHIJKLmnop_qrs-tuv'].join('-');

describe('upstream key scrubber', () => {
  const s = scrubberFor(KEY);

  it('removes the key, Bearer, truncated prefixes, URL and base64 encodings at every alignment', () => {
    for (const pad of ['', 'a', 'ab']) {
      const b64 = Buffer.from(`${pad}Authorization: Bearer ${KEY}`).toString('base64');
      const b64url = Buffer.from(`${pad}u:${KEY}`).toString('base64url');
      const out = s.text(`x ${b64} y ${b64url}`);
      expect(out).not.toContain(Buffer.from(KEY.slice(3, 30)).toString('base64').slice(4, 24));
      expect(out).toContain('[redacted upstream key]');
    }
    expect(s.text(`Bearer ${KEY} and ${KEY.slice(0, 20)}… and ${encodeURIComponent(`${KEY}/`)}`)).toBe(
      '[redacted upstream key] and [redacted upstream key]… and [redacted upstream key]%2F',
    );
    // A short shared prefix is not the key.
    expect(s.text('keys look like sk-proj-…')).toBe('keys look like sk-proj-…');
  });

  it('leaves success chunks untouched (the same object), even ones that mention errors', () => {
    const ok = Buffer.from('data: {"choices":[{"delta":{"content":"error handling"}}]}\n\n');
    expect(s.errorChunk(ok)).toBe(ok);
    const err = Buffer.from(`event: error\ndata: {"type":"error","error":{"message":"bad key ${KEY}"}}\n\n`);
    expect(Buffer.from(s.errorChunk(err)).toString()).toBe('event: error\ndata: {"type":"error","error":{"message":"bad key [redacted upstream key]"}}\n\n');
  });

  it('scrubs header values', () => {
    expect(s.headers({ 'x-request-id': `req_${KEY}` })).toEqual({ 'x-request-id': 'req_[redacted upstream key]' });
  });
});
