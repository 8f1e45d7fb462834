import { withPurpose } from '../http/traced-fetch';
import { describeOAuthError } from '../oauth/errors';
import { processRevocationResponse, revocationRequest, type TokenTypeHint } from '../oauth/revocation';
import { requireOAuth } from './access';
import type { DisconnectInfo, FlowState, SignedIn, StateAt } from './state';
import { type FlowContext, orderedRecord, StepRun, upsertRecord } from './step-run';
import { clientAuthFor, oauthClientOf } from './steps/token';
import { FlowError, type FlowSecrets, type StepRecord } from './types';

export interface TokenRevocation {
  hint: TokenTypeHint;
  ok: boolean;
  /** What the AS answered, e.g. "200" or "400 unsupported_token_type". */
  detail: string;
  exchangeIds: string[];
}

export interface RevocationResult {
  outcome: DisconnectInfo['revocation'];
  tokens: TokenRevocation[];
  /** One sentence for the trace and the banner. */
  message: string;
  exchangeIds: string[];
}

/**
 * Revokes the session's tokens at the authorization server: the refresh token first (which SHOULD
 * also invalidate the grant's access tokens), then the access token. Records the exchanges in
 * `run`; judges nothing, so the caller decides what the outcome means.
 * @see RFC 7009 §2.1, §2.2
 */
export async function revokeTokens(
  run: StepRun,
  input: Pick<SignedIn, 'authorizationServer' | 'client' | 'secrets' | 'options'>,
): Promise<RevocationResult> {
  const as = input.authorizationServer.metadata;
  if (!as.revocation_endpoint) {
    return {
      outcome: 'no-endpoint',
      tokens: [],
      exchangeIds: [],
      message:
        'The authorization server publishes no revocation_endpoint, so the tokens were only deleted from the inspector; they stay valid until they expire.',
    };
  }
  const client = oauthClientOf(input.client);
  const toRevoke: Array<[TokenTypeHint, string | undefined]> = [
    ['refresh_token', input.secrets.refreshToken],
    ['access_token', input.secrets.accessToken],
  ];
  const tokens: TokenRevocation[] = [];
  for (const [hint, token] of toRevoke) {
    if (!token) continue;
    const call = run.traced(
      `RFC 7009 §2.1 — revoke the ${hint === 'refresh_token' ? 'refresh' : 'access'} token`,
    );
    try {
      // The client authenticates as at the token endpoint: a secret, or a fresh private_key_jwt assertion.
      const clientAuth = await clientAuthFor(input);
      const response = await revocationRequest({
        fetch: call.fetch,
        as,
        client,
        clientAuth,
        token,
        tokenTypeHint: hint,
      });
      await processRevocationResponse(response);
      tokens.push({ hint, ok: true, detail: '200', exchangeIds: call.exchangeIds });
    } catch (err) {
      const d = describeOAuthError(err, 'The revocation endpoint');
      tokens.push({ hint, ok: false, detail: d.actual ?? d.message, exchangeIds: call.exchangeIds });
    }
  }
  const exchangeIds = tokens.flatMap((t) => t.exchangeIds);
  const refresh = tokens.find((t) => t.hint === 'refresh_token');
  const access = tokens.find((t) => t.hint === 'access_token');
  const name = (t: TokenRevocation) => (t.hint === 'refresh_token' ? 'refresh token' : 'access token');
  const failedOnes = tokens.filter((t) => !t.ok);
  // Revoking the refresh token ends the grant (RFC 7009 §2.1), so an AS that cannot revoke a
  // self-contained access token (unsupported_token_type) still ended the session.
  const revoked = refresh ? refresh.ok : Boolean(access?.ok);
  const message = revoked
    ? `The authorization server accepted the revocation of the ${tokens
        .filter((t) => t.ok)
        .map(name)
        .join(
          ' and ',
        )}${failedOnes.length ? `; the ${failedOnes.map(name).join(' and ')} answered ${failedOnes.map((t) => t.detail).join(', ')}` : ''}.`
    : tokens.length === 0
      ? 'There was no token left to revoke.'
      : `The authorization server did not revoke the ${failedOnes.map(name).join(' and ')} (${failedOnes.map((t) => t.detail).join(', ')}).`;
  return { outcome: revoked || tokens.length === 0 ? 'revoked' : 'failed', tokens, message, exchangeIds };
}

/** Secrets that outlive a session: the client's own credentials, not the user's tokens. */
export function withoutTokens(secrets: FlowSecrets): FlowSecrets {
  return {
    ...(secrets.clientSecret ? { clientSecret: secrets.clientSecret } : {}),
    ...(secrets.registrationAccessToken ? { registrationAccessToken: secrets.registrationAccessToken } : {}),
  };
}

/**
 * Ends the MCP session (HTTP DELETE with its Mcp-Session-Id, which servers MAY refuse with 405).
 * Recorded in the 'mcp-init' record. Failures are reported, never thrown.
 * @see MCP 2025-11-25 §Transports (Session Management)
 */
