import type { OAuthErrorDescription, OutboundErrorLike } from '../oauth/errors';
import { FlowError, type FlowErrorCode, type FlowErrorInfo } from './types';

const OUTBOUND_HINTS: Record<OutboundErrorLike['code'], string> = {
  unreachable:
    'Check the URL and that the server is running and reachable from the inspector’s server (a hosted inspector cannot reach your laptop or private network).',
  timeout: 'The server did not answer in time. Check that it is up, or raise the time limit.',
  blocked_address:
    'The hosted inspector refuses loopback, private, link-local and cloud-metadata addresses. Run the inspector locally to inspect a server on your machine or network.',
  response_too_large:
    'The response is larger than the inspector’s size limit (by default 1 MiB for metadata, 5 MiB for MCP answers). Metadata documents should be small; a server should page a tool list this large.',
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

/** The hosted guard's refusal of plain http is about the scheme, not the address. */
const HTTPS_ONLY_HINT =
  'The hosted inspector only sends requests over https://, so tokens and codes never cross the network in clear. Use the server’s https:// URL; to inspect a plain-http server on your own machine, run the inspector locally (npm run demo).';

/** The hint for an outbound failure: by code, except the http refusal, which gets its own. */
function outboundHint(code: OutboundErrorLike['code'], message: string): string {
  if (code === 'blocked_address' && message.includes('only makes https:// requests')) return HTTPS_ONLY_HINT;
  return OUTBOUND_HINTS[code];
}

/** A network-level failure of the traced fetch, as the flow reports it. */
export function outboundFlowError(err: OutboundErrorLike, what: string, specRef?: string): FlowError {
  return new FlowError(
    {
      code: OUTBOUND_CODES[err.code],
      message: `${what}: ${err.message}`,
      hint: outboundHint(err.code, err.message),
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
        hint: outboundHint(d.outboundCode, d.message),
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

/**
 * How one metadata URL answered, for "tried X (…); Y (…)" summaries: the network error, what was
 * wrong with a 200 document, or the status (saying so when it was a redirect, which metadata
 * requests do not follow).
 */
export function describeAnswer(p: { error?: string; status?: number; problem?: string }): string {
  if (p.error) return p.error;
  if (p.status === 200 && p.problem) return p.problem;
  if (p.status !== undefined && p.status >= 300 && p.status < 400) {
    return `HTTP ${p.status}, a redirect (metadata is fetched without following redirects)`;
  }
  return `HTTP ${p.status}`;
}
