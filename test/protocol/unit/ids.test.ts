import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeGeminiCallId, encodeGeminiCallId } from '../../../functions/shared/protocol/generate-content/ids.js';

describe('Gemini call ids', () => {
  it('carry the function name and thought signature through a round trip', () => {
    fc.assert(
      fc.property(fc.nat(), fc.string(), fc.option(fc.string({ minLength: 1 }), { nil: undefined }), (n, name, sig) => {
        const back = decodeGeminiCallId(encodeGeminiCallId(n, name, sig));
        expect(back).toEqual(sig ? { name, signature: sig } : { name });
      }),
    );
  });
  it.each(['call_123', 'gcall_x_abc', 'gcall_1_!!', `gcall_1_${Buffer.from('not json').toString('base64url')}`, `gcall_1_${Buffer.from('{"n":3}').toString('base64url')}`])('%s is not one of ours', (id) => {
    expect(decodeGeminiCallId(id)).toBeUndefined();
  });
});
