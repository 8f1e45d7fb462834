import type * as oauth from 'oauth4webapi';
import { redactValue } from '../../http/redact';
import {
  DPOP_ALG,
  type DpopKeys,
  dpopHandle,
  dpopThumbprint,
  generateDpopKeys,
  isDpopNonceError,
} from '../../oauth/dpop';
import { describeOAuthError } from '../../oauth/errors';
import { audienceList, decodeJwtPayloadUnverified } from '../../oauth/jwt';
import {
  authorizationCodeGrantRequest,
  clientAuthentication,
  clientCredentialsGrantRequest,
  ID_JAG_TOKEN_TYPE,
  idJagTokenExchangeRequest,
  jwtBearerGrantRequest,
  privateKeyJwtAuthentication,
  processAuthorizationCodeResponse,
  processClientCredentialsResponse,
  processTokenResponse,
} from '../../oauth/token';
import { oauthFlowError } from '../errors';
import type { ClientInfo, FlowState, StateAt, TokenClaims, TokenInfo } from '../state';
import type { StepRun } from '../step-run';
import { FlowError, type FlowSecrets } from '../types';

const TOKEN_ERROR_HINTS: Record<string, string> = {
  invalid_grant:
    'The code was rejected: it expired, was already used, or the PKCE code_verifier does not match the challenge. Start the authorization again.',
  invalid_client:
    'Client authentication failed at the token endpoint. Check the client id, secret and auth method.',
  invalid_target:
    'The authorization server rejected the resource parameter (RFC 8707). It may not know this MCP server.',
  unauthorized_client: 'This client may not use the authorization code grant. Check its registration.',
  invalid_request:
    'The token request was malformed according to the authorization server (see its error description).',
};

/**
 * Step 6b: exchange the code with the PKCE verifier, the redirect URI and the RFC 8707 resource. The
 * tokens go into the secrets only; the state carries a redacted form and the decoded claims.
 * @see RFC 6749 §4.1.3, §5.1; RFC 7636 §4.5; RFC 8707 §2.2
 */
export async function runToken(state: StateAt<'token'>, run: StepRun): Promise<FlowState> {
  if (state.authorization.grant === 'client_credentials') return runClientCredentials(state, run);
  if (state.authorization.grant === 'jwt_bearer') return runJwtBearer(state, run);
  if (state.authorization.grant === 'id_jag') return runIdJag(state, run);
  const { secrets } = state;
  const as = state.authorizationServer.metadata;
  const code = secrets.authorizationCode;
  const verifier = secrets.codeVerifier;
  if (!code || !verifier || !secrets.state) {
    throw new FlowError({
      code: 'invalid_state',
      message: 'There is no authorization code waiting to be exchanged (it is used once).',
      hint: 'Start the authorization again.',
    });
  }
  const client = oauthClientOf(state.client);
  let clientAuth: oauth.ClientAuth;
  try {
    clientAuth = clientAuthentication(state.client.tokenEndpointAuthMethod, secrets.clientSecret);
  } catch (err) {
    throw new FlowError({ code: 'invalid_options', message: (err as Error).message });
  }
  const resource = state.authorization.resource;
  // The callback was checked already; rebuild what oauth4webapi's validateAuthResponse expects.
  const callback = new URLSearchParams({ code, state: secrets.state });
  if (as.authorization_response_iss_parameter_supported) callback.set('iss', as.issuer);

  const dpop = await dpopFor(state, run);
  const call = run.traced(
    `RFC 6749 §4.1.3 — authorization code grant with the PKCE code_verifier${resource ? ' and the RFC 8707 resource' : ''}${dpop ? ' and a DPoP proof (RFC 9449 §5)' : ''}`,
  );
  let tokens: oauth.TokenEndpointResponse;
  try {
    tokens = await withDpopNonce(dpop?.handle, async () =>
      processAuthorizationCodeResponse(
        as,
        client,
        await authorizationCodeGrantRequest({
          fetch: call.fetch,
          as,
          client,
          clientAuth,
          callback,
          expectedState: secrets.state!,
          redirectUri: state.authorization.redirectUri,
          codeVerifier: verifier,
          resource,
          ...(dpop ? { dpop: dpop.handle } : {}),
        }),
      ),
    );
  } catch (err) {
    const d = describeOAuthError(err, 'The token endpoint');
    const hint =
      (d.oauthError && TOKEN_ERROR_HINTS[d.oauthError]) ??
      'See the token exchange for the authorization server’s answer.';
    run.check('token.exchange', 'fail', `${d.message}.`, {
      expected: '200 with access_token and token_type Bearer',
      actual: d.actual ?? d.message,
      exchangeIds: call.exchangeIds,
    });
    throw oauthFlowError(
      d,
      'token_failed',
      { hint, expected: '200 with an access token', specRef: 'RFC 6749 §5.2' },
      err,
    );
  }
  const ids = call.exchangeIds;
  const now = run.now();
  // Signing in again: earlier refresh verdicts judged the previous grant's refresh token. They stay in
  // the trace (exchanges, facts.refreshes); the checks start over with this token.
  for (const id of ['token.refresh', 'token.refresh-rotation']) {
    const at = run.record.checks.findIndex((c) => c.id === id);
    if (at >= 0) run.record.checks.splice(at, 1);
  }
  run.addSecret(tokens.access_token);
  run.addSecret(tokens.refresh_token);
  run.addSecret(tokens.id_token);
  const token = judgeTokenResponse(run, tokens, {
    resource,
    requestedScope: state.authorization.scope,
    exchangeIds: ids,
    now,
    exchangeCheck: 'token.exchange',
    ...(Array.isArray(as.scopes_supported) ? { scopesSupported: as.scopes_supported } : {}),
    ...(dpop ? { dpopJkt: dpop.jkt } : {}),
  });
  const expiresIn = tokens.expires_in;
  run.fact('token', { ...token });
  // The code, verifier and state are single-use: drop them once the exchange succeeded.
  const { authorizationCode: _code, codeVerifier: _verifier, state: _state, ...rest } = secrets;
  const nextSecrets: FlowSecrets = {
    ...rest,
    ...(dpop ? { dpopKeys: dpop.keys, dpopBound: tokens.token_type === 'dpop' } : {}),
    accessToken: tokens.access_token,
    ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
    ...(tokens.id_token ? { idToken: tokens.id_token } : {}),
    ...(expiresIn !== undefined ? { accessTokenExpiresAt: now + expiresIn * 1000 } : {}),
  };
  return { ...state, step: 'mcp-init', token, secrets: nextSecrets };
}

