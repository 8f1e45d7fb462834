import { describe, expect, it } from 'vitest';
import { BROWSER_ORIGIN, preflightGaps, responseGaps } from './cors';

const h = (init: Record<string, string>) => new Headers(init);

describe('preflightGaps()', () => {
  const mcp = ['authorization', 'content-type', 'mcp-protocol-version', 'mcp-method', 'mcp-name'];

  it('accepts a preflight that allows the origin and every header', () => {
    const headers = h({
      'access-control-allow-origin': '*',
      'access-control-allow-headers':
        'Authorization, Content-Type, MCP-Protocol-Version, Mcp-Method, Mcp-Name',
    });
    expect(preflightGaps(204, headers, 'POST', mcp)).toEqual([]);
  });

  it('names the headers a preflight does not allow; a wildcard does not cover Authorization', () => {
    const headers = h({ 'access-control-allow-origin': BROWSER_ORIGIN, 'access-control-allow-headers': '*' });
    expect(preflightGaps(204, headers, 'POST', mcp)).toEqual([
      'authorization in Access-Control-Allow-Headers',
    ]);
    const older = h({
      'access-control-allow-origin': '*',
      'access-control-allow-headers': 'Authorization, Content-Type',
    });
    expect(preflightGaps(200, older, 'POST', mcp)).toEqual([
      'mcp-protocol-version, mcp-method, mcp-name in Access-Control-Allow-Headers',
    ]);
  });

  it('names a refused preflight and a missing origin', () => {
    expect(preflightGaps(405, h({}), 'POST', ['content-type'])).toEqual([
      'a 2xx answer to the preflight (got 405)',
      'Access-Control-Allow-Origin on the preflight',
      'content-type in Access-Control-Allow-Headers',
    ]);
    expect(preflightGaps(undefined, undefined, 'POST', [])).toEqual(['an answer to the preflight']);
  });
});

describe('responseGaps()', () => {
  it('needs the origin, then each header the client must read', () => {
    expect(responseGaps(h({}), ['WWW-Authenticate'])).toEqual(['Access-Control-Allow-Origin']);
    expect(
      responseGaps(
        h({ 'access-control-allow-origin': '*', 'access-control-expose-headers': 'WWW-Authenticate' }),
        ['WWW-Authenticate', 'Mcp-Session-Id'],
      ),
    ).toEqual(['Mcp-Session-Id in Access-Control-Expose-Headers']);
    expect(
      responseGaps(h({ 'access-control-allow-origin': '*', 'access-control-expose-headers': '*' }), [
        'WWW-Authenticate',
      ]),
    ).toEqual([]);
  });
});
