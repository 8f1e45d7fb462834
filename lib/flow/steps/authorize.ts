import { redactValue } from '../../http/redact';
import {
  type AuthorizationServerMetadata,
  authorizationServerMetadataRequest,
  buildAsMetadataCandidates,
  parseAsMetadataDocument,
} from '../../oauth/as-metadata';
import { buildAuthorizationUrl, generatePkce, generateState, selectScope } from '../../oauth/authorization';
import { canonicalResourceUri } from '../../oauth/canonical-uri';
import { JWT_BEARER_GRANT } from '../../oauth/token';
import { atLeast } from '../../spec/version';
import { MAX_STEP_UP_ATTEMPTS } from '../recovery';
import type { FlowState, StateAt } from '../state';
import type { StepRun } from '../step-run';
import { FlowError } from '../types';

const SCOPE_SOURCE_TEXT = {
  option: 'the scope given in the options',
  challenge: 'the scope from the 401 challenge (authoritative)',
  prm: 'every scope in the resource metadata’s scopes_supported',
  none: 'no scope',
} as const;

/**
 * Step 5: build the authorization request (PKCE S256, random state, RFC 8707 resource, scope by the
 * spec's strategy). The flow then waits for the browser to come back to the redirect URI.
 * @see RFC 6749 §4.1.1; RFC 7636 §4.3; RFC 8707 §2; MCP 2025-11-25 §Scope Selection Strategy
 */
export async function runAuthorize(state: StateAt<'authorize'>, run: StepRun): Promise<FlowState> {
  const { options } = state;
  const md = state.authorizationServer.metadata;
  // RFC 8707 resource: the identifier the resource server publishes in its metadata (RFC 9728 §2),
  // exactly as written (the PRM step accepted it for this server); without PRM, the canonical URI.
  const published = state.resource.mode === 'prm' ? state.resource.document.resource : undefined;
  const resource = options.omitResource ? undefined : (published ?? canonicalResourceUri(options.serverUrl));
  // Signing in again keeps the scope of the last authorization; step-up adds what the 403 asked for.
  const reauth = state.reauth;
  const { scope, source } = reauth?.scope
    ? {
        scope: reauth.scope,
        source: reauth.action === 'step-up' ? ('challenge' as const) : ('option' as const),
      }
    : selectScope({
        explicit: options.scope,
        challengeScope: state.probe.challenge?.scope,
        scopesSupported: state.resource.mode === 'prm' ? state.resource.scopesSupported : undefined,
      });
  run.fact('routesOffered', routesOffered(md));
  if (options.grant === 'id_jag' && !state.secrets.idpIdToken && options.idp?.issuer) {
    return idpSignInPlan(
      state,
      run,
      { issuer: options.idp.issuer, clientId: options.idp.clientId },
      { scope, source, resource },
    );
  }
  if (
    options.grant === 'client_credentials' ||
    options.grant === 'jwt_bearer' ||
    options.grant === 'id_jag'
  ) {
    return noBrowserPlan(state, run, options.grant, { scope, source, resource });
  }
  const pkce = await generatePkce();
  const stateValue = generateState();
  const { url, ignoredExtraParams } = buildAuthorizationUrl({
    authorizationEndpoint: md.authorization_endpoint!,
    clientId: state.client.clientId,
    redirectUri: options.redirectUri,
    codeChallenge: pkce.codeChallenge,
    state: stateValue,
    scope,
    resource,
    extraParams: options.extraAuthParams,
  });

  run.check(
    'authorize.pkce',
    'pass',
    'code_challenge_method=S256 with a fresh 43-character code_verifier (kept server-side).',
    {
      actual: 'S256',
    },
  );
  run.check(
    'authorize.state',
    'pass',
    `A random state (${redactValue(stateValue)}) is sent and will be compared on the callback.`,
  );
  if (resource) {
    run.check(
      'authorize.resource',
      'pass',
      `resource=${resource}, ${published ? 'as the protected resource metadata names the server' : 'the server’s canonical URI'}. It is sent again with the token request.`,
      {
        expected: resource,
        actual: resource,
      },
    );
  } else if (atLeast(options.specVersion, '2025-06-18')) {
    run.check(
      'authorize.resource',
      'warn',
      `resource is left out (real-world switch “omit resource”). ${options.specVersion} clients MUST send it; this shows what an AS does without it (often a token with a generic audience).`,
      { expected: canonicalResourceUri(options.serverUrl), actual: '(omitted)' },
    );
  } else {
    run.check('authorize.resource', 'skip', 'resource is left out; 2025-03-26 does not require RFC 8707.');
  }
  const extraNote =
    options.extraAuthParams && Object.keys(options.extraAuthParams).length
      ? ` Extra parameters: ${
          Object.keys(options.extraAuthParams)
            .filter((k) => !ignoredExtraParams.includes(k))
            .join(', ') || '(none applied)'
        }.`
      : '';
  const ignoredNote = ignoredExtraParams.length
    ? ` Ignored (set by the flow): ${ignoredExtraParams.join(', ')}.`
    : '';
  if (source === 'none') {
    run.check(
      'authorize.scope-selection',
      'warn',
      `No scope is requested: the challenge has none and the resource metadata lists no scopes_supported. The AS decides what the token may do.${extraNote}${ignoredNote}`,
      { actual: '(none)' },
    );
  } else {
    const unsupported =
      (source === 'option' || reauth?.scope) && Array.isArray(md.scopes_supported)
        ? scope!.split(' ').filter((s) => !md.scopes_supported!.includes(s))
        : [];
    const why = reauth?.scope
      ? reauth.action === 'step-up'
        ? `step-up (attempt ${reauth.attempts} of ${MAX_STEP_UP_ATTEMPTS}): the scope granted so far plus ${reauth.requiredScope ?? 'what'} the 403 insufficient_scope challenge asks for`
        : 'the same scope as the previous authorization (signing in again)'
      : SCOPE_SOURCE_TEXT[source];
    run.check(
      'authorize.scope-selection',
      'pass',
      `scope="${scope}": ${why}.${unsupported.length ? ` Not in the AS’s scopes_supported: ${unsupported.join(' ')}.` : ''}${extraNote}${ignoredNote}`,
      { actual: scope },
    );
  }
  run.fact('authorizationUrl', url);
  run.fact('scope', scope ?? null);
  run.fact(
    'scopeSource',
    reauth?.scope ? (reauth.action === 'step-up' ? 'step-up' : 'previous authorization') : source,
  );
  if (reauth) run.fact('reauthorization', { action: reauth.action, reason: reauth.reason });
  run.fact('resource', resource ?? null);
  run.fact('redirectUri', options.redirectUri);
  run.addSecret(pkce.codeVerifier);

  return {
    ...state,
    step: 'awaiting-callback',
    authorization: {
      url,
      redirectUri: options.redirectUri,
      ...(scope ? { scope } : {}),
      scopeSource: source,
      ...(resource ? { resource } : {}),
      createdAt: run.now(),
    },
    secrets: { ...state.secrets, codeVerifier: pkce.codeVerifier, state: stateValue },
  };
}