export interface TokenJudgement {
  /** 'token.exchange' for the code exchange, 'token.refresh' for a refresh. */
  exchangeCheck: 'token.exchange' | 'token.refresh';
  /** The RFC 8707 resource sent with the request (the audience the token should carry). */
  resource?: string;
  requestedScope?: string;
  /** The session's DPoP key thumbprint when a DPoP-bound token was asked for (RFC 9449 §5, §6). */
  dpopJkt?: string;
  /** A refresh response may leave scope out when it is unchanged (RFC 6749 §5.1). */
  previousScope?: string;
  exchangeIds: string[];
  now: number;
  /** The authorization server's scopes_supported, to suggest offline_access when it has it. */
  scopesSupported?: string[];
}

/**
 * Judges a token endpoint response (Bearer type, audience, lifetime, granted scope, refresh token)
 * and returns what the browser may see of it. Used by the code exchange and by every refresh.
 * @see RFC 6749 §5.1; RFC 8707 §2; RFC 9068 §3
 */
export function judgeTokenResponse(
  run: StepRun,
  tokens: oauth.TokenEndpointResponse,
  opts: TokenJudgement,
): TokenInfo {
  const ids = opts.exchangeIds;
  const now = opts.now;
  const resource = opts.resource;
  const expiresIn = tokens.expires_in;

  if (opts.dpopJkt !== undefined) judgeDpopBinding(run, tokens, opts.dpopJkt, ids);
  else if (tokens.token_type !== 'bearer') {
    throw run.fail(
      opts.exchangeCheck,
      {
        code: 'token_failed',
        message: `The token endpoint issued a ${tokens.token_type} token, but the inspector did not ask for one and MCP uses Bearer tokens.`,
        expected: 'Bearer',
        actual: tokens.token_type,
        specRef: 'RFC 6750 §1; MCP 2025-11-25 §Token Requirements',
      },
      { checkMessage: `token_type is ${tokens.token_type}; MCP uses Bearer tokens.`, exchangeIds: ids },
    );
  }
  run.check(
    opts.exchangeCheck,
    'pass',
    opts.exchangeCheck === 'token.refresh'
      ? `HTTP 200 with a new ${tokenKind(tokens)} access token (${redactValue(tokens.access_token)})${resource ? `; resource=${resource} was sent again` : ''}.`
      : `HTTP 200 with a ${tokenKind(tokens)} access token (${redactValue(tokens.access_token)}).`,
    { exchangeIds: ids },
  );

  // Audience (checklist C15, D22). Decoded without verifying: that is the MCP server's job.
  const payload = decodeJwtPayloadUnverified(tokens.access_token);
  const claims: TokenClaims | undefined = payload
    ? Object.fromEntries(
        (['iss', 'aud', 'sub', 'scope', 'exp', 'iat', 'client_id'] as const)
          .filter((k) => payload[k] !== undefined)
          .map((k) => [k, payload[k]]),
      )
    : undefined;
  if (!payload) {
    run.check(
      'token.audience',
      'skip',
      'The access token is opaque (not a JWT), so only the MCP server can check its audience; the inspector cannot.',
      { exchangeIds: ids },
    );
  } else {
    const aud = audienceList(payload.aud);
    const expected = resource;
    if (!expected) {
      run.check(
        'token.audience',
        'warn',
        `No resource was sent, so the token’s audience (${aud.join(', ') || 'absent'}) was chosen by the AS alone. Decoded without verifying the signature.`,
        {
          actual: aud.join(' ') || '(absent)',
          exchangeIds: ids,
        },
      );
    } else if (aud.length === 0) {
      run.check(
        'token.audience',
        'warn',
        'The JWT access token has no aud claim, so a server cannot tell it was issued for it. Decoded without verifying the signature.',
        {
          expected,
          actual: '(absent)',
          exchangeIds: ids,
        },
      );
    } else if (aud.includes(expected)) {
      run.check(
        'token.audience',
        'pass',
        `aud contains ${expected} (decoded without verifying the signature; verifying is the MCP server’s job).`,
        {
          expected,
          actual: aud.join(' '),
          exchangeIds: ids,
        },
      );
    } else {
      run.check(
        'token.audience',
        'fail',
        `aud is ${aud.join(', ')}, not ${expected}. The AS ignored the resource parameter, and a server that checks audience will refuse this token (decoded without verifying the signature).`,
        { expected, actual: aud.join(' '), exchangeIds: ids },
      );
    }
  }

  if (opts.exchangeCheck === 'token.refresh') {
    // A refresh response without refresh_token leaves the old one valid (RFC 6749 §6); rotation is judged by the caller.
  } else if (tokens.refresh_token) {
    run.check(
      'token.refresh-token',
      'pass',
      'A refresh token was issued (kept server-side), so the session can be renewed without signing in again.',
      {
        exchangeIds: ids,
      },
    );
  } else {
    run.check(
      'token.refresh-token',
      'warn',
      opts.scopesSupported?.includes('offline_access') &&
        !(opts.requestedScope ?? '').split(' ').includes('offline_access')
        ? 'No refresh token: when the access token expires, the user must sign in again. The authorization server lists offline_access in scopes_supported: OpenID-flavoured servers issue refresh tokens only when it is requested (SEP-2207), so add it to the scope (CLI: --scope "… offline_access"; web: Options › Scopes).'
        : 'No refresh token: when the access token expires, the user must sign in again. Some authorization servers issue one only with offline_access or after consent.',
      { exchangeIds: ids },
    );
  }

  if (expiresIn === undefined) {
    run.check(
      'token.expires-in',
      'warn',
      'The response has no expires_in, so the client cannot tell when to refresh.',
      { expected: 'expires_in', actual: '(absent)', exchangeIds: ids },
    );
  } else if (expiresIn > 86_400) {
    run.check(
      'token.expires-in',
      'warn',
      `expires_in is ${expiresIn} s (over a day). Access tokens SHOULD be short-lived.`,
      { actual: `${expiresIn} s`, exchangeIds: ids },
    );
  } else {
    run.check('token.expires-in', 'pass', `expires_in is ${expiresIn} s.`, {
      actual: `${expiresIn} s`,
      exchangeIds: ids,
    });
  }

  const requested = opts.requestedScope;
  const granted = tokens.scope ?? opts.previousScope;
  if (opts.exchangeCheck === 'token.refresh') {
    // The refresh asked for no scope, i.e. the same scope (RFC 6749 §6); the grant was judged at the code exchange.
  } else if (!requested) {
    run.check(
      'token.scope-granted',
      'skip',
      `No scope was requested${granted ? `; granted: ${granted}` : ''}.`,
      { exchangeIds: ids },
    );
  } else if (granted === undefined) {
    run.check(
      'token.scope-granted',
      'pass',
      `The response omits scope, which means the requested scope (${requested}) was granted (RFC 6749 §5.1).`,
      {
        expected: requested,
        exchangeIds: ids,
      },
    );
  } else {
    const grantedSet = new Set(granted.split(' '));
    const missing = requested.split(' ').filter((s) => !grantedSet.has(s));
    run.check(
      'token.scope-granted',
      missing.length ? 'warn' : 'pass',
      missing.length
        ? `Granted ${granted || '(nothing)'}; not granted: ${missing.join(' ')}. Tools needing them will get 403 insufficient_scope.`
        : `Granted ${granted}.`,
      { expected: requested, actual: granted, exchangeIds: ids },
    );
  }

  const token: TokenInfo = {
    accessTokenRedacted: redactValue(tokens.access_token),
    tokenType: 'Bearer',
    ...(granted !== undefined ? { scope: granted } : {}),
    ...(requested ? { scopeRequested: requested } : {}),
    ...(expiresIn !== undefined ? { expiresAt: now + expiresIn * 1000 } : {}),
    hasRefreshToken: Boolean(tokens.refresh_token),
    isJwt: Boolean(payload),
    ...(claims ? { claims } : {}),
    ...(resource ? { resource } : {}),
    receivedAt: now,
  };
  return token;
}

