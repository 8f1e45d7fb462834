/**
 * The audit's audience rows: does the authorization server issue tokens for a resource it does not
 * know, and does the MCP server refuse a token issued for another resource?
 *
 * One extra authorization names a made-up resource alone (never two at once: some authorization
 * servers refuse several). The connected session stays in the state throughout (its tokens, its MCP
 * session, its tools), and every outcome returns to it: the test never costs the user their session.
 *
 * | The authorization server…          | audit.audience-as-restricted | audit.audience-restricted (the MCP server) |
 * | ---------------------------------- | ---------------------------- | ------------------------------------------ |
 * | refuses with invalid_target        | pass                         | skip: not testable with this AS            |
 * | issues a token for that resource   | pass                         | pass on 401, fail when accepted            |
 * | issues a token for this server     | warn (ignores resource)      | skip: the token is meant for this server   |
 * | issues one whose aud is unreadable | skip                         | pass on 401, warn when accepted            |
 * | answers another error              | skip (quoted)                | skip                                       |
 * @see MCP 2025-11-25 §Access Token Privilege Restriction; RFC 8707 §2; RFC 9068 §4
 */
import type * as oauth from 'oauth4webapi';
import { redactValue } from '../../http/redact';
import {
  buildAuthorizationUrl,
  generatePkce,
  generateState,
  readCallbackParams,
} from '../../oauth/authorization';
import { dpopHandle } from '../../oauth/dpop';
import { describeOAuthError } from '../../oauth/errors';
import { audienceList, decodeJwtPayloadUnverified } from '../../oauth/jwt';
import {
  authorizationCodeGrantRequest,
  clientCredentialsGrantRequest,
  processAuthorizationCodeResponse,
  processTokenResponse,
} from '../../oauth/token';
import { type Connected, requireOAuth } from '../access';
import { probeAudienceFor } from '../recovery';
import type { FlowState, StateAt } from '../state';
import { type FlowContext, orderedRecord, StepRun, upsertRecord } from '../step-run';
import { clientAuthFor, oauthClientOf, withDpopNonce } from '../steps/token';
import { FlowError, type FlowSecrets } from '../types';
import { judgeRejection } from './judge';
import { accepted, auditRequest, presentToken, protectedTarget, rawRequest, shownStatus } from './raw';

type Waiting = StateAt<'awaiting-callback'>;

/** The made-up resource the audience test asks for; nothing is served there. */
export { probeAudienceFor };

function withoutAuthorizationSecrets(secrets: FlowSecrets): FlowSecrets {
  const { codeVerifier: _v, state: _s, authorizationCode: _c, ...rest } = secrets;
  return rest;
}

/**
 * The audience test, first half: an authorization request for the made-up resource alone, with the
 * session's client and scope, a fresh PKCE verifier and state. Returns 'awaiting-callback' with the
 * connected session kept in the state; `handleCallback` then calls `finishAudienceTest`.
 * @see RFC 8707 §2; RFC 6749 §4.1.1; RFC 7636 §4.3
 */
export async function beginAudienceTest(state: FlowState, ctx: FlowContext): Promise<FlowState> {
  if (state.step !== 'connected') {
    throw new FlowError({
      code: 'invalid_state',
      message: `The audience test runs on a connected session; the flow is at '${state.step}'.`,
    });
  }
  const s = requireOAuth(state, 'The audience test');
  const audience = probeAudienceFor(s.options.serverUrl);
  const grant = s.authorization.grant;
  if (grant) return audienceWithoutBrowser(s as Connected, ctx, audience, grant);
  const pkce = await generatePkce();
  const stateValue = generateState();
  const scope = s.authorization.scope;
  const { url } = buildAuthorizationUrl({
    authorizationEndpoint: s.authorizationServer.metadata.authorization_endpoint!,
    clientId: s.client.clientId,
    redirectUri: s.authorization.redirectUri,
    codeChallenge: pkce.codeChallenge,
    state: stateValue,
    ...(scope ? { scope } : {}),
    resource: audience,
  });
  const { recovery: _r, resumed: _d, ...rest } = s;
  const waiting = {
    ...rest,
    step: 'awaiting-callback',
    audienceTest: { audience, previous: s.authorization },
    authorization: {
      url,
      redirectUri: s.authorization.redirectUri,
      ...(scope ? { scope } : {}),
      scopeSource: 'option',
      resource: audience,
      createdAt: (ctx.now ?? Date.now)(),
    },
    reauth: {
      action: 'reconnect',
      reason: 'audit',
      message: `The access audit signs in once more, asking for a token for ${audience} alone, a resource that does not exist. Your session stays as it is.`,
      ...(scope ? { scope } : {}),
      attempts: 0,
      operation: { kind: 'audience-probe', audience },
      probeAudience: audience,
    },
    secrets: { ...s.secrets, codeVerifier: pkce.codeVerifier, state: stateValue },
  } as Waiting;
  return waiting;
}

