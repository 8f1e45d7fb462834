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
  alg: ClientAssertionAlg,
): Promise<oauth.ClientAuth> {
  const key = await importPKCS8(pem, alg);
  return oauth.PrivateKeyJwt(key);
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