/**
 * Step 6, client credentials: the client's own token from the token endpoint, authenticated with its
 * secret (client_secret_basic / _post) or a signed assertion (private_key_jwt), with scope and the
 * RFC 8707 resource. Judged like any token response.
 * @see RFC 6749 §4.4.2, §4.4.3; RFC 7523 §2.2; RFC 8707 §2.2; MCP ext-auth OAuth Client Credentials
 */
async function runClientCredentials(state: StateAt<'token'>, run: StepRun): Promise<FlowState> {
  const as = state.authorizationServer.metadata;
  const method = state.client.tokenEndpointAuthMethod;
  const client = oauthClientOf(state.client);
  const clientAuth = await clientAuthFor(state);
  if (method === 'none') {
    throw run.fail(
      'token.exchange',
      {
        code: 'invalid_options',
        message: 'The client credentials grant needs a confidential client (a secret or a private key).',
        hint: 'Give the client secret, or the private key for private_key_jwt.',
        specRef: 'RFC 6749 §4.4',
      },
      {
        checkMessage:
          'The client credentials grant needs an authenticated client; this one is public (none).',
        expected: 'client_secret_basic, client_secret_post or private_key_jwt',
        actual: 'none',
      },
    );
  }
  const resource = state.authorization.resource;
  const scope = state.authorization.scope;
  const dpop = await dpopFor(state, run);
  const call = run.traced(
    `RFC 6749 §4.4.2 — client credentials grant (${method})${resource ? ' with the RFC 8707 resource' : ''}${dpop ? ' and a DPoP proof (RFC 9449 §5)' : ''}`,
  );
  let tokens: oauth.TokenEndpointResponse;
  try {
    tokens = await withDpopNonce(dpop?.handle, async () =>
      processClientCredentialsResponse(
        as,
        client,
        await clientCredentialsGrantRequest({
          fetch: call.fetch,
          as,
          client,
          clientAuth,
          ...(scope ? { scope } : {}),
          ...(resource ? { resource } : {}),
          ...(dpop ? { dpop: dpop.handle } : {}),
        }),
      ),
    );
  } catch (err) {
    throw refusedGrant(run, err, call.exchangeIds, 'RFC 6749 §4.4.3', (error) =>
      error === 'unauthorized_client' || error === 'unsupported_grant_type'
        ? 'This client may not use the client credentials grant. Check its registration at the authorization server.'
        : undefined,
    );
  }
  return acceptedGrant(state, run, tokens, call.exchangeIds, dpop);
}