/**
 * The audience test on a route without a browser. Client credentials: one more token request for the
 * made-up resource alone, then the same judging as after a sign-in. A JWT bearer assertion (a
 * workload's, an ID-JAG) was presented once already: a token for another resource would need a new
 * assertion, which only the workload's platform or the IdP can give, so both rows say so.
 * @see RFC 6749 §4.4.2; RFC 8707 §2; RFC 7523 §3 (7)
 */
async function audienceWithoutBrowser(
  s: Connected,
  ctx: FlowContext,
  audience: string,
  grant: NonNullable<Connected['authorization']['grant']>,
): Promise<FlowState> {
  const existing = s.records.find((r) => r.id === 'tools');
  const run = new StepRun('tools', ctx, s.secrets, s.seq, existing);
  const back = (): FlowState => ({
    ...s,
    records: upsertRecord(s.records, orderedRecord(run.finish())),
    seq: run.nextSeq,
  });
  if (grant !== 'client_credentials') {
    const source = grant === 'id_jag' ? 'the IdP (a new ID-JAG)' : 'the workload’s platform';
    const why = `Not testable on the ${grant === 'id_jag' ? 'enterprise-managed (ID-JAG)' : 'JWT bearer'} route: the token step presented its assertion already, and a token for another resource would need a new assertion from ${source}.`;
    asRow(run, 'skip', why);
    rsRow(run, 'skip', why);
    return back();
  }
  const md = s.authorizationServer.metadata;
  const client = oauthClientOf(s.client);
  const scope = s.authorization.scope;
  const call = run.traced(
    `Audit (RFC 8707 §2) — client credentials grant for the made-up resource ${audience} alone`,
  );
  let tokens: oauth.TokenEndpointResponse;
  try {
    const dpop = await sessionDpop(s);
    const clientAuth = await clientAuthFor(s);
    tokens = await withDpopNonce(dpop, async () =>
      processTokenResponse(
        md,
        client,
        await clientCredentialsGrantRequest({
          fetch: call.fetch,
          as: md,
          client,
          clientAuth,
          ...(scope ? { scope } : {}),
          resource: audience,
          ...(dpop ? { dpop } : {}),
        }),
      ),
    );
  } catch (err) {
    refusedRequest(run, audience, err, call.exchangeIds);
    return back();
  }
  await judgeForeignToken(run, s, audience, tokens, call.exchangeIds);
  return back();
}

/** Whether this waiting flow is the audience test's (and not a sign-in of the walkthrough). */
export function isAudienceTest(
  state: FlowState,
): state is Waiting & { audienceTest: NonNullable<Waiting['audienceTest']> } {
  return state.step === 'awaiting-callback' && state.audienceTest !== undefined;
}

/** Back to the connected session the test started from, with the test's checks recorded. */
function restore(state: Waiting, run: StepRun): Connected {
  const { audienceTest, reauth: _reauth, ...rest } = state;
  return {
    ...rest,
    step: 'connected',
    authorization: audienceTest!.previous,
    secrets: withoutAuthorizationSecrets(state.secrets),
    records: upsertRecord(state.records, orderedRecord(run.finish())),
    seq: run.nextSeq,
  } as unknown as Connected;
}

