import { exportPKCS8, generateKeyPair, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import type { FetchLike } from '../http/types';
import type { AuthorizationServerMetadata } from './as-metadata';
import {
  assertionAlgFor,
  clientAuthentication,
  clientCredentialsGrantRequest,
  JWT_BEARER_GRANT,
  jwtBearerGrantRequest,
  privateKeyJwtAuthentication,
  processClientCredentialsResponse,
  replayingClientAuth,
} from './token';

const as: AuthorizationServerMetadata = {
  issuer: 'https://as.example.com',
  token_endpoint: 'https://as.example.com/token',
};

function tokenEndpoint() {
  const seen: Array<{ headers: Headers; body: URLSearchParams }> = [];
  const fetch: FetchLike = async (_input, init) => {
    seen.push({ headers: new Headers(init?.headers), body: new URLSearchParams(String(init?.body)) });
    return new Response(JSON.stringify({ access_token: 'cc-token', token_type: 'Bearer', expires_in: 60 }), {
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch, seen };
}

describe('clientCredentialsGrantRequest()', () => {
  it('w/ client_secret_basic: grant_type, scope and resource in the body, the secret in Basic only', async () => {
    const { fetch, seen } = tokenEndpoint();
    const client = { client_id: 'machine', token_endpoint_auth_method: 'client_secret_basic' };
    const response = await clientCredentialsGrantRequest({
      fetch,
      as,
      client,
      clientAuth: clientAuthentication('client_secret_basic', 's3cret'),
      scope: 'mcp:read',
      resource: 'https://mcp.example.com/mcp',
    });
    const tokens = await processClientCredentialsResponse(as, client, response);
    expect(tokens.access_token).toBe('cc-token');
    const { headers, body } = seen[0]!;
    expect(body.get('grant_type')).toBe('client_credentials');
    expect(body.get('scope')).toBe('mcp:read');
    expect(body.get('resource')).toBe('https://mcp.example.com/mcp');
    expect(headers.get('authorization')).toBe(`Basic ${btoa('machine:s3cret')}`);
    expect(body.toString()).not.toContain('s3cret');
  });

  it('w/ private_key_jwt: a signed assertion with iss = sub = client_id, aud = the issuer, a fresh jti and exp', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const pem = await exportPKCS8(privateKey);
    const { fetch, seen } = tokenEndpoint();
    const client = { client_id: 'machine', token_endpoint_auth_method: 'private_key_jwt' };
    const clientAuth = await privateKeyJwtAuthentication(pem, 'ES256');
    for (let i = 0; i < 2; i++) await clientCredentialsGrantRequest({ fetch, as, client, clientAuth });
    const assertions = seen.map((r) => r.body.get('client_assertion') ?? '');
    expect(seen[0]?.body.get('client_assertion_type')).toBe(
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    );
    const claims = await Promise.all(
      assertions.map(async (a) => (await jwtVerify(a, publicKey, { audience: as.issuer })).payload),
    );
    expect(claims[0]).toMatchObject({ iss: 'machine', sub: 'machine' });
    expect(claims[0]?.exp).toBeGreaterThan(claims[0]?.iat ?? 0);
    // Not replayable: each request carries its own jti.
    expect(claims[0]?.jti).toBeTruthy();
    expect(claims[0]?.jti).not.toBe(claims[1]?.jti);
  });

  it('refuses a key that is not PKCS#8 PEM, with the reason', async () => {
    await expect(privateKeyJwtAuthentication('not a key', 'ES256')).rejects.toThrow(/PKCS8|pkcs8|"pkcs8"/i);
  });
});

describe('replayingClientAuth()', () => {
  it('w/ private_key_jwt: signs one assertion and sends that same one again (one jti)', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const clientAuth = replayingClientAuth(
      await privateKeyJwtAuthentication(await exportPKCS8(privateKey), 'ES256'),
    );
    const { fetch, seen } = tokenEndpoint();
    const client = { client_id: 'machine' };
    await clientCredentialsGrantRequest({ fetch, as, client, clientAuth });
    await clientCredentialsGrantRequest({ fetch, as, client, clientAuth });
    const [first, second] = seen.map((s) => s.body.get('client_assertion'));
    expect(first).toMatch(/^ey/);
    expect(second).toBe(first);
    // Without the wrapper every request signs afresh (a new jti each time).
    const fresh = await privateKeyJwtAuthentication(await exportPKCS8(privateKey), 'ES256');
    await clientCredentialsGrantRequest({ fetch, as, client, clientAuth: fresh });
    expect(seen[2]?.body.get('client_assertion')).not.toBe(first);
  });
});

describe('jwtBearerGrantRequest()', () => {
  it('sends grant_type, assertion, scope and resource, authenticated as registered', async () => {
    const { fetch, seen } = tokenEndpoint();
    await jwtBearerGrantRequest({
      fetch,
      as,
      client: { client_id: 'workload' },
      clientAuth: clientAuthentication('none', undefined),
      assertion: 'eyJ.a.b',
      scope: 'mcp:read',
      resource: 'https://mcp.example.com/mcp',
    });
    expect(Object.fromEntries(seen[0]!.body)).toEqual({
      grant_type: JWT_BEARER_GRANT,
      assertion: 'eyJ.a.b',
      scope: 'mcp:read',
      resource: 'https://mcp.example.com/mcp',
      client_id: 'workload',
    });
  });
});

describe('assertionAlgFor()', () => {
  it('picks the algorithm from the key type, and refuses a curve it cannot sign with', async () => {
    const pem = async (alg: string, options = {}) =>
      exportPKCS8((await generateKeyPair(alg, { extractable: true, ...options })).privateKey);
    expect(assertionAlgFor(await pem('ES256'))).toBe('ES256');
    expect(assertionAlgFor(await pem('ES384'))).toBe('ES384');
    expect(assertionAlgFor(await pem('RS256'))).toBe('RS256');
    expect(assertionAlgFor(await pem('EdDSA', { crv: 'Ed25519' }))).toBe('EdDSA');
    const p521 = await pem('ES512');
    expect(() => assertionAlgFor(p521)).toThrow(/secp521r1/);
  });
});