/**
 * The client credentials grant has no authorization request and no browser: the client asks the
 * token endpoint for its own token. What it will ask for (scope, resource) is decided here, by the
 * same rules, and the walkthrough goes straight to the token step.
 * @see RFC 6749 §4.4; RFC 8414 §2 (grant_types_supported); MCP ext-auth (OAuth Client Credentials)
 */
function noBrowserPlan(
  state: StateAt<'authorize'>,
  run: StepRun,
  grant: 'client_credentials' | 'jwt_bearer' | 'id_jag',
  plan: { scope?: string; source: keyof typeof SCOPE_SOURCE_TEXT; resource?: string },
): FlowState {
  const wire = grant === 'client_credentials' ? 'client_credentials' : JWT_BEARER_GRANT;
  const grants = state.authorizationServer.metadata.grant_types_supported;
  const advertised = Array.isArray(grants) && grants.includes(wire);
  run.check(
    'authorize.grant-advertised',
    advertised ? 'pass' : 'warn',
    advertised
      ? `The authorization server lists ${wire} in grant_types_supported; no browser is needed. The token request asks for ${plan.scope ? `scope "${plan.scope}" (${SCOPE_SOURCE_TEXT[plan.source]})` : 'no scope'}${plan.resource ? ` and resource=${plan.resource}` : ''}.`
      : `The authorization server does not list ${wire} in grant_types_supported (${Array.isArray(grants) ? JSON.stringify(grants) : 'absent, which RFC 8414 reads as ["authorization_code", "implicit"]'}); the inspector asks anyway, but clients that read the metadata will not.`,
    { expected: `grant_types_supported includes ${wire}`, actual: JSON.stringify(grants ?? null) },
  );
  return {
    ...state,
    step: 'token',
    authorization: {
      grant,
      url: '',
      redirectUri: '',
      ...(plan.scope ? { scope: plan.scope } : {}),
      scopeSource: plan.source,
      ...(plan.resource ? { resource: plan.resource } : {}),
      createdAt: run.now(),
    },
  };
}

