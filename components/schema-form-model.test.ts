import { describe, expect, it } from 'vitest';
import { ArgumentError, buildArguments, defaultValues, fieldsOf, type JsonSchema } from './schema-form-model';

const schema: JsonSchema = {
  type: 'object',
  required: ['query'],
  properties: {
    query: { type: 'string', description: 'What to look for' },
    limit: { type: 'integer', minimum: 1, maximum: 20 },
    ratio: { type: 'number' },
    archived: { type: 'boolean' },
    sort: { type: 'string', enum: ['relevance', 'newest'] },
    tags: { type: 'array', items: { type: 'string', enum: ['work', 'home'] } },
    ids: { type: 'array', items: { type: 'integer' } },
    filters: { type: 'object', properties: { owner: { type: 'string' } } },
    raw: { type: 'array', items: { type: 'object' } },
  },
};

describe('fieldsOf()', () => {
  it('maps each JSON Schema type to a form field', () => {
    const kinds = Object.fromEntries(fieldsOf(schema).map((f) => [f.name, f.kind]));
    expect(kinds).toEqual({
      query: 'string',
      limit: 'number',
      ratio: 'number',
      archived: 'boolean',
      sort: 'enum',
      tags: 'enum-array',
      ids: 'list',
      filters: 'object',
      raw: 'json',
    });
    expect(fieldsOf(schema)[0]).toMatchObject({ required: true, description: 'What to look for' });
  });

  it('does not follow $ref and stops at a depth cap (hostile schemas cannot loop)', () => {
    let deep: JsonSchema = { type: 'string' };
    for (let i = 0; i < 50; i++) deep = { type: 'object', properties: { n: deep } };
    const cyclic: JsonSchema = { type: 'object', properties: { self: { $ref: '#' } } };
    expect(fieldsOf(cyclic)[0]).toMatchObject({ kind: 'json', reason: 'uses $ref' });
    let f = fieldsOf(deep)[0];
    let depth = 1;
    while (f?.kind === 'object') {
      f = f.fields[0];
      depth++;
    }
    expect(f?.kind).toBe('json');
    expect(depth).toBeLessThanOrEqual(8);
  });
});

describe('buildArguments()', () => {
  const fields = fieldsOf(schema);

  it('converts typed inputs and leaves empty optional fields out', () => {
    expect(
      buildArguments(fields, {
        query: 'cats',
        limit: '5',
        archived: true,
        sort: 'newest',
        tags: ['work'],
        ids: '1, 2,3',
        'filters.owner': 'ann',
        raw: '[{"a":1}]',
      }),
    ).toEqual({
      query: 'cats',
      limit: 5,
      archived: true,
      sort: 'newest',
      tags: ['work'],
      ids: [1, 2, 3],
      filters: { owner: 'ann' },
      raw: [{ a: 1 }],
    });
    expect(buildArguments(fields, { query: 'x' })).toEqual({ query: 'x' });
  });

  it.each([
    [{}, 'query', /required/],
    [{ query: 'x', limit: '0' }, 'limit', /at least 1/],
    [{ query: 'x', limit: '21' }, 'limit', /at most 20/],
    [{ query: 'x', limit: '2.5' }, 'limit', /whole number/],
    [{ query: 'x', ratio: 'abc' }, 'ratio', /number/],
    [{ query: 'x', raw: '{' }, 'raw', /valid JSON/],
  ])('names the field and the problem: %j', (raw, path, message) => {
    try {
      buildArguments(fields, raw);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ArgumentError);
      expect((e as ArgumentError).path).toBe(path);
      expect((e as Error).message).toMatch(message);
    }
  });
});

describe('defaultValues()', () => {
  it('fills in the defaults a field can show, and ignores the rest', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'], default: 'celsius' },
        other: { type: 'string', enum: ['a', 'b'], default: 'z' },
        days: { type: 'integer', default: 3 },
        loud: { type: 'boolean', default: true },
        name: { type: 'string', default: 42 },
        nested: { type: 'object', properties: { note: { type: 'string', default: 'hi' } } },
      },
    };
    const fields = fieldsOf(schema);
    const raw = defaultValues(fields, schema);
    expect(raw).toEqual({ unit: 'celsius', days: '3', loud: true, 'nested.note': 'hi' });
    expect(buildArguments(fields, raw)).toEqual({
      unit: 'celsius',
      days: 3,
      loud: true,
      nested: { note: 'hi' },
    });
  });
});
