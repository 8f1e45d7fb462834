import { describe, expect, it } from 'vitest';
import { readOnlyRefusal, shapeToolResult, toToolView } from './tools';

describe('readOnlyRefusal()', () => {
  it.each([
    [{ readOnlyHint: true }, undefined],
    [undefined, 'no annotations'],
    [{ readOnlyHint: false }, 'readOnlyHint: false'],
    [{ destructiveHint: false }, 'do not include readOnlyHint'],
  ])('%j → %s', (annotations, expected) => {
    const r = readOnlyRefusal({ annotations });
    if (expected === undefined) expect(r).toBeUndefined();
    else expect(r).toContain(expected);
  });
});

describe('toToolView()', () => {
  it('keeps what the UI needs and marks runnable tools', () => {
    expect(
      toToolView({
        name: 'get',
        description: 'd',
        inputSchema: { type: 'object', properties: { q: { type: 'string' } } },
        annotations: { readOnlyHint: true, title: 'Get it' },
      }),
    ).toEqual({
      name: 'get',
      title: 'Get it',
      description: 'd',
      inputSchema: { type: 'object', properties: { q: { type: 'string' } } },
      readOnly: true,
      annotations: { readOnlyHint: true, title: 'Get it' },
    });
  });
});

describe('shapeToolResult()', () => {
  it('reshapes every content type into plain JSON', () => {
    expect(
      shapeToolResult({
        content: [
          { type: 'text', text: 'hi' },
          { type: 'audio', mimeType: 'audio/wav', data: 'AAAA' },
          { type: 'resource', resource: { uri: 'file:///a', mimeType: 'text/plain', text: 'x' } },
          { type: 'resource', resource: { uri: 'file:///b', blob: 'AAAA' } },
          { type: 'resource_link', uri: 'file:///c', name: 'c' },
        ],
        isError: true,
      }),
    ).toEqual({
      isError: true,
      content: [
        { type: 'text', text: 'hi' },
        { type: 'audio', mimeType: 'audio/wav', data: 'AAAA' },
        { type: 'resource', uri: 'file:///a', mimeType: 'text/plain', text: 'x' },
        { type: 'resource', uri: 'file:///b', blobBytes: 3 },
        { type: 'resource_link', uri: 'file:///c', name: 'c' },
      ],
    });
  });
});
