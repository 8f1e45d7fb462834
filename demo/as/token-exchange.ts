/**
 * The enterprise IdP's half of enterprise-managed authorization (SEP-990): RFC 8693 token exchange of
 * the user's ID token (issued by this IdP to the requesting client) for an Identity Assertion JWT
 * Authorization Grant (ID-JAG) addressed to the MCP server's authorization server.
 */
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, importJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import type Provider from 'oidc-provider';
import { errors, type TokenEndpointGrantContext } from 'oidc-provider';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
export const ID_JAG_TYPE = 'urn:ietf:params:oauth:token-type:id-jag';
const ID_JAG_TTL = 300;

/** Where this IdP lets users go: per authorization server issuer (the `audience` asked for). */
export interface IdJagRoute {
  /** The app's client id at that authorization server, written into the ID-JAG's client_id. */
  clientId: string;
  /**
   * The audience the IdP writes into the ID-JAG. Normally the issuer asked for; a misconfigured IdP
   * (the enterprise-wrong-audience scenario) writes another authorization server's.
   */
  aud?: string;
}

export interface IdJagOptions {
  routes: Record<string, IdJagRoute>;
}

function param(ctx: TokenEndpointGrantContext, name: string): string {
  const value = (ctx.oidc.params as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

/** Registers the exchange on `provider`, signing ID-JAGs with `signingKey` (its own ID token key). */
export function registerIdJagExchange(provider: Provider, signingKey: JWK, options: IdJagOptions): void {
  const { d: _d, ...publicKey } = signingKey;
  const ownKeys = createLocalJWKSet({ keys: [publicKey] });

  async function handler(ctx: TokenEndpointGrantContext) {
    const client = ctx.oidc.client;
    if (!client) throw new errors.InvalidClient('client authentication is required');
    if (param(ctx, 'requested_token_type') !== ID_JAG_TYPE) {
      throw new errors.InvalidRequest(`requested_token_type must be ${ID_JAG_TYPE}`);
    }
    if (param(ctx, 'subject_token_type') !== ID_TOKEN_TYPE) {
      throw new errors.InvalidRequest(`subject_token_type must be ${ID_TOKEN_TYPE}`);
    }
    // SEP-990 §4.3: the IdP MUST validate the subject token, and that it was issued to this client.
    let sub: string;
    try {
      const { payload } = await jwtVerify(param(ctx, 'subject_token'), ownKeys, {
        issuer: provider.issuer,
        audience: client.clientId,
        requiredClaims: ['sub'],
      });
      sub = payload.sub as string;
    } catch (error) {
      throw new errors.InvalidGrant(
        `the subject token is not a valid ID token for this client (${(error as Error).message})`,
      );
    }
    const audience = param(ctx, 'audience');
    const route = options.routes[audience];
    if (!route)
      throw new errors.InvalidTarget(`this IdP does not issue grants for ${audience || '(no audience)'}`);
    const resource = param(ctx, 'resource');
    const scope = param(ctx, 'scope');
    const key = await importJWK(signingKey, 'ES256');
    const idJag = await new SignJWT({
      client_id: route.clientId,
      ...(resource ? { resource } : {}),
      ...(scope ? { scope } : {}),
    })
      .setProtectedHeader({
        alg: 'ES256',
        typ: 'oauth-id-jag+jwt',
        ...(signingKey.kid ? { kid: signingKey.kid } : {}),
      })
      .setIssuer(provider.issuer)
      .setSubject(sub)
      .setAudience(route.aud ?? audience)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${ID_JAG_TTL}s`)
      .sign(key);
    ctx.body = {
      access_token: idJag,
      issued_token_type: ID_JAG_TYPE,
      token_type: 'N_A',
      expires_in: ID_JAG_TTL,
    };
  }

  provider.registerGrantType(
    TOKEN_EXCHANGE_GRANT,
    handler,
    new Set(['subject_token', 'subject_token_type', 'requested_token_type', 'audience', 'resource', 'scope']),
  );
}