const tokenKind = (tokens: oauth.TokenEndpointResponse) =>
  tokens.token_type === 'dpop' ? 'DPoP-bound' : 'Bearer';

/** The session's DPoP key (made on first use) and the token endpoint handle, when DPoP is asked for. */
async function dpopFor(
  state: StateAt<'token'>,
  run: StepRun,
): Promise<{ keys: DpopKeys; handle: oauth.DPoPHandle; jkt: string } | undefined> {
  if (!state.options.dpop) return undefined;
  const keys = state.secrets.dpopKeys ?? (await generateDpopKeys());
  run.addSecret(typeof keys.privateJwk.d === 'string' ? keys.privateJwk.d : undefined);
  const algs = state.authorizationServer.metadata.dpop_signing_alg_values_supported;
  const advertised = Array.isArray(algs) && algs.includes(DPOP_ALG);
  run.check(
    'token.dpop-advertised',
    advertised ? 'pass' : 'warn',
    advertised
      ? `The authorization server lists ${DPOP_ALG} in dpop_signing_alg_values_supported; the token request carries a DPoP proof.`
      : `The authorization server does not list ${DPOP_ALG} in dpop_signing_alg_values_supported (${Array.isArray(algs) ? JSON.stringify(algs) : 'absent'}); the inspector sends a DPoP proof anyway, but clients that read the metadata will not.`,
    {
      expected: `dpop_signing_alg_values_supported includes ${DPOP_ALG}`,
      actual: JSON.stringify(algs ?? null),
    },
  );
  return { keys, handle: await dpopHandle(keys), jkt: await dpopThumbprint(keys) };
}

/** Sends once more when the authorization server answers use_dpop_nonce (its nonce is then known). @see RFC 9449 §8 */
export async function withDpopNonce<T>(
  handle: oauth.DPoPHandle | undefined,
  send: () => Promise<T>,
): Promise<T> {
  try {
    return await send();
  } catch (err) {
    if (handle && isDpopNonceError(err)) return send();
    throw err;
  }
}

/**
 * A DPoP-bound token says so (token_type DPoP) and, when it is a JWT, carries the key's thumbprint in
 * `cnf.jkt`. An authorization server that does not do DPoP may issue a Bearer token instead.
 * @see RFC 9449 §5, §6
 */
