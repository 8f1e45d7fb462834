/**
 * Bearer token checks of the demo MCP servers: JWT access tokens (RFC 9068) verified against the
 * authorization server's JWKS, audience-restricted to this resource, and the RFC 6750 / RFC 9728 challenges.
 */
import { createHash } from 'node:crypto';
import {
  calculateJwkThumbprint,
  createRemoteJWKSet,
  EmbeddedJWK,
  errors,
  type JWTPayload,
  jwtVerify,
} from 'jose';
import type { DemoState } from '../state';

/** Who is calling, as the tools see it. */
export interface Identity {
  sub: string;
  scopes: string[];
  audience: string[];
  clientId: string | null;
  issuer: string | null;
  /** epoch seconds */
  expiresAt: number | null;
  jti: string | null;
  /** The DPoP key thumbprint the token is bound to (`cnf.jkt`), when it is bound (RFC 9449 §6). */
  jkt?: string;
}

export const ANONYMOUS: Identity = {
  sub: 'anonymous',
  scopes: ['mcp:read', 'mcp:tools', 'mcp:admin'],
  audience: [],
  clientId: null,
  issuer: null,
  expiresAt: null,
  jti: null,
};

export type VerifyResult = { ok: true; identity: Identity } | { ok: false; description: string };
export type TokenVerifier = (token: string) => Promise<VerifyResult>;

export interface TokenVerifierOptions {
  /** Expected `iss`. */
  issuer: string;
  jwksUri: string;
  /** `aud` must contain one of these (the MCP URL, and the PRM `resource` when that differs). */
  audiences: string[];
  state: DemoState;
}

function describeFailure(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The access token expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'The access token was issued by another authorization server';
    if (error.claim === 'typ') return 'The token is not an access token (typ must be at+jwt)';
    if (error.claim === 'nbf') return 'The access token is not valid yet';
    return `The access token has an invalid "${error.claim}" claim`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return 'The access token signature is invalid';
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return 'The access token is signed with an unexpected algorithm';
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return 'The authorization server keys could not be loaded';
  }
  return 'The access token is not a JWT issued by the authorization server of this resource';
}

function asList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const jwks = createRemoteJWKSet(new URL(options.jwksUri), {
    timeoutDuration: 5000,
    cooldownDuration: 1000,
  });
  const { state } = options;

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        typ: 'at+jwt',
        algorithms: ['ES256'],
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      }));
    } catch (error) {
      return { ok: false, description: describeFailure(error) };
    }

    const audience = asList(payload.aud);
    if (!state.isBroken('no-audience-check') && !audience.some((aud) => options.audiences.includes(aud))) {
      return {
        ok: false,
        description: `The access token was not issued for this resource (aud ${JSON.stringify(audience)})`,
      };
    }
    const jti = payload.jti as string;
    if (state.isExpiredByAdmin(jti)) return { ok: false, description: 'The access token expired' };
    if (!state.isBroken('no-revocation-check') && state.isRevoked(options.issuer, jti)) {
      return { ok: false, description: 'The access token has been revoked' };
    }

    return {
      ok: true,
      identity: {
        sub: payload.sub as string,
        scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
        audience,
        clientId: typeof payload.client_id === 'string' ? payload.client_id : null,
        issuer: payload.iss ?? null,
        expiresAt: payload.exp ?? null,
        jti,
        ...(typeof (payload.cnf as { jkt?: unknown } | undefined)?.jkt === 'string'
          ? { jkt: (payload.cnf as { jkt: string }).jkt }
          : {}),
      },
    };
  };
}

/** `Authorization: DPoP <token>` (RFC 9449 §7.1). */
export function dpopFromHeader(header: string | undefined): string | undefined {
  const match = /^DPoP +([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header ?? '');
  return match?.[1];
}

const seenProofs = new Map<string, number>();

/**
 * Checks the DPoP proof of a request made with a bound token: a dpop+jwt signed by the key in its
 * header, whose thumbprint is the token's cnf.jkt, for this method and URL, this token (ath), recent,
 * and not seen before. Returns why not, or undefined when it holds.
 * @see RFC 9449 §4.3, §7.1
 */
export async function dpopProblem(input: {
  proof: string | undefined;
  jkt: string;
  method: string;
  url: URL;
  token: string;
}): Promise<string | undefined> {
  if (!input.proof) return 'A DPoP-bound token needs a DPoP proof';
  try {
    const { payload, protectedHeader } = await jwtVerify(input.proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: ['ES256', 'RS256', 'PS256', 'EdDSA'],
    });
    if (!protectedHeader.jwk || (await calculateJwkThumbprint(protectedHeader.jwk, 'sha256')) !== input.jkt) {
      return 'The DPoP proof is signed by another key than the one the token is bound to';
    }
    const htu = new URL(input.url);
    htu.search = '';
    htu.hash = '';
    if (payload.htm !== input.method || payload.htu !== htu.href)
      return 'The DPoP proof is for another request';
    const ath = createHash('sha256').update(input.token).digest('base64url');
    if (payload.ath !== ath) return 'The DPoP proof is for another access token';
    const now = Math.floor(Date.now() / 1000);
    if (typeof payload.iat !== 'number' || Math.abs(now - payload.iat) > 60)
      return 'The DPoP proof is not fresh';
    const jti = typeof payload.jti === 'string' ? payload.jti : '';
    if (!jti || seenProofs.has(jti)) return 'The DPoP proof was used before';
    seenProofs.set(jti, now);
    if (seenProofs.size > 10_000) seenProofs.delete(seenProofs.keys().next().value as string);
    return undefined;
  } catch (error) {
    return `The DPoP proof is invalid (${(error as Error).message})`;
  }
}

/** `Authorization: Bearer <token>` only; any other scheme counts as no token. */
export function bearerFromHeader(header: string | undefined): string | undefined {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Builds a `WWW-Authenticate: Bearer …` value (RFC 6750 §3, RFC 9728 §5.1). */
export function bearerChallenge(params: Record<string, string | null | undefined>): string {
  const parts = Object.entries(params)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .map(([key, value]) => `${key}="${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`);
  return parts.length ? `Bearer ${parts.join(', ')}` : 'Bearer';
}
