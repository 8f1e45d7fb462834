/**
 * DPoP (RFC 9449): sender-constrained tokens. The inspector holds one ES256 key per session (kept
 * with the other secrets, never sent to the browser), proves possession at the token endpoint
 * (through oauth4webapi's DPoP handle, which also tracks the authorization server's nonces) and on
 * every MCP request (a fresh proof bound to the method, URL and access token).
 * @see RFC 9449 §4 (proofs), §5 (token requests), §7 (protected resource access), §8–9 (nonces)
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';

export const DPOP_ALG = 'ES256';

/** The session's DPoP key: private and public JWK (the private part is a secret). */
export interface DpopKeys {
  privateJwk: JWK;
  publicJwk: JWK;
}

export async function generateDpopKeys(): Promise<DpopKeys> {
  const { privateKey, publicKey } = await generateKeyPair(DPOP_ALG, { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const publicJwk = await exportJWK(publicKey);
  return {
    privateJwk,
    publicJwk: { kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x, y: publicJwk.y },
  };
}

/** The JWK SHA-256 thumbprint a bound token's `cnf.jkt` must carry. @see RFC 9449 §6; RFC 7638 */
export function dpopThumbprint(keys: DpopKeys): Promise<string> {
  return calculateJwkThumbprint(keys.publicJwk, 'sha256');
}

/** oauth4webapi's handle for token requests (proofs and the authorization server's nonces). */
export async function dpopHandle(keys: DpopKeys): Promise<oauth.DPoPHandle> {
  const privateKey = (await importJWK(keys.privateJwk, DPOP_ALG)) as CryptoKey;
  const publicKey = (await importJWK(keys.publicJwk, DPOP_ALG)) as CryptoKey;
  return oauth.DPoP({}, { privateKey, publicKey });
}

/** Whether a token endpoint error asks for the request again with the nonce it sent (RFC 9449 §8). */
export const isDpopNonceError = oauth.isDPoPNonceError;

const base64url = (bytes: ArrayBuffer) => Buffer.from(bytes).toString('base64url');

/**
 * One proof for a request to a protected resource: `htm`, `htu` (without query and fragment), `iat`,
 * a fresh `jti`, `ath` (the access token's SHA-256) and the server's nonce when it asked for one.
 * @see RFC 9449 §4.2, §7.1, §9
 */
export async function dpopProof(input: {
  keys: DpopKeys;
  method: string;
  url: string;
  accessToken: string;
  nonce?: string;
}): Promise<string> {
  const htu = new URL(input.url);
  htu.search = '';
  htu.hash = '';
  const ath = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(input.accessToken)));
  const key = await importJWK(input.keys.privateJwk, DPOP_ALG);
  return new SignJWT({
    htm: input.method.toUpperCase(),
    htu: htu.href,
    ath,
    ...(input.nonce ? { nonce: input.nonce } : {}),
  })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: DPOP_ALG, jwk: input.keys.publicJwk })
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .sign(key);
}
