import type * as oauth from 'oauth4webapi';
import { dpopHandle, dpopThumbprint } from '../../oauth/dpop';
import { describeOAuthError } from '../../oauth/errors';
import { processRefreshTokenResponse, refreshTokenGrantRequest } from '../../oauth/token';
import { toFlowErrorInfo } from '../errors';
import type { SignedIn, TokenInfo } from '../state';
import { type FlowContext, orderedRecord, StepRun, upsertRecord } from '../step-run';
import type { FlowErrorInfo, FlowSecrets } from '../types';
import { clientAuthFor, judgeTokenResponse, oauthClientOf, withDpopNonce } from './token';

type Connected = SignedIn;

/** Why the access token is refreshed: it is past its expiry, or the MCP server answered 401. */
export type RefreshReason = 'expired' | 'rejected';

export type RefreshOutcome =
  | { ok: true; state: Connected }
  | {
      ok: false;
      /** The flow with the failed exchange recorded; a refresh token the AS refused is dropped. */
      state: Connected;
      error: FlowErrorInfo;
      /** The AS said invalid_grant: the refresh token (and usually the grant) is gone. */
      grantGone: boolean;
    };

/** Refresh this long before the stated expiry, so a call does not race the clock. */
export const EXPIRY_SKEW_MS = 10_000;

/** Whether the access token is past (or within seconds of) the expiry the token response stated. */
export function accessTokenExpired(secrets: FlowSecrets, now: number): boolean {
  return secrets.accessTokenExpiresAt !== undefined && now >= secrets.accessTokenExpiresAt - EXPIRY_SKEW_MS;
}

const PURPOSE: Record<RefreshReason, string> = {
  expired: 'the access token expired',
  rejected: 'the MCP server rejected the access token',
};

/**
 * Refreshes the access token with the stored refresh token, sending `resource` again, and keeps a
 * rotated refresh token. Recorded in the 'token' step with `token.refresh` and
 * `token.refresh-rotation`. Never throws: a refused refresh comes back as `ok: false`.
 * @see RFC 6749 §6; RFC 8707 §2.2; MCP 2025-11-25 §Token Theft (rotation for public clients)
 */