async function endMcpSession(state: SignedIn, ctx: FlowContext): Promise<FlowState> {
  const sessionId = state.mcp.sessionId;
  const token = state.secrets.accessToken;
  if (!sessionId || !token) return state;
  const existing = state.records.find((r) => r.id === 'mcp-init');
  const run = new StepRun('mcp-init', ctx, state.secrets, state.seq, existing);
  const call = run.tracedRaw();
  let outcome: string;
  try {
    const response = await call.fetch(
      state.options.serverUrl,
      withPurpose(
        {
          method: 'DELETE',
          headers: {
            authorization: `Bearer ${token}`,
            'mcp-session-id': sessionId,
            'mcp-protocol-version': state.mcp.protocolVersion ?? state.options.specVersion,
          },
        },
        'MCP §Session Management — end the session (DELETE with Mcp-Session-Id)',
      ),
    );
    await response.body?.cancel();
    outcome =
      response.status === 405
        ? 'the server does not let clients end sessions (405)'
        : `HTTP ${response.status}`;
  } catch (err) {
    outcome = `not reached: ${(err as Error).message}`;
  }
  run.fact('sessionEnded', outcome);
  const record: StepRecord = orderedRecord(run.finish({ status: existing?.status ?? 'passed' }));
  if (existing?.durationMs !== undefined) record.durationMs = existing.durationMs;
  return { ...state, records: upsertRecord(state.records, record), seq: run.nextSeq };
}

/**
 * What survives losing the tokens: the server, its discovery, the authorization server and the client
 * registration (and the trace). Undefined when the flow never registered a client.
 */
export function keptRegistration(state: FlowState) {
  const s = state as FlowState & Partial<SignedIn>;
  if (!s.probe || !s.resource || !s.authorizationServer || !s.client) return undefined;
  return {
    options: state.options,
    records: state.records,
    secrets: withoutTokens(state.secrets),
    seq: state.seq,
    probe: s.probe,
    resource: s.resource,
    authorizationServer: s.authorizationServer,
    client: s.client,
  };
}

/** The flow after the tokens are gone: same server and client, ready to `reconnect`. */
export function disconnectedState(state: FlowState, info: DisconnectInfo): StateAt<'disconnected'> {
  const s = state as FlowState & Partial<SignedIn>;
  const kept = keptRegistration(state);
  if (!kept) {
    throw new FlowError({ code: 'invalid_state', message: 'There is no client registration to keep.' });
  }
  return {
    step: 'disconnected',
    ...kept,
    disconnected: info,
    recovery: {
      action: 'reconnect',
      reason: 'disconnected',
      message: `${info.message} Reconnect signs in again with the same client registration.`,
      ...(s.authorization?.scope ? { scope: s.authorization.scope } : {}),
      attempts: 0,
    },
  };
}

/**
 * Disconnects: ends the MCP session, revokes the tokens at the authorization server when it has a
 * revocation endpoint, and deletes them from the session. The trace shows each request, and
 * `token.revocation` judges the outcome. Only when connected (throws FlowError 'invalid_state').
 * @see RFC 7009 §2.1; MCP 2025-11-25 §Transports (Session Management)
 */
export async function disconnect(state: FlowState, ctx: FlowContext): Promise<FlowState> {
  if (state.step !== 'connected') {
    throw new FlowError({
      code: 'invalid_state',
      message: `Only a connected session can be disconnected; the flow is at '${state.step}'.`,
    });
  }
  const ended = (await endMcpSession(requireOAuth(state, 'Disconnecting'), ctx)) as SignedIn;
  const existing = ended.records.find((r) => r.id === 'token');
  const run = new StepRun('token', ctx, ended.secrets, ended.seq, existing);
  const result = await revokeTokens(run, ended);
  if (result.outcome === 'no-endpoint') {
    run.check('token.revocation', 'warn', result.message, {
      expected: 'revocation_endpoint',
      actual: '(absent)',
    });
  } else {
    run.check(
      'token.revocation',
      result.outcome === 'revoked' ? 'pass' : 'fail',
      result.outcome === 'revoked'
        ? result.message
        : `${result.message} The tokens were deleted from the inspector anyway.`,
      {
        expected: '200 from the revocation endpoint',
        actual: result.tokens.map((t) => `${t.hint}: ${t.detail}`).join('; '),
        exchangeIds: result.exchangeIds,
      },
    );
  }
  const now = run.now();
  run.fact('disconnected', { at: now, revocation: result.outcome });
  const next = {
    ...ended,
    records: upsertRecord(ended.records, orderedRecord(run.finish())),
    seq: run.nextSeq,
  };
  return disconnectedState(next, {
    at: now,
    by: 'user',
    revocation: result.outcome,
    message:
      result.outcome === 'no-endpoint'
        ? result.message
        : `Disconnected. ${result.message}${result.outcome === 'failed' ? ' The tokens were deleted from the inspector anyway.' : ''}`,
  });
}
