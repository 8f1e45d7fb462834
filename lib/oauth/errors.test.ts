import * as oauth from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import { OutboundError } from '../http/errors';
import { describeOAuthError } from './errors';

const as: oauth.AuthorizationServer = {
  issuer: 'https://as.example',
  token_endpoint: 'https://as.example/token',
};
const client: oauth.Client = { client_id: 'c' };
const json = (body: unknown, status: number, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

describe('describeOAuthError()', () => {
  it('maps an OAuth error body (ResponseBodyError) with status, error and description', async () => {
    const err = await caught(
      oauth.processAuthorizationCodeResponse(
        as,
        client,
        json({ error: 'invalid_grant', error_description: 'used' }, 400),
      ),
    );
    expect(describeOAuthError(err, 'The token endpoint')).toMatchObject({
      kind: 'oauth-error',
      status: 400,
      oauthError: 'invalid_grant',
      errorDescription: 'used',
      actual: '400 invalid_grant: used',
    });
  });

  it('maps a WWW-Authenticate challenge (e.g. invalid_client)', async () => {
    const err = await caught(
      oauth.processAuthorizationCodeResponse(
        as,
        client,
        new Response(null, { status: 401, headers: { 'www-authenticate': 'Basic error="invalid_client"' } }),
      ),
    );
    expect(describeOAuthError(err, 'The token endpoint')).toMatchObject({
      kind: 'challenge',
      status: 401,
      oauthError: 'invalid_client',
    });
  });

  it('maps an unexpected status without an OAuth body', async () => {
    const err = await caught(
      oauth.processDynamicClientRegistrationResponse(new Response('<html>', { status: 500 })),
    );
    expect(describeOAuthError(err, 'The registration endpoint')).toMatchObject({
      kind: 'unexpected-status',
      status: 500,
      actual: '500',
    });
  });

  it('maps a missing access_token to an invalid response', async () => {
    const err = await caught(
      oauth.processAuthorizationCodeResponse(as, client, json({ token_type: 'Bearer' }, 200)),
    );
    expect(describeOAuthError(err, 'The token endpoint').kind).toBe('invalid-response');
  });

  it('maps refused plain http and outbound errors', async () => {
    const err = await caught(
      oauth.dynamicClientRegistrationRequest(
        { issuer: 'http://as.example', registration_endpoint: 'http://as.example/r' },
        {},
      ),
    );
    expect(describeOAuthError(err, 'x')).toMatchObject({
      kind: 'refused',
      expected: 'https',
      actual: 'http',
    });
    expect(
      describeOAuthError(new OutboundError('timeout', 'https://as/token', 'No response'), 'x'),
    ).toMatchObject({
      kind: 'outbound',
      outboundCode: 'timeout',
    });
  });
});
