/**
 * The RFC 7523 JWT bearer grant for the demo authorization server: a signed assertion (a workload's
 * platform token, or an enterprise IdP's ID-JAG) for an access token about its subject. oidc-provider
 * has no such grant, so it is registered here with the provider's own grant helpers (resource
 * indicators, client scope, DPoP binding), the way its built-in client credentials grant uses them.
 */
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import type Provider from 'oidc-provider';
import { errors, type TokenEndpointGrantContext } from 'oidc-provider';
import {
  buildTokenResponse,
  checkDpopReplay,
  resolveRequestedResources,
  validateClientScope,
  validateDpop,
} from 'oidc-provider/lib/helpers/grants.js';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** One issuer whose assertions the authorization server accepts, and how it checks them. */
export interface TrustedIssuer {
  issuer: string;
  jwksUri: string;
  /** `oauth-id-jag+jwt` for ID-JAGs: the JWT header's typ must be it (SEP-990 §5.1, RFC 8725). */
  typ?: string;
  /** ID-JAGs name the client they were issued to; it must be the one authenticating (SEP-990 §5.1). */
  clientIdClaim?: boolean;
}

export interface JwtBearerOptions {
  trusted: TrustedIssuer[];
  /** This server's token endpoint URL, which RFC 7523 §3 lets an assertion's aud name too. */
  tokenEndpoint: string;
  /**
   * What this server gets wrong on purpose (broken scenarios): `audience` accepts assertions meant for
   * another authorization server, `replay` accepts an assertion it has already redeemed.
   */
  lax?: { audience?: boolean; replay?: boolean };
}

interface ResourceServerLike {
  identifier(): string;
  scope: string;
}

function unverifiedIssuer(assertion: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof payload?.iss === 'string' ? payload.iss : undefined;
  } catch {
    return undefined;
  }
}

/** Registers the grant on `provider`, whose issuer is the audience assertions must name. */
export function registerJwtBearerGrant(provider: Provider, options: JwtBearerOptions): void {
  const keySets = new Map(options.trusted.map((t) => [t.issuer, createRemoteJWKSet(new URL(t.jwksUri))]));

  async function verify(ctx: TokenEndpointGrantContext, assertion: string) {
    const iss = unverifiedIssuer(assertion);
    const trusted = options.trusted.find((t) => t.issuer === iss);
    const jwks = iss ? keySets.get(iss) : undefined;
    if (!trusted || !jwks)
      throw new errors.InvalidGrant(`assertions from ${iss ?? '(no iss)'} are not trusted here`);
    try {
      const { payload } = await jwtVerify(assertion, jwks, {
        issuer: trusted.issuer,
        // RFC 7523 §3 (3): the assertion must name this server as its audience, by its issuer or its token
        // endpoint URL; an ID-JAG by its issuer only (SEP-990 §5.1).
        ...(options.lax?.audience
          ? {}
          : { audience: trusted.typ ? provider.issuer : [provider.issuer, options.tokenEndpoint] }),
        ...(trusted.typ ? { typ: trusted.typ } : {}),
        requiredClaims: ['sub', 'exp', 'jti'],
        clockTolerance: 5,
      });
      if (trusted.clientIdClaim && payload.client_id !== ctx.oidc.client?.clientId) {
        throw new errors.InvalidGrant('the assertion was issued to another client');
      }
      return payload as { sub: string; jti: string; exp: number; resource?: unknown };
    } catch (error) {
      if (error instanceof errors.InvalidGrant) throw error;
      const why =
        error instanceof joseErrors.JWTExpired
          ? 'the assertion has expired'
          : `the assertion is not valid (${(error as Error).message})`;
      throw new errors.InvalidGrant(why);
    }
  }

  async function handler(ctx: TokenEndpointGrantContext) {
    const client = ctx.oidc.client;
    if (!client) throw new errors.InvalidClient('client authentication is required');
    const assertion = String(ctx.oidc.params?.assertion ?? '');
    if (!assertion) throw new errors.InvalidRequest('missing required parameter: assertion');
    const dPoP = await validateDpop(provider, ctx);
    const claims = await verify(ctx, assertion);
    // RFC 7523 §3 (7): an authorization server MAY keep used jti values to refuse replays; this one does.
    if (!options.lax?.replay) {
      const unique = await provider.ReplayDetection.unique(claims.sub, claims.jti, claims.exp);
      if (!unique) throw new errors.InvalidGrant('this assertion was already used (jti seen before)');
    }
    const resourceServers = (await resolveRequestedResources(provider, ctx)) as ResourceServerLike[];
    const [resourceServer] = resourceServers;
    if (resourceServers.length > 1) throw new errors.InvalidTarget('only one resource per request');
    if (resourceServer && claims.resource !== undefined && claims.resource !== resourceServer.identifier()) {
      throw new errors.InvalidTarget('the assertion was issued for another resource');
    }
    const requested = [...validateClientScope(provider, ctx)];
    const allowed = new Set(resourceServer?.scope.split(' ') ?? []);
    const scope = requested.filter((s) => allowed.has(s)).join(' ') || resourceServer?.scope || undefined;

    // A grant of its own, so the demo's "revoke all" reaches these tokens like any other.
    const grant = new provider.Grant({ accountId: claims.sub, clientId: client.clientId });
    if (resourceServer && scope) grant.addResourceScope(resourceServer.identifier(), scope);
    const grantId = await grant.save();
    const token = new provider.AccessToken({
      accountId: claims.sub,
      client,
      grantId,
      gty: 'jwt_bearer',
      scope,
    });
    if (resourceServer) token.resourceServer = resourceServer as never;
    if (dPoP) {
      await checkDpopReplay(provider, ctx, dPoP, client.clientId);
      token.setThumbprint('jkt', dPoP.thumbprint);
    }
    const value = await token.save();
    ctx.body = buildTokenResponse(provider, {
      accessToken: value,
      expiresIn: token.expiration,
      scope: token.scope || undefined,
      tokenType: token.tokenType,
    });
  }

  provider.registerGrantType(
    JWT_BEARER_GRANT,
    handler,
    new Set(['assertion', 'scope', 'resource']),
    new Set(['resource']),
  );
}
