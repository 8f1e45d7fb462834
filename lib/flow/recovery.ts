import type { McpFailure } from '../mcp/client';
import type { BearerChallenge } from '../oauth/www-authenticate';
import { keptRegistration } from './disconnect';
import type { FlowState, LostAuthorizationReason, PendingOperation, RecoveryOffer, StateAt } from './state';
import { FlowError } from './types';

/** Step-up authorizations per operation before the inspector stops offering more (MCP: "retry limits"). */
export const MAX_STEP_UP_ATTEMPTS = 3;

const scopeList = (scope: string | undefined) => (scope ?? '').split(/\s+/).filter(Boolean);

/** Space-separated union, in first-seen order; undefined when empty. */
export function unionScopes(...scopes: Array<string | undefined>): string | undefined {
  const out = [...new Set(scopes.flatMap(scopeList))];
  return out.length ? out.join(' ') : undefined;
}

/** Scopes in `required` that `granted` lacks. */
export function missingScopes(required: string | undefined, granted: string | undefined): string[] {
  const have = new Set(scopeList(granted));
  return scopeList(required).filter((s) => !have.has(s));
}

/**
 * What a 401 challenge says about the token. RFC 6750 has one code for all of it (`invalid_token`);
 * servers tell expired from revoked only in `error_description`, so that is read too.
 * @see RFC 6750 §3.1
 */
export function reasonFromChallenge(challenge: BearerChallenge | undefined): LostAuthorizationReason {
  if (!challenge?.error) return 'unauthorized';
  if (challenge.error !== 'invalid_token') return 'invalid';
  const description = challenge.errorDescription ?? '';
  if (/expir/i.test(description)) return 'expired';
  if (/revok/i.test(description)) return 'revoked';
  return 'invalid';
}

const REASON_TEXT: Record<LostAuthorizationReason, string> = {
  expired: 'The server says the access token expired',
  revoked: 'The server says the access token was revoked',
  invalid: 'The server says the access token is invalid (it does not say whether it expired or was revoked)',
  unauthorized: 'The server rejected the access token without saying why',
  'insufficient-scope': 'The token lacks a scope this request needs',
  forbidden: 'The server refused the request (403) without saying which scope is missing',
  disconnected: 'The session was disconnected',
  'authorization-server-changed': 'The server moved to another authorization server',
  audit: 'The access audit signs in again',
};

const describeOperation = (op: PendingOperation | undefined) =>
  op?.kind === 'call-tool'
    ? ` and runs ${op.tool} again`
    : op?.kind === 'list-tools'
      ? ' and lists the tools again'
      : op?.kind === 'audience-probe'
        ? ' and tests the audience'
        : '';

/**
 * The offer after a 401 that refreshing could not fix: sign in again with the same client.
 * @see MCP 2025-11-25 §Error Handling; RFC 6750 §3.1
 */
export function reconnectOffer(input: {
  challenge?: BearerChallenge;
  refresh: NonNullable<RecoveryOffer['refresh']>;
  refreshError?: string;
  previousScope?: string;
  operation?: PendingOperation;
}): RecoveryOffer {
  const reason = reasonFromChallenge(input.challenge);
  const refreshText =
    input.refresh === 'not-possible'
      ? ' There is no refresh token, so the inspector cannot renew it.'
      : input.refresh === 'failed'
        ? ` Refreshing did not work${input.refreshError ? ` (${input.refreshError})` : ''}.`
        : ' A fresh token from the refresh was rejected too.';
  return {
    action: 'reconnect',
    reason,
    refresh: input.refresh,
    message: `${REASON_TEXT[reason]}${input.challenge?.errorDescription ? `: “${input.challenge.errorDescription}”` : ''}.${refreshText} Reconnect signs in again with the same client registration${describeOperation(input.operation)}.`,
    ...(input.previousScope ? { scope: input.previousScope } : {}),
    attempts: 0,
    ...(input.operation ? { operation: input.operation } : {}),
  };
}

