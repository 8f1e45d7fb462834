import * as oauth from 'oauth4webapi';
import type { FetchLike } from '../http/types';
import type { AuthorizationServerMetadata } from './as-metadata';
import { oauthRequestOptions } from './fetch-options';

export type TokenTypeHint = 'access_token' | 'refresh_token';

/**
 * Asks the authorization server to revoke a token. Revoking a refresh token SHOULD also invalidate
 * the access tokens of the same grant (RFC 7009 §2.1). The caller checks that the metadata has a
 * `revocation_endpoint` first (RFC 8414 §2).
 * @see RFC 7009 §2.1
 */
export function revocationRequest(input: {
  fetch: FetchLike;
  as: AuthorizationServerMetadata;
  client: oauth.Client;
  clientAuth: oauth.ClientAuth;
  token: string;
  tokenTypeHint?: TokenTypeHint;
}): Promise<Response> {
  return oauth.revocationRequest(input.as, input.client, input.clientAuth, input.token, {
    ...oauthRequestOptions(input.fetch, input.as.revocation_endpoint),
    ...(input.tokenTypeHint ? { additionalParameters: { token_type_hint: input.tokenTypeHint } } : {}),
  });
}

/**
 * 200 means revoked, or the token was already invalid (RFC 7009 §2.2); an error response throws
 * (e.g. `unsupported_token_type`, RFC 7009 §2.2.1).
 * @see RFC 7009 §2.2
 */
export function processRevocationResponse(response: Response): Promise<undefined> {
  return oauth.processRevocationResponse(response);
}
