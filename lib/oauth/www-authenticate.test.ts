import { describe, expect, it } from 'vitest';
import { type AuthChallenge, parseBearerChallenge, parseWWWAuthenticate } from './www-authenticate';

describe('parseWWWAuthenticate()', () => {
  const cases: Array<[string, string, AuthChallenge[]]> = [
    ['empty header', '', []],
    ['bare scheme', 'Bearer', [{ scheme: 'bearer', params: {} }]],
    [
      'MCP challenge with resource_metadata and scope',
      'Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="files:read files:write"',
      [
        {
          scheme: 'bearer',
          params: {
            resource_metadata: 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
            scope: 'files:read files:write',
          },
        },
      ],
    ],
    [
      'case-insensitive scheme and parameter names',
      'BEARER Realm="x", ERROR="invalid_token"',
      [{ scheme: 'bearer', params: { realm: 'x', error: 'invalid_token' } }],
    ],
    [
      'quoted string with escaped quote and backslash',
      'Bearer error_description="the \\"token\\" is bad \\\\ really"',
      [{ scheme: 'bearer', params: { error_description: 'the "token" is bad \\ really' } }],
    ],
    [
      'comma inside a quoted string',
      'Bearer scope="a,b", error="x"',
      [{ scheme: 'bearer', params: { scope: 'a,b', error: 'x' } }],
    ],
    [
      'odd spacing around = and commas, tabs',
      'Bearer   realm =  "api" ,\terror= invalid_token ,   scope = "s1"',
      [{ scheme: 'bearer', params: { realm: 'api', error: 'invalid_token', scope: 's1' } }],
    ],
    [
      'two challenges, Bearer second',
      'Basic realm="legacy", Bearer realm="api", error="invalid_token"',
      [
        { scheme: 'basic', params: { realm: 'legacy' } },
        { scheme: 'bearer', params: { realm: 'api', error: 'invalid_token' } },
      ],
    ],
    [
      'token68 challenge before a Bearer challenge',
      'Negotiate YWxhZGRpbjpvcGVu==, Bearer scope="x"',
      [
        { scheme: 'negotiate', params: {}, token68: 'YWxhZGRpbjpvcGVu==' },
        { scheme: 'bearer', params: { scope: 'x' } },
      ],
    ],
    ['token68 with slash and plus', 'Custom a/b+c=', [{ scheme: 'custom', params: {}, token68: 'a/b+c=' }]],
    [
      'scheme without params followed by another challenge',
      'Bearer, DPoP algs="ES256 PS256"',
      [
        { scheme: 'bearer', params: {} },
        { scheme: 'dpop', params: { algs: 'ES256 PS256' } },
      ],
    ],
    [
      'unquoted URL value (server bug) is kept whole',
      'Bearer resource_metadata=https://x.example/.well-known/oauth-protected-resource, scope=read',
      [
        {
          scheme: 'bearer',
          params: {
            resource_metadata: 'https://x.example/.well-known/oauth-protected-resource',
            scope: 'read',
          },
        },
      ],
    ],
    [
      'missing comma between params (server bug)',
      'Bearer realm="a" error="invalid_token"',
      [{ scheme: 'bearer', params: { realm: 'a', error: 'invalid_token' } }],
    ],
    [
      'missing comma between challenges',
      'Basic realm="a" Bearer error="x"',
      [
        { scheme: 'basic', params: { realm: 'a' } },
        { scheme: 'bearer', params: { error: 'x' } },
      ],
    ],
    [
      'repeated parameter keeps the first',
      'Bearer scope="a", scope="b"',
      [{ scheme: 'bearer', params: { scope: 'a' } }],
    ],
    [
      'unterminated quoted string runs to the end',
      'Bearer error_description="oops',
      [{ scheme: 'bearer', params: { error_description: 'oops' } }],
    ],
    [
      'leading and trailing commas and empty elements',
      ' , Bearer realm="a" ,, ',
      [{ scheme: 'bearer', params: { realm: 'a' } }],
    ],
    ['empty quoted value', 'Bearer realm=""', [{ scheme: 'bearer', params: { realm: '' } }]],
  ];

  it.each(cases)('%s', (_name, header, expected) => {
    expect(parseWWWAuthenticate(header)).toEqual(expected);
  });

  it('returns [] for null and undefined', () => {
    expect(parseWWWAuthenticate(null)).toEqual([]);
    expect(parseWWWAuthenticate(undefined)).toEqual([]);
  });
});

describe('parseBearerChallenge()', () => {
  it('names the MCP-relevant fields of the Bearer challenge among others', () => {
    const c = parseBearerChallenge(
      'Basic realm="x", Bearer error="insufficient_scope", error_description="needs write", scope="files:write", resource_metadata="https://a/.well-known/oauth-protected-resource"',
    );
    expect(c).toMatchObject({
      error: 'insufficient_scope',
      errorDescription: 'needs write',
      scope: 'files:write',
      resourceMetadata: 'https://a/.well-known/oauth-protected-resource',
    });
  });

  it('is undefined when there is no Bearer challenge', () => {
    expect(parseBearerChallenge('Basic realm="x"')).toBeUndefined();
    expect(parseBearerChallenge(null)).toBeUndefined();
  });
});