function judgeDpopBinding(
  run: StepRun,
  tokens: oauth.TokenEndpointResponse,
  jkt: string,
  ids: string[],
): void {
  const payload = decodeJwtPayloadUnverified(tokens.access_token);
  const cnf = (payload?.cnf as { jkt?: unknown } | undefined)?.jkt;
  if (tokens.token_type !== 'dpop') {
    run.check(
      'token.dpop-bound',
      'warn',
      `A DPoP proof was sent, but the token is ${tokens.token_type}, not DPoP: the authorization server did not bind it to the key (RFC 9449 §5 lets it fall back to Bearer). It is used as a Bearer token.`,
      { expected: 'token_type DPoP', actual: tokens.token_type, exchangeIds: ids },
    );
    return;
  }
  if (!payload) {
    run.check(
      'token.dpop-bound',
      'pass',
      'token_type is DPoP. The token is opaque, so only the MCP server can check its key binding.',
      {
        exchangeIds: ids,
      },
    );
    return;
  }
  run.check(
    'token.dpop-bound',
    cnf === jkt ? 'pass' : 'fail',
    cnf === jkt
      ? `token_type is DPoP and cnf.jkt is this session's key thumbprint (${jkt}).`
      : `token_type is DPoP, but cnf.jkt is ${cnf === undefined ? 'absent' : JSON.stringify(cnf)}, not this session's key thumbprint ${jkt}: the token is not bound to the key that proved possession.`,
    { expected: `cnf.jkt = ${jkt}`, actual: cnf === undefined ? '(absent)' : String(cnf), exchangeIds: ids },
  );
}

/**
 * Step 6, JWT bearer: the assertion the client holds (a workload identity token from its platform)
 * for an access token, with scope and the RFC 8707 resource; the client authenticates as registered
 * (usually "none": the assertion is the credential). The assertion is a secret: redacted everywhere.
 * @see RFC 7523 §2.1, §3; RFC 8707 §2.2; MCP ext-auth workload identity federation (SEP-1933)
 */
async function runJwtBearer(state: StateAt<'token'>, run: StepRun): Promise<FlowState> {
  const { secrets } = state;
  const assertion = secrets.assertion;
  if (!assertion) {
    throw new FlowError({
      code: 'invalid_options',
      message:
        'Not testable here: the JWT bearer grant presents the workload’s identity token, which comes from the workload’s platform, not from a person, and none was given. Run the CLI on the workload with --assertion-file FILE.',
      hint: 'Get the identity token from the workload’s platform (its metadata endpoint or token file), addressed to this authorization server, and pass it with --assertion-file FILE.',
      specRef: 'RFC 7523 §2.1',
    });
  }
  run.addSecret(assertion);
  const as = state.authorizationServer.metadata;
  const client = oauthClientOf(state.client);
  const clientAuth = await clientAuthFor(state);
  const { resource, scope } = state.authorization;
  // RFC 7523 §3 (3): aud identifies the AS; its token endpoint URL MAY be used for that. An ID-JAG is
  // stricter: its aud "MUST identify the Issuer URL of the MCP Server's authorization server" (SEP-990 §5.1).
  const audiences = [
    state.authorizationServer.issuer,
    ...(as.token_endpoint && state.authorization.grant !== 'id_jag' ? [as.token_endpoint] : []),
  ];
  const misaddressed = judgeAssertionClaims(run, assertion, audiences, run.now());
  const dpop = await dpopFor(state, run);
  const call = run.traced(
    `RFC 7523 §2.1 — JWT bearer grant with the ${state.authorization.grant === 'id_jag' ? 'ID-JAG' : "workload's assertion"}${resource ? ' and the RFC 8707 resource' : ''}${dpop ? ' and a DPoP proof (RFC 9449 §5)' : ''}`,
  );
  let tokens: oauth.TokenEndpointResponse;
  try {
    tokens = await withDpopNonce(dpop?.handle, async () =>
      processTokenResponse(
        as,
        client,
        await jwtBearerGrantRequest({
          fetch: call.fetch,
          as,
          client,
          clientAuth,
          assertion,
          ...(scope ? { scope } : {}),
          ...(resource ? { resource } : {}),
          ...(dpop ? { dpop: dpop.handle } : {}),
        }),
      ),
    );
  } catch (err) {
    if (misaddressed) throw refusedMisaddressed(run, misaddressed, call.exchangeIds);
    throw refusedGrant(run, err, call.exchangeIds, 'RFC 7523 §3.1', (error) =>
      error === 'invalid_grant'
        ? 'The authorization server refused the assertion: it may be expired, meant for another audience (its aud must be this authorization server), already used, or signed by an issuer it does not trust.'
        : error === 'unsupported_grant_type'
          ? 'The authorization server does not accept the JWT bearer grant.'
          : undefined,
    );
  }
  if (misaddressed) throw acceptedMisaddressed(run, misaddressed, call.exchangeIds);
  return acceptedGrant(state, run, tokens, call.exchangeIds, dpop);
}

/** What is wrong with an assertion the authorization server must refuse (RFC 7523 §3), if anything. */
interface Misaddressed {
  problems: string[];
  expected: string;
  actual: string;
}