function asRow(run: StepRun, status: 'pass' | 'warn' | 'skip', message: string, exchangeIds: string[] = []) {
  run.check('audit.audience-as-restricted', status, message, { exchangeIds });
}

function rsRow(
  run: StepRun,
  status: 'pass' | 'warn' | 'fail' | 'skip',
  message: string,
  extras: { expected?: string; actual?: string; exchangeIds?: string[] } = {},
) {
  run.check('audit.audience-restricted', status, message, extras);
}

/** The authorization server refused the made-up resource: it restricts audiences, and the MCP server's own check stays untested. */
function refusedTarget(
  run: StepRun,
  audience: string,
  where: string,
  description: string | undefined,
  ids: string[],
) {
  asRow(
    run,
    'pass',
    `The authorization server refused a token for ${audience}, a resource it does not know, with invalid_target at the ${where}${description ? ` (“${description}”)` : ''}: it restricts audiences (RFC 8707 §2).`,
    ids,
  );
  rsRow(
    run,
    'skip',
    'Not testable with this authorization server: it issues no token for another resource, so there is no foreign token to send. Whether the MCP server itself checks aud could not be tested; with this authorization server a foreign-audience token cannot reach it.',
    { exchangeIds: ids },
  );
}

/** The session's DPoP key as a handle for the test's token request: the foreign token is bound as the session's is. */
async function sessionDpop(s: { secrets: FlowSecrets }): Promise<oauth.DPoPHandle | undefined> {
  return s.secrets.dpopKeys ? dpopHandle(s.secrets.dpopKeys) : undefined;
}

/** The token request for the made-up resource failed: invalid_target is the authorization server restricting audiences. */
function refusedRequest(run: StepRun, audience: string, err: unknown, exchangeIds: string[]): void {
  const d = describeOAuthError(err, 'The token endpoint');
  if (d.oauthError === 'invalid_target') {
    refusedTarget(run, audience, 'token endpoint', d.errorDescription, exchangeIds);
    return;
  }
  asRow(
    run,
    'skip',
    `Not testable: the token endpoint answered ${d.actual ?? d.message} rather than a token or invalid_target.`,
    exchangeIds,
  );
  rsRow(run, 'skip', 'Not testable: no token for another resource was issued.', { exchangeIds });
}

/**
 * The audience test, second half: reads the authorization response (the session's own flow is not
 * touched), exchanges the code for the made-up resource, and sends that token to the MCP server once.
 * Every branch returns the connected session the test started from.
 * @see RFC 6749 §4.1.2, §4.1.2.1; RFC 8707 §2; RFC 9207 §2.4; MCP 2025-11-25 §Access Token Privilege Restriction
 */
