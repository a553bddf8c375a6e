import { describe, expect, it } from 'vitest';
import { TranslationError } from '../../../functions/shared/protocol/errors.js';
import { includeNotes } from '../../../functions/shared/protocol/responses/include.js';
import { fromResponses } from '../../../functions/shared/protocol/responses/request-in.js';

describe('include on a translated upstream', () => {
  it('reasoning.encrypted_content is honoured silently (every signed reasoning item carries it)', () => {
    expect(includeNotes(['reasoning.encrypted_content'])).toEqual([]);
    expect(includeNotes(undefined)).toEqual([]);
    expect(includeNotes(null)).toEqual([]);
  });

  it('logprobs, hosted-tool outputs, stored input items and unknown values are ignored with a reason, once each', () => {
    const notes = includeNotes(['message.output_text.logprobs', 'file_search_call.results', 'message.input_image.image_url', 'x_future.thing', 'x_future.thing']);
    expect(notes).toEqual([
      "include 'message.output_text.logprobs' ignored: not available through translation",
      "include 'file_search_call.results' ignored: only OpenAI can give it",
      "include 'message.input_image.image_url' ignored: only OpenAI can give it",
      "include 'x_future.thing' ignored: only OpenAI can give it",
    ]);
  });

  it('a malformed include is a 400 naming the field, as OpenAI answers it', () => {
    for (const bad of ['reasoning.encrypted_content', [1], {}]) {
      expect(() => includeNotes(bad)).toThrow(TranslationError);
      try {
        includeNotes(bad);
      } catch (e) {
        expect((e as TranslationError).param).toBe('include');
      }
    }
  });

  it('fromResponses records the notes with the request', () => {
    const notes: string[] = [];
    fromResponses({ model: 'm', input: 'hi', include: ['message.output_text.logprobs'] }, notes);
    expect(notes).toEqual([expect.stringContaining('message.output_text.logprobs')]);
  });
});