/**
 * Before presenting it: the assertion must name this authorization server in aud and must not have
 * expired (decoded without verifying; verifying is the authorization server's job). A wrong one is
 * still presented, to see whether the server refuses it as it must.
 * @see RFC 7523 §3 (3) aud, (4) exp; SEP-990 §5.1
 */
function judgeAssertionClaims(
  run: StepRun,
  assertion: string,
  /** This AS's identities: its issuer, then its token endpoint URL (RFC 7523 §3 allows either). */
  identities: string[],
  now: number,
): Misaddressed | undefined {
  const claims = decodeJwtPayloadUnverified(assertion);
  if (!claims) {
    run.check(
      'token.assertion-claims',
      'skip',
      'Not testable: the assertion is not a JWT the inspector can read, so only the authorization server can judge it.',
    );
    return undefined;
  }
  const aud = audienceList(claims.aud);
  const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
  const problems = [
    aud.some((a) => identities.includes(a))
      ? undefined
      : `its aud is ${aud.length ? aud.join(', ') : '(absent)'}, not this authorization server (${identities.join(' or ')})`,
    exp === undefined
      ? 'it has no exp'
      : exp * 1000 <= now
        ? `it expired ${Math.round(now / 1000 - exp)} s ago`
        : undefined,
  ].filter((p): p is string => Boolean(p));
  const expected = `aud ${identities.join(' or ')}, exp in the future`;
  const actual = `aud ${aud.join(' ') || '(absent)'}, exp ${exp === undefined ? '(absent)' : `${Math.round(exp - now / 1000)} s from now`}`;
  if (!problems.length) {
    run.check(
      'token.assertion-claims',
      'pass',
      `The assertion names this authorization server in aud and expires in ${Math.round(exp! - now / 1000)} s (decoded without verifying).`,
      { expected, actual },
    );
    return undefined;
  }
  return { problems, expected, actual };
}

function refusedMisaddressed(run: StepRun, m: Misaddressed, exchangeIds: string[]): FlowError {
  return run.fail(
    'token.assertion-claims',
    {
      code: 'token_failed',
      message: `The assertion cannot be used here: ${m.problems.join('; ')}. The authorization server refused it, as RFC 7523 §3 requires.`,
      hint: 'Get an assertion addressed to this authorization server: its issuer must be the aud (the workload platform’s audience setting, or the IdP’s configuration for this app), and a fresh one.',
      expected: m.expected,
      actual: m.actual,
      specRef: 'RFC 7523 §3',
    },
    { exchangeIds },
  );
}

function acceptedMisaddressed(run: StepRun, m: Misaddressed, exchangeIds: string[]): FlowError {
  return run.fail(
    'token.assertion-claims',
    {
      code: 'token_failed',
      message: `The authorization server issued a token for an assertion it must refuse: ${m.problems.join('; ')}. RFC 7523 §3: "The authorization server MUST reject any JWT that does not contain its own identity as the intended audience" and "MUST reject any JWT with an expiration time that has passed".`,
      hint: 'Fix the authorization server: verify aud (its own issuer) and exp on every JWT bearer assertion. Then fix whoever issued this one. The inspector does not use the token.',
      expected: m.expected,
      actual: m.actual,
      specRef: 'RFC 7523 §3; SEP-990 §5.1',
    },
    { exchangeIds },
  );
}

/**
 * Step 6, enterprise-managed authorization (SEP-990): the user's ID token from the enterprise IdP is
 * exchanged there for an ID-JAG (RFC 8693), which is judged (audience = this authorization server,
 * resource = this MCP server, client_id = this client) and then redeemed here as a JWT bearer grant.
 * No consent screen: the enterprise decided.
 * @see RFC 8693 §2; RFC 7523 §2.1; draft-ietf-oauth-identity-assertion-authz-grant §4–5
 */