/**
 * The offer after a 403: step-up when the challenge says `insufficient_scope` and names the scope
 * (authorize again with granted ∪ required, at most MAX_STEP_UP_ATTEMPTS times per operation);
 * reconnect for any other 403. Undefined when step-up attempts are used up.
 * @see MCP 2025-11-25 §Scope Challenge Handling; RFC 6750 §3.1
 */
export function forbiddenOffer(input: {
  failure: Extract<McpFailure, { status: 403 }>;
  grantedScope?: string;
  previousScope?: string;
  attempts: number;
  operation?: PendingOperation;
}): RecoveryOffer | undefined {
  const required = input.failure.challenge?.scope;
  if (input.failure.kind === 'insufficient_scope' && required) {
    if (input.attempts >= MAX_STEP_UP_ATTEMPTS) return undefined;
    const missing = missingScopes(required, input.grantedScope);
    const scope = unionScopes(input.grantedScope ?? input.previousScope, required);
    const what =
      input.operation?.kind === 'call-tool' ? `${input.operation.tool} needs` : 'This request needs';
    return {
      action: 'step-up',
      reason: 'insufficient-scope',
      message: `${what} ${missing.length ? `the scope ${missing.join(' ')}, which the token does not carry` : `the scope “${required}”`} (granted: ${input.grantedScope || 'not stated'}). Re-authorizing asks for ${scope}${describeOperation(input.operation)}.`,
      requiredScope: required,
      ...(input.grantedScope ? { grantedScope: input.grantedScope } : {}),
      ...(scope ? { scope } : {}),
      attempts: input.attempts,
      ...(input.operation ? { operation: input.operation } : {}),
    };
  }
  const reason: LostAuthorizationReason =
    input.failure.kind === 'insufficient_scope' ? 'insufficient-scope' : 'forbidden';
  return {
    action: 'reconnect',
    reason,
    message: `${
      reason === 'insufficient-scope'
        ? 'The server answered 403 insufficient_scope but named no scope, so the inspector cannot tell what to ask for'
        : REASON_TEXT.forbidden
    }. Reconnecting (perhaps as another account) may help${describeOperation(input.operation)}.`,
    ...(input.previousScope ? { scope: input.previousScope } : {}),
    attempts: input.attempts,
    ...(input.operation ? { operation: input.operation } : {}),
  };
}

/**
 * Accepts the recovery offer (or reconnects a disconnected session): back to 'authorize' with the
 * same server, authorization server and client registration, and a new PKCE verifier and state to
 * come. The tokens are dropped; the trace is kept, and the steps that run again add to it.
 * Throws FlowError 'invalid_state' when there is nothing to recover or no client to reuse.
 */
export function beginReauthorization(state: FlowState): StateAt<'authorize'> {
  const offer: RecoveryOffer | undefined =
    state.recovery ??
    (state.step === 'disconnected'
      ? {
          action: 'reconnect',
          reason: 'disconnected',
          message: 'Signing in again after disconnecting.',
          attempts: 0,
        }
      : undefined);
  const kept = keptRegistration(state);
  if (!offer || !kept) {
    throw new FlowError({
      code: 'invalid_state',
      message: `There is nothing to reconnect: the flow is at '${state.step}'${offer ? ' without a client registration' : ''}.`,
      hint: 'Start the walkthrough again.',
    });
  }
  if (offer.action === 'step-up' && offer.attempts >= MAX_STEP_UP_ATTEMPTS) {
    throw new FlowError({
      code: 'invalid_state',
      message: `Step-up was already tried ${MAX_STEP_UP_ATTEMPTS} times for this operation.`,
      hint: 'The authorization server does not grant the scope to this account or client; ask its operator.',
    });
  }
  const reauth: RecoveryOffer = {
    ...offer,
    attempts: offer.action === 'step-up' ? offer.attempts + 1 : offer.attempts,
  };
  return { step: 'authorize', ...kept, reauth };
}

/**
 * A resource that does not exist on the MCP server's origin, for the audit's audience test (see
 * audit/audience.ts: it is asked for alone, in an extra authorization that keeps the session).
 */
export function probeAudienceFor(serverUrl: string): string {
  return new URL('/mcp-auth-inspector-audit-audience', serverUrl).href;
}