export async function finishAudienceTest(
  state: Waiting,
  callbackUrl: URL | URLSearchParams,
  ctx: FlowContext,
): Promise<FlowState> {
  const audience = state.audienceTest!.audience;
  const existing = state.records.find((r) => r.id === 'tools');
  const run = new StepRun('tools', ctx, state.secrets, state.seq, existing);
  const params = readCallbackParams(callbackUrl);
  run.addSecret(params.code);
  const issuer = state.authorizationServer.issuer;
  const md = state.authorizationServer.metadata;

  // A response that is not ours (or that names another issuer) is not used, and judges nothing.
  if (params.state !== state.secrets.state && !(params.state === undefined && params.error)) {
    asRow(
      run,
      'skip',
      'Not testable: the authorization response did not carry this request’s state, so it was not used.',
    );
    rsRow(
      run,
      'skip',
      'Not testable: the authorization response for the audience test was not used (state mismatch).',
    );
    return restore(state, run);
  }
  if (
    params.iss !== undefined
      ? params.iss !== issuer
      : md.authorization_response_iss_parameter_supported === true
  ) {
    const why = `iss is ${params.iss ?? '(absent)'}, expected ${issuer}`;
    asRow(
      run,
      'skip',
      `Not testable: the authorization response failed the mix-up check (${why}), so it was not used.`,
    );
    rsRow(run, 'skip', 'Not testable: the authorization response for the audience test was not used.');
    return restore(state, run);
  }
  if (params.error) {
    const described = `${params.error}${params.errorDescription ? `: ${params.errorDescription}` : ''}`;
    if (params.error === 'invalid_target') {
      refusedTarget(run, audience, 'authorization endpoint', params.errorDescription, []);
    } else {
      const noState =
        params.state === undefined
          ? ' (the response also lacked state, which RFC 6749 §4.1.2.1 requires)'
          : '';
      asRow(
        run,
        'skip',
        `Not testable: the authorization server answered ${described}${noState} rather than a code or invalid_target, so how it treats another resource is unknown.`,
      );
      rsRow(run, 'skip', `Not testable: no token for another resource was issued (${params.error}).`);
    }
    return restore(state, run);
  }
  if (!params.code) {
    asRow(run, 'skip', 'Not testable: the authorization response had neither a code nor an error.');
    rsRow(run, 'skip', 'Not testable: no token for another resource was issued.');
    return restore(state, run);
  }

  const client = oauthClientOf(state.client);
  const callback = new URLSearchParams({ code: params.code, state: state.secrets.state ?? '' });
  if (params.iss !== undefined) callback.set('iss', params.iss);
  const call = run.traced(
    `Audit (RFC 8707 §2) — authorization code grant for the made-up resource ${audience} alone`,
  );
  let tokens: oauth.TokenEndpointResponse;
  try {
    const dpop = await sessionDpop(state);
    const clientAuth = await clientAuthFor(state);
    // A code is used once: a use_dpop_nonce answer (the code not yet spent) is the one retry.
    tokens = await withDpopNonce(dpop, async () =>
      processAuthorizationCodeResponse(
        md,
        client,
        await authorizationCodeGrantRequest({
          fetch: call.fetch,
          as: md,
          client,
          clientAuth,
          callback,
          expectedState: state.secrets.state ?? '',
          redirectUri: state.authorization.redirectUri,
          codeVerifier: state.secrets.codeVerifier ?? '',
          resource: audience,
          ...(dpop ? { dpop } : {}),
        }),
      ),
    );
  } catch (err) {
    refusedRequest(run, audience, err, call.exchangeIds);
    return restore(state, run);
  }
  await judgeForeignToken(run, state as unknown as Connected, audience, tokens, call.exchangeIds);
  return restore(state, run);
}

/**
 * A token the authorization server issued when asked for the made-up resource alone: what its aud
 * says (the authorization server's row), then the MCP server's answer to it (the server's row).
 */
