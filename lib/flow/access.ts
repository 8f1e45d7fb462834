import type { McpFailure } from '../mcp/client';
import { type AuthorizationServerChange, checkAuthorizationServer, migrationOffer } from './migration';
import { forbiddenOffer, MAX_STEP_UP_ATTEMPTS, reconnectOffer } from './recovery';
import type { FlowState, PendingOperation, RecoveryOffer, SignedIn, StateAt } from './state';
import type { FlowContext } from './step-run';
import { accessTokenExpired, refreshAccessToken } from './steps/refresh';
import { FlowError, type FlowErrorInfo, type StepId } from './types';

/** Connected through OAuth: a token, a client, an authorization server. */
export type Connected = SignedIn;
/** Connected, with or without OAuth (a server that needs no token is `unprotected`). */
export type AnyConnected = StateAt<'connected'>;

/** A server that answered without a token: no refresh, no reconnect, no audit of an access model. */
export function isUnprotected<S extends FlowState>(state: S): state is Extract<S, { unprotected: true }> {
  return (state as { unprotected?: unknown }).unprotected === true;
}

/** The OAuth session an operation needs; a server that requires no authorization has none. */
export function requireOAuth(state: AnyConnected, what: string): Connected {
  if (isUnprotected(state)) {
    throw new FlowError({
      code: 'invalid_state',
      message: `${what} needs a signed-in session, and this server answered without a token: it requires no authorization, so there is nothing of that kind to test.`,
    });
  }
  return state;
}

/** One try of an MCP operation. `failure` is set when the MCP server said no (or could not be reached). */
export interface Attempt<T, S extends AnyConnected = Connected> {
  state: S;
  value?: T;
  failure?: McpFailure;
  /** The failure as the flow reports it. */
  error?: FlowErrorInfo;
}

export interface AccessOutcome<T, S extends AnyConnected = Connected> extends Attempt<T, S> {
  /** A 401 remained and the resource now names another authorization server (SEP-2352). */
  asChange?: AuthorizationServerChange;
  /** Set when a 401 remained: whether refreshing was possible and what it gave. */
  refresh?: NonNullable<RecoveryOffer['refresh']>;
  refreshError?: string;
}

/** A connected state without the previous operation's offer or resumed result. */
export function freshConnected<S extends AnyConnected>(state: S): S {
  const { recovery: _recovery, resumed: _resumed, ...rest } = state;
  return rest as S;
}

/**
 * Runs an MCP operation with a usable access token: refreshes first when the token is past its
 * expiry, and after a 401 refreshes once and retries once. What that cannot fix comes back as the
 * outcome's `failure`, with what refreshing gave.
 * @see RFC 6749 §6; MCP 2025-11-25 §Error Handling
 */
export async function withAccess<T, S extends AnyConnected>(
  state: S,
  ctx: FlowContext,
  op: (state: S) => Promise<Attempt<T, S>>,
): Promise<AccessOutcome<T, S>> {
  const outcome = await refreshAndRetry(state, ctx, op);
  if (outcome.failure?.kind !== 'unauthorized' || isUnprotected(outcome.state)) return outcome;
  // A 401 that stays: did the resource move to another authorization server? (SEP-2352)
  const checked = await checkAuthorizationServer(outcome.state as Connected, ctx);
  return { ...outcome, state: checked.state as S, ...(checked.change ? { asChange: checked.change } : {}) };
}

async function refreshAndRetry<T, S extends AnyConnected>(
  state: S,
  ctx: FlowContext,
  op: (state: S) => Promise<Attempt<T, S>>,
): Promise<AccessOutcome<T, S>> {
  // Without a token there is nothing to refresh: the operation runs once, as it is.
  if (isUnprotected(state)) return op(state);
  let current = state;
  let refreshed = false;
  let refreshError: string | undefined;
  if (accessTokenExpired(current.secrets, (ctx.now ?? Date.now)()) && current.secrets.refreshToken) {
    const r = await refreshAccessToken(current as Connected, ctx, 'expired');
    current = r.state as S;
    if (r.ok) refreshed = true;
    else refreshError = r.error.actual ?? r.error.message;
  }
  const first = await op(current);
  if (first.failure?.kind !== 'unauthorized') return first;
  if (refreshed) return { ...first, refresh: 'did-not-help' };
  if (refreshError !== undefined) return { ...first, refresh: 'failed', refreshError };
  if (!first.state.secrets.refreshToken) return { ...first, refresh: 'not-possible' };
  const r = await refreshAccessToken(first.state as Connected, ctx, 'rejected');
  if (!r.ok)
    return {
      ...first,
      state: r.state as S,
      refresh: 'failed',
      refreshError: r.error.actual ?? r.error.message,
    };
  const second = await op(r.state as S);
  return second.failure?.kind === 'unauthorized' ? { ...second, refresh: 'did-not-help' } : second;
}

