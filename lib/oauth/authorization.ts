import * as oauth from 'oauth4webapi';

export type ScopeSource = 'option' | 'challenge' | 'prm' | 'none';

/**
 * The scope to request: the user's explicit choice, else the 401 challenge's `scope` (authoritative,
 * and not necessarily a subset of `scopes_supported`), else every PRM `scopes_supported`, else none.
 * @see MCP 2025-11-25 §Scope Selection Strategy
 */
export function selectScope(input: {
  explicit?: string;
  challengeScope?: string;
  scopesSupported?: string[];
}): { scope?: string; source: ScopeSource } {
  const clean = (s?: string) => s?.trim().split(/\s+/).filter(Boolean).join(' ') || undefined;
  const explicit = clean(input.explicit);
  if (explicit) return { scope: explicit, source: 'option' };
  const challenge = clean(input.challengeScope);
  if (challenge) return { scope: challenge, source: 'challenge' };
  const supported = clean(input.scopesSupported?.join(' '));
  if (supported) return { scope: supported, source: 'prm' };
  return { source: 'none' };
}

export interface PkcePair {
  codeVerifier: string;
  codeChallenge: string;
}

/** @see RFC 7636 §4.1, §4.2 (S256) */
export async function generatePkce(): Promise<PkcePair> {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  return { codeVerifier, codeChallenge: await oauth.calculatePKCECodeChallenge(codeVerifier) };
}

/** @see RFC 6749 §10.12 (CSRF protection with `state`) */
export function generateState(): string {
  return oauth.generateRandomState();
}

/** Parameters the client sets itself; extra parameters cannot override them. */
const PROTECTED_PARAMS = new Set([
  'response_type',
  'client_id',
  'redirect_uri',
  'code_challenge',
  'code_challenge_method',
  'state',
]);

/**
 * Builds the authorization request URL: code flow with PKCE S256, `state`, `scope`, and the RFC 8707
 * `resource` indicator. Extra parameters (a real-world switch, e.g. `audience`) are appended but may
 * not replace the security-relevant ones.
 * @see RFC 6749 §4.1.1; RFC 7636 §4.3; RFC 8707 §2; MCP 2025-11-25 §Resource Parameter Implementation
 */
export function buildAuthorizationUrl(input: {
  authorizationEndpoint: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  state: string;
  scope?: string;
  resource?: string;
  /** More RFC 8707 resources in the same request (RFC 8707 §2 allows several `resource` parameters). */
  additionalResources?: string[];
  extraParams?: Record<string, string>;
}): { url: string; ignoredExtraParams: string[] } {
  const url = new URL(input.authorizationEndpoint);
  const p = url.searchParams;
  p.set('response_type', 'code');
  p.set('client_id', input.clientId);
  p.set('redirect_uri', input.redirectUri);
  p.set('code_challenge', input.codeChallenge);
  p.set('code_challenge_method', 'S256');
  p.set('state', input.state);
  if (input.scope) p.set('scope', input.scope);
  if (input.resource) p.set('resource', input.resource);
  for (const r of input.additionalResources ?? []) p.append('resource', r);
  const ignoredExtraParams: string[] = [];
  for (const [k, v] of Object.entries(input.extraParams ?? {})) {
    if (PROTECTED_PARAMS.has(k)) ignoredExtraParams.push(k);
    else p.set(k, v);
  }
  return { url: url.href, ignoredExtraParams };
}

export interface CallbackParams {
  code?: string;
  state?: string;
  iss?: string;
  error?: string;
  errorDescription?: string;
  errorUri?: string;
}

/**
 * Reads the authorization response parameters from the redirect.
 * @see RFC 6749 §4.1.2, §4.1.2.1; RFC 9207 §2
 */
export function readCallbackParams(input: URL | URLSearchParams): CallbackParams {
  const p = input instanceof URL ? input.searchParams : input;
  const get = (k: string) => p.get(k) ?? undefined;
  return {
    code: get('code'),
    state: get('state'),
    iss: get('iss'),
    error: get('error'),
    errorDescription: get('error_description'),
    errorUri: get('error_uri'),
  };
}

/** What an authorization error means for the person using the inspector. @see RFC 6749 §4.1.2.1; RFC 8707 §2 */
export function explainAuthorizationError(error: string): string {
  switch (error) {
    case 'access_denied':
      return 'The user declined consent, or the authorization server refused this client. Start again and approve the request, or ask the server operator whether this account may use the server.';
    case 'invalid_scope':
      return 'The authorization server does not accept the requested scope. Try a narrower scope, or check scopes_supported in the resource metadata.';
    case 'invalid_target':
      return 'The authorization server rejected the resource parameter (RFC 8707). It may not know this MCP server; ask its operator to register the resource, or try the "omit resource" switch to see what a non-compliant client gets.';
    case 'unauthorized_client':
      return 'This client may not use the authorization code grant here. Check the registration (grant_types).';
    case 'invalid_request':
      return 'The authorization server says the request is malformed (often a redirect_uri or PKCE problem). Compare the request parameters with the registration.';
    case 'server_error':
    case 'temporarily_unavailable':
      return 'The authorization server had a problem. Try again later.';
    default:
      return 'See the error description from the authorization server.';
  }
}