export async function refreshAccessToken(
  state: Connected,
  ctx: FlowContext,
  reason: RefreshReason,
): Promise<RefreshOutcome> {
  const existing = state.records.find((r) => r.id === 'token');
  const run = new StepRun('token', ctx, state.secrets, state.seq, existing);
  const done = (next: Connected): Connected => ({
    ...next,
    records: upsertRecord(next.records, orderedRecord(run.finish())),
    seq: run.nextSeq,
  });
  const refreshToken = state.secrets.refreshToken;
  if (!refreshToken) {
    return {
      ok: false,
      state,
      grantGone: false,
      error: {
        code: 'token_failed',
        message: 'There is no refresh token, so the session cannot be renewed.',
      },
    };
  }
  const as = state.authorizationServer.metadata;
  const client = oauthClientOf(state.client);
  const resource = state.token.resource;
  const call = run.traced(
    `RFC 6749 §6 — refresh: ${PURPOSE[reason]}${resource ? '; the RFC 8707 resource is sent again' : ''}`,
  );
  let tokens: oauth.TokenEndpointResponse;
  try {
    const clientAuth = await clientAuthFor(state);
    const dpop = state.secrets.dpopKeys ? await dpopHandle(state.secrets.dpopKeys) : undefined;
    const send = async () =>
      processRefreshTokenResponse(
        as,
        client,
        await refreshTokenGrantRequest({
          fetch: call.fetch,
          as,
          client,
          clientAuth,
          refreshToken,
          resource,
          ...(dpop ? { dpop } : {}),
        }),
      );
    // A DPoP-bound refresh token is refreshed with a proof, and once more with the AS's nonce (RFC 9449 §8).
    tokens = await withDpopNonce(dpop, send);
  } catch (err) {
    const d = describeOAuthError(err, 'The token endpoint');
    const grantGone = d.oauthError === 'invalid_grant';
    const message = grantGone
      ? `${d.message}. The refresh token is no longer valid (revoked, expired or already used), so only signing in again helps.`
      : `${d.message}.`;
    // invalid_grant is what a correct AS answers for a revoked grant, so it is not held against the AS.
    run.check('token.refresh', grantGone ? 'warn' : 'fail', message, {
      expected: '200 with a new access token',
      actual: d.actual ?? d.message,
      exchangeIds: call.exchangeIds,
    });
    const { refreshToken: _spent, ...rest } = state.secrets;
    const next: Connected = grantGone
      ? { ...state, secrets: rest, token: { ...state.token, hasRefreshToken: false } }
      : state;
    return {
      ok: false,
      state: done(next),
      grantGone,
      error: {
        code: 'token_failed',
        message: `Refreshing the access token failed: ${message}`,
        ...(d.actual ? { actual: d.actual } : {}),
        expected: '200 with a new access token',
        specRef: 'RFC 6749 §6, §5.2',
      },
    };
  }

  run.addSecret(tokens.access_token);
  run.addSecret(tokens.refresh_token);
  run.addSecret(tokens.id_token);
  const now = run.now();
  const ids = call.exchangeIds;
  let judged: TokenInfo;
  try {
    judged = judgeTokenResponse(run, tokens, {
      exchangeCheck: 'token.refresh',
      resource,
      requestedScope: state.token.scopeRequested,
      previousScope: state.token.scope,
      exchangeIds: ids,
      now,
      ...(state.secrets.dpopKeys ? { dpopJkt: await dpopThumbprint(state.secrets.dpopKeys) } : {}),
    });
  } catch (err) {
    return { ok: false, state: done(state), grantGone: false, error: toFlowErrorInfo(err) };
  }

  const rotated = Boolean(tokens.refresh_token) && tokens.refresh_token !== refreshToken;
  const isPublic = (state.client.tokenEndpointAuthMethod ?? 'none') === 'none';
  if (rotated) {
    run.check(
      'token.refresh-rotation',
      'pass',
      'A new refresh token came back and replaced the old one (rotation): a stolen refresh token stops working once the real client uses it.',
      { exchangeIds: ids },
    );
  } else {
    const what = tokens.refresh_token
      ? 'The same refresh token came back'
      : 'No new refresh token came back, so the old one stays valid (RFC 6749 §6)';
    run.check(
      'token.refresh-rotation',
      isPublic ? 'fail' : 'warn',
      isPublic
        ? `${what}. For public clients the authorization server MUST rotate refresh tokens (or bind them to the client).`
        : `${what}. Rotation is recommended; this client is confidential, so the refresh token is also bound to its credentials.`,
      {
        expected: 'a new refresh_token',
        actual: tokens.refresh_token ? 'the same value' : '(absent)',
        exchangeIds: ids,
      },
    );
  }

  const token: TokenInfo = {
    ...judged,
    hasRefreshToken: true,
    refreshCount: (state.token.refreshCount ?? 0) + 1,
    refreshRotated: rotated,
  };
  const refreshes = Array.isArray(run.record.facts?.refreshes)
    ? (run.record.facts.refreshes as unknown[])
    : [];
  run.fact('token', { ...token });
  run.fact('refreshes', [...refreshes, { at: now, reason: PURPOSE[reason], rotated, exchangeIds: ids }]);

  const { accessTokenExpiresAt: _old, ...kept } = state.secrets;
  const secrets: FlowSecrets = {
    ...kept,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? refreshToken,
    ...(state.secrets.dpopKeys ? { dpopBound: tokens.token_type === 'dpop' } : {}),
    ...(tokens.id_token ? { idToken: tokens.id_token } : {}),
    ...(tokens.expires_in !== undefined ? { accessTokenExpiresAt: now + tokens.expires_in * 1000 } : {}),
  };
  return { ok: true, state: done({ ...state, token, secrets }) };
}