/** The flow after an unrecoverable failure in a connected session: the step's record shows the error. */
export function failedAt(
  state: AnyConnected,
  stepId: StepId,
  error: FlowErrorInfo,
  recovery?: RecoveryOffer,
): FlowState {
  const { step: _step, ...data } = state;
  const records = state.records.map((r) =>
    r.id === stepId ? { ...r, status: 'failed' as const, error } : r,
  );
  return {
    ...data,
    step: 'failed',
    error,
    failedStep: stepId,
    records,
    ...(recovery ? { recovery } : {}),
  };
}

/**
 * What an operation's outcome means for the flow. A 401 left after refreshing ends the session with
 * a reconnect offer; a 403 keeps it (other tools still work) with a step-up or reconnect offer.
 * Returns the error to show for the operation, with a hint that matches the offer.
 */
export function settleAccess<T, S extends AnyConnected>(
  outcome: AccessOutcome<T, S>,
  stepId: StepId,
  operation: PendingOperation | undefined,
  stepUpAttempts: number,
): { state: FlowState; error?: FlowErrorInfo } {
  const s: AnyConnected = outcome.state;
  const failure = outcome.failure;
  if (!failure || !outcome.error) return { state: s, ...(outcome.error ? { error: outcome.error } : {}) };
  if (isUnprotected(s)) return { state: s, error: outcome.error };
  if (failure.kind === 'unauthorized' && outcome.asChange) {
    const recovery = migrationOffer(outcome.asChange, {
      ...(s.authorization.scope ? { scope: s.authorization.scope } : {}),
      ...(operation ? { operation } : {}),
    });
    const error: FlowErrorInfo = { ...outcome.error, hint: recovery.message };
    return { state: failedAt(s, stepId, error, recovery), error };
  }
  if (failure.kind === 'unauthorized') {
    const recovery = reconnectOffer({
      challenge: failure.challenge,
      refresh: outcome.refresh ?? 'not-possible',
      refreshError: outcome.refreshError,
      previousScope: s.authorization.scope,
      operation,
    });
    const error: FlowErrorInfo = {
      ...outcome.error,
      message: `${outcome.error.message}${
        outcome.refresh === 'failed'
          ? ` Refreshing failed${outcome.refreshError ? ` (${outcome.refreshError})` : ''}.`
          : outcome.refresh === 'did-not-help'
            ? ' A refreshed token was rejected as well.'
            : outcome.refresh === 'not-possible'
              ? ' There is no refresh token to renew it with.'
              : ''
      }`,
      hint: 'Reconnect: sign in again with the same client registration; the inspector then repeats what you were doing.',
    };
    return { state: failedAt(s, stepId, error, recovery), error };
  }
  if (failure.kind === 'insufficient_scope' || failure.kind === 'forbidden') {
    const recovery = forbiddenOffer({
      failure,
      grantedScope: s.token.scope,
      previousScope: s.authorization.scope,
      attempts: stepUpAttempts,
      operation,
    });
    const error: FlowErrorInfo = recovery
      ? {
          ...outcome.error,
          hint:
            recovery.action === 'step-up'
              ? `Re-authorize with more scopes (${recovery.scope}); the inspector then runs it again.`
              : 'Reconnect, perhaps as another account; the inspector then runs it again.',
        }
      : {
          ...outcome.error,
          hint: `Still refused after ${MAX_STEP_UP_ATTEMPTS} step-up authorizations: the authorization server does not grant “${failure.challenge?.scope ?? ''}” to this account or client. Ask the server’s operator.`,
        };
    return { state: recovery ? { ...s, recovery } : s, error };
  }
  return { state: s, error: outcome.error };
}
