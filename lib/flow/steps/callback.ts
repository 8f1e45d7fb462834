import { redactValue } from '../../http/redact';
import {
  type CallbackParams,
  explainAuthorizationError,
  readCallbackParams,
} from '../../oauth/authorization';
import { atLeast } from '../../spec/version';
import type { FlowState, StateAt } from '../state';
import type { StepRun } from '../step-run';

const shown = (v: string | undefined) => (v === undefined ? '(absent)' : redactValue(v));

/**
 * Step 6a: the authorization response. `state` must be the one sent; `iss` must name the issuer when
 * the AS advertises RFC 9207 support (and is compared whenever present); an `error` ends the flow.
 * Only then is the code kept (server-side) for the token request.
 * @see RFC 6749 §4.1.2, §4.1.2.1; RFC 9207 §2.4; MCP 2025-11-25 §Open Redirection
 */
export function runCallback(
  state: StateAt<'awaiting-callback'>,
  input: URL | URLSearchParams,
  run: StepRun,
): FlowState {
  const params: CallbackParams = readCallbackParams(input);
  // Enterprise-managed sign-in: the response comes from the enterprise IdP, not this authorization server.
  const signIn = state.authorization.idpSignIn;
  const issuer = signIn?.issuer ?? state.authorizationServer.issuer;
  const issRequired = signIn
    ? signIn.issParameter
    : state.authorizationServer.metadata.authorization_response_iss_parameter_supported === true;
  const expectedState = state.secrets.state;
  run.addSecret(params.code);
  run.fact('received', {
    code: params.code === undefined ? null : redactValue(params.code),
    state: params.state === undefined ? null : redactValue(params.state),
    iss: params.iss ?? null,
    error: params.error ?? null,
    error_description: params.errorDescription ?? null,
  });

  // An error without state: the authorization server broke RFC 6749 §4.1.2.1 (state is REQUIRED in
  // error responses when the request had one). Nothing is used from it, so it is safe to show what it
  // said; it is a server's omission, not evidence of forgery.
  if (expectedState && params.state === undefined && params.error) {
    const what = `The authorization server returned ${params.error}${params.errorDescription ? `: ${params.errorDescription}` : ''}`;
    const violation =
      'The error response has no state, although the request sent one: RFC 6749 §4.1.2.1 requires it, so a client cannot tie the error to its request.';
    run.check('callback.state-match', 'fail', violation, {
      expected: shown(expectedState),
      actual: '(absent)',
    });
    throw run.fail(
      'callback.error',
      {
        code: 'authorization_denied',
        message: `${what}. ${violation}`,
        hint: `${explainAuthorizationError(params.error)} The authorization server should also return state with its errors.`,
        expected: 'an authorization code, or an error with state',
        actual: `error=${params.error}, no state`,
      },
      { checkMessage: `${what}.` },
    );
  }

  // state (CSRF defence) first: a response that is not ours tells us nothing else.
  if (!expectedState || params.state !== expectedState) {
    const missing = params.state === undefined;
    const message = missing
      ? 'The callback has no state, but the authorization request sent one. The response cannot be tied to this request.'
      : 'The callback’s state is not the one this flow sent. It may be forged (CSRF) or belong to another attempt.';
    throw run.fail('callback.state-match', {
      code: 'state_mismatch',
      message,
      hint: 'Start the authorization again from the inspector, in the same browser.',
      expected: shown(expectedState),
      actual: shown(params.state),
    });
  }
  run.check('callback.state-match', 'pass', 'state came back unchanged.', {
    expected: shown(expectedState),
    actual: shown(params.state),
  });

  // iss (mix-up defence)
  if (params.iss !== undefined) {
    if (params.iss !== issuer) {
      const message = `The callback says it comes from ${params.iss}, but the request went to ${issuer}. This is what a mix-up attack looks like; the code must not be used.`;
      throw run.fail('callback.iss-match', {
        code: 'iss_mismatch',
        message,
        hint: 'If this authorization server really has that issuer, its metadata must say so (issuer must match exactly).',
        expected: issuer,
        actual: params.iss,
      });
    }
    run.check('callback.iss-match', 'pass', `iss is ${issuer}.`, { expected: issuer, actual: params.iss });
  } else if (issRequired) {
    const message = `The AS advertises authorization_response_iss_parameter_supported, but the callback has no iss. Clients MUST then reject the response.`;
    throw run.fail('callback.iss-match', {
      code: 'iss_mismatch',
      message,
      hint: 'The authorization server must add iss to every authorization response when it advertises support.',
      expected: issuer,
      actual: '(absent)',
    });
  } else if (atLeast(state.options.specVersion, '2026-07-28')) {
    run.check(
      'callback.iss-match',
      'warn',
      'No iss in the callback, and the AS does not advertise support. 2026-07-28 clients MUST check iss, so they have no mix-up defence here.',
      {
        expected: issuer,
        actual: '(absent)',
      },
    );
  } else {
    run.check(
      'callback.iss-match',
      'skip',
      `No iss in the callback, and the AS does not advertise RFC 9207 support; ${state.options.specVersion} does not require it.`,
    );
  }

  if (params.error) {
    const what = `The authorization server returned ${params.error}${params.errorDescription ? `: ${params.errorDescription}` : ''}.`;
    throw run.fail('callback.error', {
      code: 'authorization_denied',
      message: what,
      hint: explainAuthorizationError(params.error),
      expected: 'an authorization code',
      actual: `error=${params.error}`,
    });
  }
  run.check('callback.error', 'pass', 'No error: the request was granted.');

  if (!params.code) {
    throw run.fail('callback.code', {
      code: 'callback_invalid',
      message: 'The callback has neither an authorization code nor an error.',
      hint: 'Check that the redirect URI registered with the authorization server is the inspector’s callback.',
      expected: 'code',
      actual: '(absent)',
    });
  }
  run.check(
    'callback.code',
    'pass',
    `Received an authorization code (${redactValue(params.code)}); it stays server-side and is used once.`,
  );
  return { ...state, step: 'token', secrets: { ...state.secrets, authorizationCode: params.code } };
}