/**
 * Enterprise-managed authorization in the browser: before any ID-JAG, the user signs in at the
 * enterprise IdP (OpenID Connect authorization code with PKCE S256 and state, scope openid) so the
 * client holds the ID token it will exchange. Nobody pastes a token. The callback comes back to the
 * same redirect URI; the token step then redeems the code at the IdP and goes on with the exchange.
 * @see SEP-990 §3 (single sign-on first); OpenID Connect Core §3.1; RFC 7636 §4.3
 */
async function idpSignInPlan(
  state: StateAt<'authorize'>,
  run: StepRun,
  idp: { issuer: string; clientId: string },
  plan: { scope?: string; source: keyof typeof SCOPE_SOURCE_TEXT; resource?: string },
): Promise<FlowState> {
  noBrowserPlan(state, run, 'id_jag', plan);
  const metadata = await enterpriseIdpMetadata(run, idp.issuer, state.options.specVersion);
  const pkce = await generatePkce();
  const stateValue = generateState();
  const { url } = buildAuthorizationUrl({
    authorizationEndpoint: metadata.authorization_endpoint!,
    clientId: idp.clientId,
    redirectUri: state.options.redirectUri,
    codeChallenge: pkce.codeChallenge,
    state: stateValue,
    scope: 'openid',
  });
  run.check(
    'authorize.pkce',
    'pass',
    `Sign-in at the enterprise IdP (${idp.issuer}) for an ID token: code_challenge_method=S256, a fresh code_verifier (kept server-side), and a random state.`,
    { actual: 'S256' },
  );
  run.fact('authorizationUrl', url);
  run.fact('enterpriseIdp', { issuer: idp.issuer, clientId: idp.clientId });
  run.fact('resource', plan.resource ?? null);
  run.addSecret(pkce.codeVerifier);
  return {
    ...state,
    step: 'awaiting-callback',
    authorization: {
      grant: 'id_jag',
      url,
      redirectUri: state.options.redirectUri,
      ...(plan.scope ? { scope: plan.scope } : {}),
      scopeSource: plan.source,
      ...(plan.resource ? { resource: plan.resource } : {}),
      idpSignIn: {
        issuer: metadata.issuer,
        tokenEndpoint: metadata.token_endpoint!,
        issParameter: metadata.authorization_response_iss_parameter_supported === true,
        ...(Array.isArray(metadata.id_token_signing_alg_values_supported)
          ? { idTokenAlgs: metadata.id_token_signing_alg_values_supported }
          : {}),
      },
      createdAt: run.now(),
    },
    secrets: { ...state.secrets, codeVerifier: pkce.codeVerifier, state: stateValue },
  };
}

/** The enterprise IdP's metadata, from the first discovery URL that answers for its issuer. @see RFC 8414 §3; OpenID Connect Discovery §4 */
async function enterpriseIdpMetadata(
  run: StepRun,
  issuer: string,
  specVersion: StateAt<'authorize'>['options']['specVersion'],
): Promise<AuthorizationServerMetadata> {
  const call = run.traced(
    `RFC 8414 §3 — the enterprise IdP's metadata (${issuer}), to sign the user in there`,
  );
  const problems: string[] = [];
  for (const candidate of buildAsMetadataCandidates(issuer, specVersion)) {
    const response = await authorizationServerMetadataRequest(call.fetch, candidate.url, specVersion).catch(
      (err: Error) => ({ status: 0, text: async () => err.message }),
    );
    const parsed = parseAsMetadataDocument(response.status, await response.text(), issuer);
    if (parsed.ok && parsed.metadata.authorization_endpoint && parsed.metadata.token_endpoint)
      return parsed.metadata;
    problems.push(
      `${candidate.url}: ${parsed.ok ? 'no authorization_endpoint or token_endpoint' : parsed.problem}`,
    );
  }
  throw new FlowError({
    code: 'unreachable',
    message: `The enterprise IdP ${issuer} has no usable metadata (${problems.join('; ')}).`,
    hint: 'Check the IdP issuer in Options: it must be the exact issuer its metadata names.',
    specRef: 'RFC 8414 §3',
  });
}

/**
 * Which of the routes beyond the browser sign-in this authorization server says it takes, for the
 * web app's Options to offer on the next run.
 * @see RFC 8414 §2 (grant_types_supported); RFC 9449 §5.1 (dpop_signing_alg_values_supported)
 */
function routesOffered(md: AuthorizationServerMetadata) {
  const grants = Array.isArray(md.grant_types_supported) ? md.grant_types_supported : [];
  return {
    clientCredentials: grants.includes('client_credentials'),
    jwtBearer: grants.includes(JWT_BEARER_GRANT),
    dpop:
      Array.isArray(md.dpop_signing_alg_values_supported) && md.dpop_signing_alg_values_supported.length > 0,
  };
}
