import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { dpopProof, dpopThumbprint, generateDpopKeys } from './dpop';

describe('dpopProof()', () => {
  it('binds the method, the URL without query, the access token and the nonce; a fresh jti each time', async () => {
    const keys = await generateDpopKeys();
    const input = {
      keys,
      method: 'post',
      url: 'https://mcp.example.com/mcp?x=1#frag',
      accessToken: 'the-token',
      nonce: 'n-1',
    };
    const [a, b] = [await dpopProof(input), await dpopProof(input)];
    const header = decodeProtectedHeader(a);
    expect(header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256' });
    // The header carries the public key only.
    expect(header.jwk).toEqual(keys.publicJwk);
    expect((header.jwk as { d?: string }).d).toBeUndefined();
    const { payload } = await jwtVerify(a, await importJWK(keys.publicJwk, 'ES256'));
    const ath = Buffer.from(
      await crypto.subtle.digest('SHA-256', new TextEncoder().encode('the-token')),
    ).toString('base64url');
    expect(payload).toMatchObject({ htm: 'POST', htu: 'https://mcp.example.com/mcp', ath, nonce: 'n-1' });
    expect(payload.iat).toBeTypeOf('number');
    const { payload: second } = await jwtVerify(b, await importJWK(keys.publicJwk, 'ES256'));
    expect(second.jti).not.toBe(payload.jti);
  });

  it('names the key by the RFC 7638 thumbprint a bound token carries in cnf.jkt', async () => {
    const keys = await generateDpopKeys();
    expect(await dpopThumbprint(keys)).toBe(await calculateJwkThumbprint(keys.publicJwk, 'sha256'));
  });
});
