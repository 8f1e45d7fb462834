import { createPrivateKey } from 'node:crypto';
import { importPKCS8 } from 'jose';
import * as oauth from 'oauth4webapi';
import type { FetchLike } from '../http/types';
import type { AuthorizationServerMetadata } from './as-metadata';
import { oauthRequestOptions } from './fetch-options';

export type TokenEndpointAuthMethod =
  | 'none'
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'private_key_jwt';

/** JWS algorithms the inspector signs client assertions with (RFC 7523 §3, RFC 7518 §3.1). */
export const CLIENT_ASSERTION_ALGS = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'] as const;
export type ClientAssertionAlg = (typeof CLIENT_ASSERTION_ALGS)[number];

/**
 * private_key_jwt: the client signs a short-lived assertion (iss = sub = client_id, aud = the issuer,
 * a fresh jti, exp) with its private key. The PEM (PKCS#8) stays server-side.
 * @see RFC 7523 §2.2, §3; OpenID Connect Core §9; SEP-1046
 */
export async function privateKeyJwtAuthentication(
  pem: string,
  alg: ClientAssertionAlg = assertionAlgFor(pem),
): Promise<oauth.ClientAuth> {
  const key = await importPKCS8(pem, alg);
  return oauth.PrivateKeyJwt(key);
}

/**
 * The algorithm a key signs with when none was chosen (the web app has no algorithm field): ES256 /
 * ES384 for P-256 / P-384 keys, RS256 for RSA, EdDSA for Ed25519. The PEM is only parsed here.
 * @see RFC 7518 §3.1; RFC 8037 §3.1
 */
export function assertionAlgFor(pem: string): ClientAssertionAlg {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'secp384r1') return 'ES384';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new TypeError(
    `a ${key.asymmetricKeyType ?? 'unknown'} key${key.asymmetricKeyDetails?.namedCurve ? ` on ${key.asymmetricKeyDetails.namedCurve}` : ''} cannot sign a client assertion here; use P-256, P-384, RSA or Ed25519`,
  );
}

/**
 * A client authentication that signs its assertion once and sends that same assertion every time:
 * what an attacker who captured one would do. Only for the replay audit; real requests sign afresh.
 * @see RFC 7523 §3 (7) jti; OpenID Connect Core §9
 */
export function replayingClientAuth(inner: oauth.ClientAuth): oauth.ClientAuth {
  let captured: string | undefined;
  return async (as, client, body, headers) => {
    if (captured === undefined) {
      await inner(as, client, body, headers);
      captured = body.get('client_assertion') ?? undefined;
      return;
    }
    await inner(as, client, body, headers);
    body.set('client_assertion', captured);
  };
}

/**
 * HTTP Basic client authentication with the credentials form-urlencoded the WHATWG way (unreserved
 * "-", ".", "_" and "*" left as they are). oauth4webapi's ClientSecretBasic also
 * escapes those; a server that decodes gets the same id either way, but servers that do not decode
 * (the MCP conformance suite's, and clients like the MCP SDK that send ids raw) then see
 * "pre%2Dregistered" instead of "pre-registered".
 * @see RFC 6749 §2.3.1
 */
function clientSecretBasic(clientSecret: string): oauth.ClientAuth {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return (_as, client, _body, headers) => {
    headers.set('authorization', `Basic ${btoa(`${encode(client.client_id)}:${encode(clientSecret)}`)}`);
  };
}

/**
 * The client authentication for the token endpoint.
 * @see RFC 6749 §2.3.1 (client_secret_basic, client_secret_post); RFC 7591 §2 ("none")
 */
export function clientAuthentication(
  method: string | undefined,
  clientSecret: string | undefined,
): oauth.ClientAuth {
  switch (method ?? 'none') {
    case 'none':
      return oauth.None();
    case 'client_secret_basic':
      if (!clientSecret) throw new TypeError('client_secret_basic needs a client secret');
      return clientSecretBasic(clientSecret);
    case 'client_secret_post':
      if (!clientSecret) throw new TypeError('client_secret_post needs a client secret');
      return oauth.ClientSecretPost(clientSecret);
    default:
      throw new TypeError(`token_endpoint_auth_method ${method} is not supported by the inspector`);
  }
}

/**
 * The client credentials grant: a token for the client itself, no user and no browser, with the
 * RFC 8707 resource and the scope.
 * @see RFC 6749 §4.4.2; RFC 8707 §2; MCP ext-auth (OAuth Client Credentials extension)
 */
export function clientCredentialsGrantRequest(input: {
  fetch: FetchLike;
  as: AuthorizationServerMetadata;
  client: oauth.Client;
  clientAuth: oauth.ClientAuth;
  scope?: string;
  resource?: string;
  dpop?: oauth.DPoPHandle;
}): Promise<Response> {
  const parameters: Record<string, string> = {
    ...(input.scope ? { scope: input.scope } : {}),
    ...(input.resource ? { resource: input.resource } : {}),
  };
  return oauth.clientCredentialsGrantRequest(input.as, input.client, input.clientAuth, parameters, {
    ...oauthRequestOptions(input.fetch, input.as.token_endpoint),
    ...(input.dpop ? { DPoP: input.dpop } : {}),
  });
}

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * The JWT bearer grant: a token for a signed assertion the client holds (a workload identity token
 * from its platform, or an ID-JAG), with scope and the RFC 8707 resource, and a DPoP proof when asked
 * for. The client authenticates the way it is registered.
 * @see RFC 7523 §2.1; RFC 7521 §4.1; RFC 8707 §2; RFC 9449 §5; MCP ext-auth workload identity federation (SEP-1933)
 */