async function judgeForeignToken(
  run: StepRun,
  s: Connected,
  audience: string,
  tokens: oauth.TokenEndpointResponse,
  exchangeIds: string[],
): Promise<void> {
  run.addSecret(tokens.access_token);
  run.addSecret(tokens.refresh_token);
  run.addSecret(tokens.id_token);

  const payload = decodeJwtPayloadUnverified(tokens.access_token);
  const aud = audienceList(payload?.aud);
  const base = s.token.resource ?? s.options.serverUrl;
  const ids = [...exchangeIds];
  const unreadable = payload ? 'a JWT without an aud claim' : 'an opaque token (its audience cannot be read)';
  if (aud.includes(base)) {
    asRow(
      run,
      'warn',
      `Asked for a token for ${audience} alone, the authorization server issued one for this server (aud ${aud.join(', ')}): it does not honour the resource parameter (RFC 8707 §2: it SHOULD restrict the token to the resource asked for).`,
      ids,
    );
    rsRow(
      run,
      'skip',
      `Not testable: the authorization server issued a token for this server (aud ${aud.join(', ')}) instead of one for ${audience}, so there is no foreign token to send.`,
      {
        actual: aud.join(' '),
        exchangeIds: ids,
      },
    );
    return;
  }
  if (aud.length) {
    asRow(
      run,
      'pass',
      `Asked for ${audience} alone, the authorization server issued a token with aud ${aud.join(', ')}.`,
      ids,
    );
  } else {
    asRow(
      run,
      'skip',
      `The authorization server issued ${unreadable} for ${audience}, so what it is restricted to cannot be read.`,
      ids,
    );
  }

  run.fact('audienceTest', { audience, token: redactValue(tokens.access_token), aud });

  // Presented as it was issued: DPoP-bound (token_type DPoP) with a proof from the session's key.
  const foreignBound = tokens.token_type.toLowerCase() === 'dpop';
  if (s.secrets.dpopBound && !foreignBound) {
    rsRow(
      run,
      'skip',
      `Not testable: this session's tokens are DPoP-bound, but the token issued for ${audience} is not (token_type ${tokens.token_type}), so a refusal could be the server requiring DPoP rather than checking the audience.`,
      { actual: `token_type ${tokens.token_type}`, exchangeIds: ids },
    );
    return;
  }
  const target = await protectedTarget(run, s);
  /** `token` presented as a token of this session would be, DPoP-bound with a proof or Bearer. */
  const presenting = (token: string, dpopBound: boolean) =>
    presentToken({ secrets: { ...s.secrets, dpopBound }, options: s.options }, token);
  if (foreignBound) {
    // The control: this session's own token, presented the same way (DPoP, a fresh proof), must work,
    // or a refusal of the foreign one would say nothing about the audience.
    const own = await rawRequest(
      run,
      'Audit — the same request with this session’s own DPoP-bound token and a fresh proof: the control for the foreign token that follows',
      s.options.serverUrl,
      auditRequest(target, await presenting(s.secrets.accessToken ?? '', true)),
    );
    if (!accepted(own)) {
      rsRow(
        run,
        'skip',
        `Not testable: this session's own token, presented with a DPoP proof as the foreign one would be, got ${shownStatus(own)}, so a refusal of the token for ${audience} would say nothing about the audience.`,
        { actual: shownStatus(own), exchangeIds: ids },
      );
      return;
    }
  }
  const answer = await rawRequest(
    run,
    `Audit (MCP §Access Token Privilege Restriction) — a request with a token issued for ${audience}; expect 401`,
    s.options.serverUrl,
    auditRequest(target, await presenting(tokens.access_token, foreignBound)),
  );
  const actual = `${shownStatus(answer)} for ${aud.length ? `aud ${aud.join(' ')}` : unreadable}`;
  judgeRejection(
    run,
    'audit.audience-restricted',
    answer,
    aud.length
      ? {
          accepted: `The server accepted a token issued for another resource (audience not checked): aud was ${aud.join(', ')}, not ${base}. Tokens meant for other services work here too.`,
          rejected: `A token issued for ${audience} got ${shownStatus(answer)}: the server checks that tokens were issued for it.`,
          otherwise: (shown) =>
            `A token issued for another resource was not accepted, but the answer was ${shown} rather than 401.`,
        }
      : {
          // The audience cannot be read, so acceptance may be the authorization server ignoring resource.
          acceptedStatus: 'warn',
          accepted: `The server accepted a token the authorization server issued when asked for ${audience}. It is ${unreadable}, so the inspector cannot tell whether it was restricted to that resource: if it was, the server does not check audiences.`,
          rejected: `A token issued for ${audience} got ${shownStatus(answer)}: the server refused a token it was not meant for.`,
          otherwise: (shown) =>
            `A token issued for another resource was not accepted, but the answer was ${shown} rather than 401.`,
        },
    { exchangeIds: ids, actual },
  );
}

/**
 * Gives up waiting for the audience test's authorization response (the browser never came back, or
 * the user cancelled): back to the connected session, the rows saying why they were not tested.
 */
export function cancelAudienceTest(state: FlowState, ctx: FlowContext, reason: string): FlowState {
  if (!isAudienceTest(state)) return state;
  const existing = state.records.find((r) => r.id === 'tools');
  const run = new StepRun('tools', ctx, state.secrets, state.seq, existing);
  asRow(run, 'skip', `Not tested: ${reason}`);
  rsRow(run, 'skip', `Not tested: ${reason}`);
  return restore(state, run);
}
