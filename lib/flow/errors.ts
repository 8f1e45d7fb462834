import type { OAuthErrorDescription, OutboundErrorLike } from '../oauth/errors';
import { FlowError, type FlowErrorCode, type FlowErrorInfo } from './types';

const OUTBOUND_HINTS: Record<OutboundErrorLike['code'], string> = {
  unreachable:
    'Check the URL and that the server is running and reachable from the inspector’s server (a hosted inspector cannot reach your laptop or private network).',
  timeout: 'The server did not answer in time. Check that it is up, or raise the time limit.',
  blocked_address:
    'The hosted inspector refuses loopback, private, link-local and cloud-metadata addresses. Run the inspector locally to inspect a server on your machine or network.',
  response_too_large:
    'The response is larger than the inspector’s size limit; metadata documents should be small.',
  redirect_limit:
    'The server redirected too many times or where redirects are not followed. Use the final URL.',
  invalid_url: 'The URL is not a valid http(s) URL.',
};

const OUTBOUND_CODES: Record<OutboundErrorLike['code'], FlowErrorCode> = {
  unreachable: 'unreachable',
  timeout: 'timeout',
  blocked_address: 'blocked_address',
  response_too_large: 'response_too_large',
  redirect_limit: 'unreachable',
  invalid_url: 'unreachable',
};

/** A network-level failure of the traced fetch, as the flow reports it. */
export function outboundFlowError(err: OutboundErrorLike, what: string, specRef?: string): FlowError {
  return new FlowError(
    {
      code: OUTBOUND_CODES[err.code],
      message: `${what}: ${err.message}`,
      hint: OUTBOUND_HINTS[err.code],
      ...(specRef ? { specRef } : {}),
    },
    { cause: err },
  );
}

/** An OAuth exchange failure (already described once by `describeOAuthError`) as a FlowError. */
export function oauthFlowError(
  d: OAuthErrorDescription,
  code: FlowErrorCode,
  extra: Partial<FlowErrorInfo> = {},
  cause?: unknown,
): FlowError {
  if (d.kind === 'outbound' && d.outboundCode) {
    return new FlowError(
      {
        code: OUTBOUND_CODES[d.outboundCode],
        message: d.message,
        hint: OUTBOUND_HINTS[d.outboundCode],
        ...extra,
      },
      { cause },
    );
  }
  return new FlowError(
    {
      code,
      message: d.message,
      ...(d.expected !== undefined ? { expected: d.expected } : {}),
      ...(d.actual !== undefined ? { actual: d.actual } : {}),
      ...extra,
    },
    { cause },
  );
}

export function toFlowErrorInfo(err: unknown): FlowErrorInfo {
  if (err instanceof FlowError) return err.info;
  return {
    code: 'internal',
    message: `The inspector failed unexpectedly: ${err instanceof Error ? err.message : String(err)}`,
    hint: 'This is a bug in the inspector. The exchanges recorded so far are still shown.',
  };
}