export function jwtBearerGrantRequest(input: {
  fetch: FetchLike;
  as: AuthorizationServerMetadata;
  client: oauth.Client;
  clientAuth: oauth.ClientAuth;
  assertion: string;
  scope?: string;
  resource?: string;
  dpop?: oauth.DPoPHandle;
}): Promise<Response> {
  const parameters: Record<string, string> = {
    assertion: input.assertion,
    ...(input.scope ? { scope: input.scope } : {}),
    ...(input.resource ? { resource: input.resource } : {}),
  };
  return oauth.genericTokenEndpointRequest(
    input.as,
    input.client,
    input.clientAuth,
    JWT_BEARER_GRANT,
    parameters,
    {
      ...oauthRequestOptions(input.fetch, input.as.token_endpoint),
      ...(input.dpop ? { DPoP: input.dpop } : {}),
    },
  );
}

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
export const ID_JAG_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id-jag';

/**
 * Enterprise-managed authorization, first half: at the enterprise IdP's token endpoint, exchange the
 * user's ID token for an Identity Assertion JWT Authorization Grant (ID-JAG) addressed to the MCP
 * server's authorization server (`audience`) for the MCP server (`resource`).
 * @see RFC 8693 §2.1; draft-ietf-oauth-identity-assertion-authz-grant §4.3; SEP-990
 */
export async function idJagTokenExchangeRequest(input: {
  fetch: FetchLike;
  tokenEndpoint: string;
  clientId: string;
  idToken: string;
  audience: string;
  resource?: string;
  scope?: string;
}): Promise<Response> {
  const body = new URLSearchParams({
    grant_type: TOKEN_EXCHANGE_GRANT,
    requested_token_type: ID_JAG_TOKEN_TYPE,
    subject_token: input.idToken,
    subject_token_type: ID_TOKEN_TYPE,
    audience: input.audience,
    client_id: input.clientId,
  });
  if (input.resource) body.set('resource', input.resource);
  if (input.scope) body.set('scope', input.scope);
  return input.fetch(input.tokenEndpoint, {
    method: 'POST',
    headers: {
      accept: 'application/json',
      'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
    },
    body: body.toString(),
    redirect: 'manual',
  });
}

/** Any token endpoint response, whatever the grant (RFC 6749 §5.1, §5.2). */
export function processTokenResponse(
  as: AuthorizationServerMetadata,
  client: oauth.Client,
  response: Response,
): Promise<oauth.TokenEndpointResponse> {
  return oauth.processGenericTokenEndpointResponse(as, client, response);
}

/** @see RFC 6749 §4.4.3, §5.1 */
export function processClientCredentialsResponse(
  as: AuthorizationServerMetadata,
  client: oauth.Client,
  response: Response,
): Promise<oauth.TokenEndpointResponse> {
  return oauth.processClientCredentialsResponse(as, client, response);
}

/**
 * Exchanges the authorization code, sending `code_verifier`, `redirect_uri` and (unless omitted) the
 * RFC 8707 `resource`. The callback parameters must already be checked (state, iss, error); they are
 * branded here through oauth4webapi's `validateAuthResponse`, which repeats those checks.
 * @see RFC 6749 §4.1.3; RFC 7636 §4.5; RFC 8707 §2.2
 */
export function authorizationCodeGrantRequest(input: {
  fetch: FetchLike;
  as: AuthorizationServerMetadata;
  client: oauth.Client;
  clientAuth: oauth.ClientAuth;
  callback: URLSearchParams;
  expectedState: string;
  redirectUri: string;
  codeVerifier: string;
  resource?: string;
  /** Proves possession of the session's DPoP key (RFC 9449 §5). */
  dpop?: oauth.DPoPHandle;
}): Promise<Response> {
  const params = oauth.validateAuthResponse(input.as, input.client, input.callback, input.expectedState);
  return oauth.authorizationCodeGrantRequest(
    input.as,
    input.client,
    input.clientAuth,
    params,
    input.redirectUri,
    input.codeVerifier,
    {
      ...oauthRequestOptions(input.fetch, input.as.token_endpoint),
      ...(input.resource ? { additionalParameters: { resource: input.resource } } : {}),
      ...(input.dpop ? { DPoP: input.dpop } : {}),
    },
  );
}

/** @see RFC 6749 §5.1, §5.2 */
export function processAuthorizationCodeResponse(
  as: AuthorizationServerMetadata,
  client: oauth.Client,
  response: Response,
): Promise<oauth.TokenEndpointResponse> {
  return oauth.processAuthorizationCodeResponse(as, client, response);
}

/**
 * Refreshes with the refresh token, sending `resource` again as RFC 8707 asks of every token request.
 * @see RFC 6749 §6; RFC 8707 §2.2; MCP 2025-11-25 §Resource Parameter Implementation
 */
export function refreshTokenGrantRequest(input: {
  fetch: FetchLike;
  as: AuthorizationServerMetadata;
  client: oauth.Client;
  clientAuth: oauth.ClientAuth;
  refreshToken: string;
  resource?: string;
  dpop?: oauth.DPoPHandle;
}): Promise<Response> {
  return oauth.refreshTokenGrantRequest(input.as, input.client, input.clientAuth, input.refreshToken, {
    ...oauthRequestOptions(input.fetch, input.as.token_endpoint),
    ...(input.resource ? { additionalParameters: { resource: input.resource } } : {}),
    ...(input.dpop ? { DPoP: input.dpop } : {}),
  });
}

/** @see RFC 6749 §5.1 */
export function processRefreshTokenResponse(
  as: AuthorizationServerMetadata,
  client: oauth.Client,
  response: Response,
): Promise<oauth.TokenEndpointResponse> {
  return oauth.processRefreshTokenResponse(as, client, response);
}
