import * as oauth from 'oauth4webapi';

/** Network-level failure codes of the traced fetch (lib/http), matched structurally. */
export const OUTBOUND_ERROR_CODES = [
  'timeout',
  'unreachable',
  'blocked_address',
  'response_too_large',
  'redirect_limit',
  'invalid_url',
] as const;
export type OutboundErrorCode = (typeof OUTBOUND_ERROR_CODES)[number];

export interface OutboundErrorLike {
  code: OutboundErrorCode;
  url?: string;
  message: string;
}

export function isOutboundError(err: unknown): err is OutboundErrorLike {
  return (
    err instanceof Error &&
    typeof (err as { code?: unknown }).code === 'string' &&
    (OUTBOUND_ERROR_CODES as readonly string[]).includes((err as unknown as { code: string }).code) &&
    (err.name === 'OutboundError' || 'url' in err)
  );
}

/** One description of any error an OAuth exchange can raise, with expected vs actual where known. */
export interface OAuthErrorDescription {
  kind:
    | 'outbound'
    | 'oauth-error'
    | 'challenge'
    | 'unexpected-status'
    | 'invalid-response'
    | 'refused'
    | 'other';
  message: string;
  expected?: string;
  actual?: string;
  status?: number;
  /** The OAuth `error` code, when the server sent one. */
  oauthError?: string;
  errorDescription?: string;
  outboundCode?: OutboundErrorCode;
}

const clip = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}…` : s);

/**
 * Maps oauth4webapi's errors (and the traced fetch's) once, so every step reports them the same way.
 * `what` names the exchange, e.g. "the token endpoint".
 */
export function describeOAuthError(err: unknown, what: string): OAuthErrorDescription {
  if (isOutboundError(err)) {
    return { kind: 'outbound', outboundCode: err.code, message: `${what}: ${err.message}` };
  }
  if (err instanceof oauth.ResponseBodyError) {
    const desc = err.error_description ? `: ${err.error_description}` : '';
    return {
      kind: 'oauth-error',
      status: err.status,
      oauthError: err.error,
      ...(err.error_description ? { errorDescription: err.error_description } : {}),
      message: `${what} answered HTTP ${err.status} with error "${err.error}"${desc}`,
      actual: `${err.status} ${err.error}${desc}`,
    };
  }
  if (err instanceof oauth.WWWAuthenticateChallengeError) {
    const c = err.cause[0];
    const error = c?.parameters.error;
    const desc = c?.parameters.error_description;
    return {
      kind: 'challenge',
      status: err.status,
      oauthError: error,
      ...(desc ? { errorDescription: desc } : {}),
      message: `${what} answered HTTP ${err.status} with a ${c?.scheme ?? ''} challenge${error ? ` error="${error}"` : ''}${desc ? `: ${desc}` : ''}`,
      actual: `${err.status} ${error ?? ''}`.trim(),
    };
  }
  if (err instanceof oauth.AuthorizationResponseError) {
    return {
      kind: 'oauth-error',
      oauthError: err.error,
      message: `${what} returned error "${err.error}"${err.error_description ? `: ${err.error_description}` : ''}`,
    };
  }
  if (err instanceof oauth.OperationProcessingError) {
    const cause = err.cause as unknown;
    switch (err.code) {
      case oauth.RESPONSE_IS_NOT_CONFORM: {
        const status = cause instanceof Response ? cause.status : undefined;
        return {
          kind: 'unexpected-status',
          status,
          message: `${what} answered with an unexpected HTTP status${status ? ` ${status}` : ''}`,
          actual: status ? String(status) : undefined,
        };
      }
      case oauth.JSON_ATTRIBUTE_COMPARISON:
      case oauth.JWT_CLAIM_COMPARISON: {
        const c = (cause ?? {}) as {
          expected?: unknown;
          attribute?: string;
          claim?: string;
          body?: Record<string, unknown>;
          claims?: Record<string, unknown>;
        };
        const field = c.attribute ?? c.claim ?? 'value';
        const actual = c.body?.[field] ?? c.claims?.[field];
        return {
          kind: 'invalid-response',
          message: `${what}: ${err.message}`,
          expected: c.expected === undefined ? undefined : `${field} = ${String(c.expected)}`,
          actual: `${field} = ${actual === undefined ? '(absent)' : JSON.stringify(actual)}`,
        };
      }
      case oauth.PARSE_ERROR:
        return { kind: 'invalid-response', message: `${what} did not answer with JSON` };
      case oauth.HTTP_REQUEST_FORBIDDEN:
      case oauth.REQUEST_PROTOCOL_FORBIDDEN:
        return {
          kind: 'refused',
          message: `${what}: the inspector refuses plain http for a non-loopback endpoint`,
          expected: 'https',
          actual: cause instanceof URL ? cause.protocol.replace(':', '') : 'http',
        };
      default: {
        const c = cause as { body?: unknown; expected?: unknown } | undefined;
        return {
          kind: 'invalid-response',
          message: `${what}: ${err.message}`,
          expected: c?.expected === undefined ? undefined : String(c.expected),
          actual: c?.body === undefined ? undefined : clip(JSON.stringify(c.body)),
        };
      }
    }
  }
  if (err instanceof oauth.UnsupportedOperationError) {
    return { kind: 'invalid-response', message: `${what}: ${err.message}` };
  }
  return { kind: 'other', message: `${what}: ${err instanceof Error ? err.message : String(err)}` };
}