async function runIdJag(state: StateAt<'token'>, run: StepRun): Promise<FlowState> {
  const idp = state.options.idp;
  const signIn = state.authorization.idpSignIn;
  const idToken =
    state.secrets.idpIdToken ?? (signIn && idp ? await idTokenFromSignIn(state, run) : undefined);
  const tokenEndpoint = signIn?.tokenEndpoint ?? idp?.tokenEndpoint;
  if (!idp || !idToken || !tokenEndpoint) {
    throw new FlowError({
      code: 'invalid_options',
      message:
        'Enterprise-managed authorization needs the enterprise IdP (its token endpoint and client id) and the user’s ID token from it.',
      hint: 'In the web app: Options › Route, Enterprise-managed, with the IdP issuer and the client id there (you sign in at the IdP). In the CLI: --grant id-jag --idp-client-id ID with --idp-issuer URL, or --idp-token-endpoint URL --id-token-file FILE.',
      specRef: 'SEP-990',
    });
  }
  run.addSecret(idToken);
  const audience = state.authorizationServer.issuer;
  const { resource, scope } = state.authorization;
  const call = run.traced(
    `RFC 8693 §2.1 — token exchange at the enterprise IdP: the user's ID token for an ID-JAG addressed to ${audience}`,
  );
  let idJag: string;
  try {
    const response = await idJagTokenExchangeRequest({
      fetch: call.fetch,
      tokenEndpoint,
      clientId: idp.clientId,
      idToken,
      audience,
      ...(resource ? { resource } : {}),
      ...(scope ? { scope } : {}),
    });
    const text = await response.text();
    const body = (() => {
      try {
        return JSON.parse(text) as {
          access_token?: unknown;
          issued_token_type?: unknown;
          error?: unknown;
          error_description?: unknown;
        };
      } catch {
        return undefined;
      }
    })();
    if (!response.ok || typeof body?.access_token !== 'string') {
      const why =
        typeof body?.error === 'string'
          ? `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}`
          : `HTTP ${response.status}`;
      throw run.fail(
        'token.id-jag',
        {
          code: 'token_failed',
          message: `The enterprise IdP refused the token exchange (${why}).`,
          hint: 'Check that the ID token is fresh, issued for this IdP client, and that the IdP allows this client to reach this authorization server.',
          expected: `200 with issued_token_type ${ID_JAG_TOKEN_TYPE}`,
          actual: why,
          specRef: 'RFC 8693 §2.2.2',
        },
        {
          checkMessage: `The enterprise IdP did not issue an ID-JAG (${why}).`,
          exchangeIds: call.exchangeIds,
        },
      );
    }
    idJag = body.access_token;
  } catch (err) {
    if (err instanceof FlowError) throw err;
    throw new FlowError({
      code: 'unreachable',
      message: `The enterprise IdP could not be reached: ${(err as Error).message}`,
    });
  }
  run.addSecret(idJag);
  judgeIdJag(run, idJag, {
    audience,
    resource,
    clientId: state.client.clientId,
    exchangeIds: call.exchangeIds,
  });
  return runJwtBearer({ ...state, secrets: { ...state.secrets, assertion: idJag } }, run);
}

/**
 * The user signed in at the enterprise IdP: redeem that code there (PKCE, public client) for the ID
 * token to exchange. The code, verifier and state are used once.
 * @see OpenID Connect Core §3.1.3; RFC 7636 §4.5; SEP-990 §3
 */
async function idTokenFromSignIn(state: StateAt<'token'>, run: StepRun): Promise<string> {
  const signIn = state.authorization.idpSignIn!;
  const { secrets } = state;
  if (!secrets.authorizationCode || !secrets.codeVerifier || !secrets.state) {
    throw new FlowError({
      code: 'invalid_state',
      message: 'There is no sign-in at the enterprise IdP waiting to be redeemed (it is used once).',
      hint: 'Start again and sign in at the IdP.',
    });
  }
  const idpAs = {
    issuer: signIn.issuer,
    token_endpoint: signIn.tokenEndpoint,
    authorization_response_iss_parameter_supported: signIn.issParameter,
    ...(signIn.idTokenAlgs ? { id_token_signing_alg_values_supported: signIn.idTokenAlgs } : {}),
  };
  const client: oauth.Client = { client_id: state.options.idp!.clientId, token_endpoint_auth_method: 'none' };
  const callback = new URLSearchParams({ code: secrets.authorizationCode, state: secrets.state });
  if (signIn.issParameter) callback.set('iss', signIn.issuer);
  const call = run.traced(
    `OpenID Connect Core §3.1.3 — the sign-in code for an ID token at the enterprise IdP (${signIn.issuer})`,
  );
  try {
    const tokens = await processAuthorizationCodeResponse(
      idpAs,
      client,
      await authorizationCodeGrantRequest({
        fetch: call.fetch,
        as: idpAs,
        client,
        clientAuth: clientAuthentication('none', undefined),
        callback,
        expectedState: secrets.state,
        redirectUri: state.authorization.redirectUri,
        codeVerifier: secrets.codeVerifier,
      }),
    );
    run.addSecret(tokens.access_token);
    run.addSecret(tokens.id_token);
    if (!tokens.id_token) throw new Error('the IdP answered without an id_token (was scope openid granted?)');
    return tokens.id_token;
  } catch (err) {
    throw refusedGrant(
      run,
      err,
      call.exchangeIds,
      'OpenID Connect Core §3.1.3.3',
      () =>
        'The enterprise IdP did not give an ID token for the sign-in. Check the IdP client id and that it allows this redirect URI.',
    );
  }
}

