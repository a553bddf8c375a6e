import { describe, expect, it } from 'vitest';
import { geminiSchema } from '../../../functions/shared/protocol/generate-content/request-out.js';
import { inlineLocalRefs } from '../../../functions/shared/protocol/schema-refs.js';
import { TranslationError } from '../../../functions/shared/protocol/errors.js';

// What pydantic emits for a model with a nested model field (pydantic-ai's tool and output schemas).
const pydantic = {
  $defs: { City: { properties: { name: { type: 'string' }, country: { type: 'string' } }, required: ['name', 'country'], title: 'City', type: 'object' } },
  properties: { city: { $ref: '#/$defs/City', description: 'Where' }, alternatives: { items: { $ref: '#/$defs/City' }, type: 'array' } },
  required: ['city', 'alternatives'],
  title: 'Trip',
  type: 'object',
};

describe('inlineLocalRefs', () => {
  it('replaces #/$defs refs with their schema, keeps sibling keywords, drops $defs, leaves the input alone', () => {
    const before = JSON.stringify(pydantic);
    const out = inlineLocalRefs(pydantic) as Record<string, unknown>;
    expect(JSON.stringify(pydantic)).toBe(before);
    expect(out.$defs).toBeUndefined();
    expect(out.properties).toEqual({
      city: { ...pydantic.$defs.City, description: 'Where' },
      alternatives: { items: pydantic.$defs.City, type: 'array' },
    });
  });

  it('follows refs through other definitions and #/definitions', () => {
    const s = { definitions: { A: { type: 'object', properties: { b: { $ref: '#/definitions/B' } } }, B: { type: 'integer' } }, $ref: '#/definitions/A' };
    expect(inlineLocalRefs(s)).toEqual({ type: 'object', properties: { b: { type: 'integer' } } });
  });

  it('throws on a recursive ref, and leaves refs it cannot resolve as they are', () => {
    expect(() => inlineLocalRefs({ $defs: { N: { type: 'object', properties: { next: { $ref: '#/$defs/N' } } } }, $ref: '#/$defs/N' })).toThrow(TranslationError);
    expect(inlineLocalRefs({ properties: { a: { $ref: 'https://example.com/a.json' } } })).toEqual({ properties: { a: { $ref: 'https://example.com/a.json' } } });
  });
});

describe('geminiSchema with refs', () => {
  it('a pydantic nested model reaches Gemini inlined, with no $defs note', () => {
    const notes = new Set<string>();
    const out = geminiSchema(pydantic, notes) as { properties: { city: Record<string, unknown> } };
    expect(out.properties.city).toMatchObject({ type: 'object', required: ['name', 'country'], description: 'Where' });
    expect([...notes].join()).not.toContain('$defs');
  });

  it('a recursive schema is a 400 naming tools', () => {
    expect(() => geminiSchema({ $defs: { N: { type: 'object', properties: { next: { $ref: '#/$defs/N' } } } }, $ref: '#/$defs/N' }, new Set())).toThrow(TranslationError);
  });
});
