import { describe, expect, it } from 'vitest';
import { buildAuthorizationUrl, readCallbackParams, selectScope } from './authorization';

describe('selectScope()', () => {
  it.each([
    [
      { explicit: ' a  b ', challengeScope: 'c', scopesSupported: ['d'] },
      { scope: 'a b', source: 'option' },
    ],
    [
      { challengeScope: 'c', scopesSupported: ['d'] },
      { scope: 'c', source: 'challenge' },
    ],
    [{ scopesSupported: ['d', 'e'] }, { scope: 'd e', source: 'prm' }],
    [{ scopesSupported: [] }, { source: 'none' }],
    [{}, { source: 'none' }],
  ])('%j → %j', (input, expected) => {
    expect(selectScope(input)).toEqual(expected);
  });
});

describe('buildAuthorizationUrl()', () => {
  it('keeps the endpoint’s own query and refuses to let extras override flow parameters', () => {
    const { url, ignoredExtraParams } = buildAuthorizationUrl({
      authorizationEndpoint: 'https://as.example/authorize?tenant=t1',
      clientId: 'c',
      redirectUri: 'https://i.example/cb',
      codeChallenge: 'ch',
      state: 'st',
      scope: 'a b',
      resource: 'https://mcp.example/mcp',
      extraParams: { audience: 'x', code_challenge: 'evil' },
    });
    const p = new URL(url).searchParams;
    expect(p.get('tenant')).toBe('t1');
    expect(p.get('code_challenge')).toBe('ch');
    expect(p.get('audience')).toBe('x');
    expect(p.get('resource')).toBe('https://mcp.example/mcp');
    expect(ignoredExtraParams).toEqual(['code_challenge']);
  });
});

describe('readCallbackParams()', () => {
  it('reads code, state, iss and errors from a URL or params', () => {
    expect(readCallbackParams(new URL('https://i/cb?code=c&state=s&iss=https%3A%2F%2Fas'))).toEqual({
      code: 'c',
      state: 's',
      iss: 'https://as',
      error: undefined,
      errorDescription: undefined,
      errorUri: undefined,
    });
    expect(readCallbackParams(new URLSearchParams('error=access_denied&error_description=no'))).toMatchObject(
      {
        error: 'access_denied',
        errorDescription: 'no',
      },
    );
  });
});