/** The ID-JAG must name this authorization server, this MCP server and this client. */
function judgeIdJag(
  run: StepRun,
  idJag: string,
  expected: { audience: string; resource?: string; clientId: string; exchangeIds: string[] },
): void {
  const claims = decodeJwtPayloadUnverified(idJag);
  if (!claims) {
    run.check('token.id-jag', 'fail', 'The IdP answered, but the ID-JAG is not a JWT.', {
      expected: 'a JWT (typ oauth-id-jag+jwt)',
      actual: 'not a JWT',
      exchangeIds: expected.exchangeIds,
    });
    return;
  }
  const aud = audienceList(claims.aud);
  const problems = [
    !aud.includes(expected.audience)
      ? `aud is ${JSON.stringify(claims.aud)}, not this authorization server (${expected.audience})`
      : undefined,
    expected.resource && claims.resource !== expected.resource
      ? `resource is ${JSON.stringify(claims.resource)}, not ${expected.resource}`
      : undefined,
    claims.client_id !== undefined && claims.client_id !== expected.clientId
      ? `client_id is ${JSON.stringify(claims.client_id)}, not ${expected.clientId}`
      : undefined,
  ].filter(Boolean);
  run.check(
    'token.id-jag',
    problems.length ? 'fail' : 'pass',
    problems.length
      ? `The ID-JAG is addressed wrongly: ${problems.join('; ')}. An authorization server must refuse it (decoded without verifying).`
      : `The IdP issued an ID-JAG for this authorization server (aud ${expected.audience})${expected.resource ? ` and resource ${expected.resource}` : ''}${claims.client_id ? `, client_id ${String(claims.client_id)}` : ''}.`,
    {
      expected: `aud ${expected.audience}${expected.resource ? `, resource ${expected.resource}` : ''}`,
      actual: `aud ${JSON.stringify(claims.aud)}, resource ${JSON.stringify(claims.resource)}`,
      exchangeIds: expected.exchangeIds,
    },
  );
}

/** The client as oauth4webapi takes it: its id, and how it authenticates at the token endpoint. */
export function oauthClientOf(
  client: Pick<ClientInfo, 'clientId' | 'tokenEndpointAuthMethod'>,
): oauth.Client {
  return { client_id: client.clientId, token_endpoint_auth_method: client.tokenEndpointAuthMethod };
}

/** The client authentication its registration calls for: a secret, a signed assertion, or none. */
export async function clientAuthFor(
  state: Pick<StateAt<'token'>, 'client' | 'secrets' | 'options'>,
): Promise<oauth.ClientAuth> {
  const method = state.client.tokenEndpointAuthMethod;
  try {
    return method === 'private_key_jwt'
      ? await privateKeyJwtAuthentication(
          state.secrets.clientPrivateKey ?? '',
          state.options.clientAssertionAlg,
        )
      : clientAuthentication(method, state.secrets.clientSecret);
  } catch (err) {
    throw new FlowError({
      code: 'invalid_options',
      message: `The client's credentials cannot be used: ${(err as Error).message}.`,
      hint:
        method === 'private_key_jwt'
          ? 'Give the private key as PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----") and the matching algorithm.'
          : 'Check the client secret and the token endpoint auth method.',
    });
  }
}

/** A token request the authorization server refused: token.exchange fails with what to do. */
function refusedGrant(
  run: StepRun,
  err: unknown,
  exchangeIds: string[],
  specRef: string,
  grantHint: (oauthError: string | undefined) => string | undefined,
): FlowError {
  const d = describeOAuthError(err, 'The token endpoint');
  const hint =
    grantHint(d.oauthError) ??
    (d.oauthError && TOKEN_ERROR_HINTS[d.oauthError]) ??
    'See the token request for the authorization server’s answer.';
  run.check('token.exchange', 'fail', `${d.message}.`, {
    expected: '200 with access_token and token_type Bearer',
    actual: d.actual ?? d.message,
    exchangeIds,
  });
  return oauthFlowError(d, 'token_failed', { hint, expected: '200 with an access token', specRef }, err);
}

/**
 * A grant without a browser that was answered: the tokens become secrets, the response is judged
 * like any token response, and the walkthrough goes on to the MCP session.
 */
function acceptedGrant(
  state: StateAt<'token'>,
  run: StepRun,
  tokens: oauth.TokenEndpointResponse,
  exchangeIds: string[],
  dpop?: { keys: DpopKeys; jkt: string },
): FlowState {
  const now = run.now();
  run.addSecret(tokens.access_token);
  run.addSecret(tokens.refresh_token);
  const token = judgeTokenResponse(run, tokens, {
    resource: state.authorization.resource,
    requestedScope: state.authorization.scope,
    exchangeIds,
    now,
    exchangeCheck: 'token.exchange',
    ...(dpop ? { dpopJkt: dpop.jkt } : {}),
  });
  run.fact('token', { ...token });
  const expiresIn = tokens.expires_in;
  return {
    ...state,
    step: 'mcp-init',
    token,
    secrets: {
      ...state.secrets,
      ...(dpop ? { dpopKeys: dpop.keys, dpopBound: tokens.token_type === 'dpop' } : {}),
      accessToken: tokens.access_token,
      ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
      ...(expiresIn !== undefined ? { accessTokenExpiresAt: now + expiresIn * 1000 } : {}),
    },
  };
}
