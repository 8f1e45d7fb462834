import * as oauth from 'oauth4webapi';
import type { FetchLike } from '../http/types';
import type { AuthorizationServerMetadata } from './as-metadata';
import { isLoopbackUrl } from './canonical-uri';
import { oauthRequestOptions } from './fetch-options';

/** The client metadata the inspector registers (RFC 7591 §2 names). */
export interface ClientRegistrationMetadata {
  redirect_uris: string[];
  token_endpoint_auth_method: 'none';
  grant_types: string[];
  response_types: string[];
  client_name: string;
  application_type: 'web' | 'native';
  scope?: string;
}

/**
 * The `application_type` for a redirect URI. The inspector's callback is a web app route, so `web`
 * is the honest answer for an https callback. For an http loopback callback (local mode) we say
 * `native`: OpenID Connect Registration §2 reserves http loopback redirect URIs for native clients,
 * and several authorization servers refuse them for `web` clients (oidc-provider accepts both for
 * the code flow). 2026-07-28 makes sending `application_type` a MUST; earlier revisions allow it.
 * @see OpenID Connect Dynamic Client Registration 1.0 §2; RFC 8252 §7.3
 */
export function applicationTypeFor(redirectUri: string): 'web' | 'native' {
  return new URL(redirectUri).protocol === 'http:' && isLoopbackUrl(redirectUri) ? 'native' : 'web';
}

/**
 * The Dynamic Client Registration request body: a public client (`none`), code + refresh grants.
 * @see RFC 7591 §2, §3.1; MCP 2025-11-25 §Dynamic Client Registration
 */
export function buildDcrMetadata(input: {
  redirectUri: string;
  clientName: string;
  scope?: string;
}): ClientRegistrationMetadata {
  return {
    redirect_uris: [input.redirectUri],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    client_name: input.clientName,
    application_type: applicationTypeFor(input.redirectUri),
    ...(input.scope ? { scope: input.scope } : {}),
  };
}

/**
 * Sends the registration request (oauth4webapi `dynamicClientRegistrationRequest`).
 * @see RFC 7591 §3.1
 */
export function dynamicClientRegistrationRequest(
  fetch: FetchLike,
  as: AuthorizationServerMetadata,
  metadata: ClientRegistrationMetadata,
): Promise<Response> {
  return oauth.dynamicClientRegistrationRequest(
    as,
    metadata as unknown as Partial<oauth.OmitSymbolProperties<oauth.Client>>,
    oauthRequestOptions(fetch, as.registration_endpoint),
  );
}

/**
 * Checks the registration response: 201 with a `client_id` (oauth4webapi
 * `processDynamicClientRegistrationResponse`; errors are mapped by `describeOAuthError`).
 * @see RFC 7591 §3.2.1, §3.2.2
 */
export function processDynamicClientRegistrationResponse(
  response: Response,
): Promise<oauth.OmitSymbolProperties<oauth.Client>> {
  return oauth.processDynamicClientRegistrationResponse(response);
}

export interface LintProblem {
  level: 'fail' | 'warn';
  message: string;
}

/**
 * Lints a Client ID Metadata Document URL: https with a path, no dot segments, no fragment, no
 * userinfo; a query is discouraged.
 * @see draft-ietf-oauth-client-id-metadata-document-00 §3; MCP 2025-11-25 §Client ID Metadata Documents
 */
export function lintClientIdMetadataUrl(url: string): LintProblem[] {
  const problems: LintProblem[] = [];
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [{ level: 'fail', message: `${url} is not a URL` }];
  }
  if (u.protocol === 'http:' && isLoopbackUrl(u)) {
    problems.push({
      level: 'warn',
      message: 'the client_id URL uses http on loopback (local development only; it must use https)',
    });
  } else if (u.protocol !== 'https:') {
    problems.push({ level: 'fail', message: 'the client_id URL must use https' });
  }
  if (u.pathname === '/' || u.pathname === '') {
    problems.push({ level: 'fail', message: 'the client_id URL must have a path' });
  }
  // new URL() resolves dot segments, so look at the raw string.
  const rawPath = url.replace(/^[a-z]+:\/\/[^/]*/i, '').split(/[?#]/)[0] ?? '';
  if (rawPath.split('/').some((seg) => seg === '.' || seg === '..')) {
    problems.push({ level: 'fail', message: 'the client_id URL must not contain "." or ".." path segments' });
  }
  if (url.includes('#'))
    problems.push({ level: 'fail', message: 'the client_id URL must not contain a fragment' });
  if (u.username || u.password)
    problems.push({ level: 'fail', message: 'the client_id URL must not contain userinfo' });
  if (u.search) problems.push({ level: 'warn', message: 'the client_id URL SHOULD NOT contain a query' });
  return problems;
}

/**
 * Lints the Client ID Metadata Document itself.
 * @see draft-ietf-oauth-client-id-metadata-document-00 §4.1
 */
export function lintClientIdMetadataDocument(doc: unknown, url: string, redirectUri: string): LintProblem[] {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    return [{ level: 'fail', message: 'the document is not a JSON object' }];
  }
  const d = doc as Record<string, unknown>;
  const problems: LintProblem[] = [];
  if (d.client_id !== url) {
    problems.push({
      level: 'fail',
      message: `client_id is ${JSON.stringify(d.client_id)}; it must equal the URL ${url}`,
    });
  }
  if (typeof d.client_name !== 'string') problems.push({ level: 'fail', message: 'client_name is missing' });
  if (!Array.isArray(d.redirect_uris)) {
    problems.push({ level: 'fail', message: 'redirect_uris is missing' });
  } else if (!d.redirect_uris.includes(redirectUri)) {
    problems.push({ level: 'fail', message: `redirect_uris does not include ${redirectUri}` });
  }
  if ('client_secret' in d)
    problems.push({ level: 'fail', message: 'the document must not contain client_secret' });
  const method = d.token_endpoint_auth_method;
  if (method !== undefined && method !== 'none' && method !== 'private_key_jwt') {
    problems.push({
      level: 'fail',
      message: `token_endpoint_auth_method ${String(method)} is a shared-secret method; use "none"`,
    });
  }
  return problems;
}
