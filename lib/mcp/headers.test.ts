import { describe, expect, it } from 'vitest';
import { xMcpHeaderProblem } from './headers';

const tool = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties,
  ...extra,
});

describe('xMcpHeaderProblem()', () => {
  it('accepts primitive parameters reachable through properties, nested objects included', () => {
    expect(
      xMcpHeaderProblem(
        tool({
          region: { type: 'string', 'x-mcp-header': 'Region' },
          limit: { type: 'integer', 'x-mcp-header': 'Limit' },
          opts: { type: 'object', properties: { dry: { type: 'boolean', 'x-mcp-header': 'Dry-Run' } } },
        }),
      ),
    ).toBeUndefined();
    expect(xMcpHeaderProblem(tool({ q: { type: 'string' } }))).toBeUndefined();
  });

  it.each([
    ['an empty name', { a: { type: 'string', 'x-mcp-header': '' } }, /empty/],
    [
      'a name that is not a token',
      { a: { type: 'string', 'x-mcp-header': 'Bad Name' } },
      /not an HTTP field-name token/,
    ],
    [
      'a CR/LF in the name',
      { a: { type: 'string', 'x-mcp-header': 'X\r\nY' } },
      /not an HTTP field-name token/,
    ],
    ['a number parameter', { a: { type: 'number', 'x-mcp-header': 'N' } }, /type "number"/],
    ['an object parameter', { a: { type: 'object', 'x-mcp-header': 'O' } }, /type "object"/],
    [
      'a duplicate, case-insensitively',
      { a: { type: 'string', 'x-mcp-header': 'Region' }, b: { type: 'string', 'x-mcp-header': 'region' } },
      /repeats/,
    ],
  ])('names %s', (_what, properties, reason) => {
    expect(xMcpHeaderProblem(tool(properties))).toMatch(reason);
  });

  it('refuses annotations under items, composition keywords and $defs', () => {
    expect(
      xMcpHeaderProblem(tool({ list: { type: 'array', items: { type: 'string', 'x-mcp-header': 'Item' } } })),
    ).toMatch(/not reachable through properties alone/);
    expect(
      xMcpHeaderProblem(
        tool({}, { anyOf: [{ properties: { a: { type: 'string', 'x-mcp-header': 'A' } } }] }),
      ),
    ).toMatch(/not reachable/);
    expect(xMcpHeaderProblem(tool({}, { $defs: { d: { type: 'string', 'x-mcp-header': 'D' } } }))).toMatch(
      /not reachable/,
    );
  });

  it('walks a schema nested thousands of levels deep without overflowing the stack', () => {
    let schema: Record<string, unknown> = { type: 'string', 'x-mcp-header': 'Deep Bad' };
    for (let i = 0; i < 5000; i++) schema = { type: 'object', properties: { a: schema } };
    expect(() => xMcpHeaderProblem(schema)).not.toThrow();
  });
});
