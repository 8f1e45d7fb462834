import { describe, expect, it } from 'vitest';
import {
  applicationTypeFor,
  buildDcrMetadata,
  lintClientIdMetadataDocument,
  lintClientIdMetadataUrl,
} from './registration';

describe('buildDcrMetadata()', () => {
  it('asks for a public client with code + refresh grants', () => {
    expect(buildDcrMetadata({ redirectUri: 'https://i.example/cb', clientName: 'I', scope: 'a b' })).toEqual({
      redirect_uris: ['https://i.example/cb'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      client_name: 'I',
      application_type: 'web',
      scope: 'a b',
    });
  });

  it('uses native for http loopback redirects and web otherwise', () => {
    expect(applicationTypeFor('http://127.0.0.1:3000/cb')).toBe('native');
    expect(applicationTypeFor('http://localhost:3000/cb')).toBe('native');
    expect(applicationTypeFor('https://localhost/cb')).toBe('web');
    expect(applicationTypeFor('https://i.example/cb')).toBe('web');
  });
});

describe('lintClientIdMetadataUrl()', () => {
  it.each([
    ['https://i.example/oauth/client.json', []],
    ['http://i.example/client.json', ['fail: the client_id URL must use https']],
    [
      'http://127.0.0.1:3000/client.json',
      ['warn: the client_id URL uses http on loopback (local development only; it must use https)'],
    ],
    ['https://i.example/', ['fail: the client_id URL must have a path']],
    [
      'https://i.example/a/../client.json',
      ['fail: the client_id URL must not contain "." or ".." path segments'],
    ],
    ['https://i.example/client.json#x', ['fail: the client_id URL must not contain a fragment']],
    ['https://u:p@i.example/client.json', ['fail: the client_id URL must not contain userinfo']],
    ['https://i.example/client.json?v=1', ['warn: the client_id URL SHOULD NOT contain a query']],
  ])('%s', (url, expected) => {
    expect(lintClientIdMetadataUrl(url).map((p) => `${p.level}: ${p.message}`)).toEqual(expected);
  });
});

describe('lintClientIdMetadataDocument()', () => {
  const url = 'https://i.example/client.json';
  it('accepts a correct document', () => {
    expect(
      lintClientIdMetadataDocument(
        { client_id: url, client_name: 'I', redirect_uris: ['https://i.example/cb'] },
        url,
        'https://i.example/cb',
      ),
    ).toEqual([]);
  });
  it('names every problem', () => {
    const problems = lintClientIdMetadataDocument(
      {
        client_id: 'https://other',
        redirect_uris: ['https://x/cb'],
        client_secret: 's',
        token_endpoint_auth_method: 'client_secret_basic',
      },
      url,
      'https://i.example/cb',
    ).map((p) => p.message);
    expect(problems).toEqual([
      `client_id is "https://other"; it must equal the URL ${url}`,
      'client_name is missing',
      'redirect_uris does not include https://i.example/cb',
      'the document must not contain client_secret',
      'token_endpoint_auth_method client_secret_basic is a shared-secret method; use "none"',
    ]);
  });
});
