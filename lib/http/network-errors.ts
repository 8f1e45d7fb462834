import { maxHeaderSize } from 'node:http';
import type { OutboundErrorCode } from './errors';
import { formatBytes } from './limits';

interface CodedError {
  code: string;
  message: string;
  hostname?: string;
}

/**
 * fetch wraps every network failure in `TypeError('fetch failed')`; the useful part (an errno
 * code, an undici code, our BlockedAddressError) sits somewhere down the `cause` chain.
 */
function findCoded(error: unknown): CodedError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return current as Error & CodedError;
    current = current.cause;
  }
  return undefined;
}

function innermostMessage(error: unknown): string {
  let current: unknown = error;
  let message = String(error);
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    message = current.message;
    current = current.cause;
  }
  return message;
}

const TLS_CODE = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH)/;

/**
 * Maps a failure of the underlying fetch to one of our codes and a message that names the URL
 * and, for "unreachable", which of the several reasons it was: a refused connection and an unknown
 * host call for different fixes.
 */
export function describeNetworkError(
  error: unknown,
  url: string,
  host: string,
): { code: OutboundErrorCode; message: string } {
  const coded = findCoded(error);
  const code = coded?.code;
  switch (code) {
    case 'blocked_address':
      return {
        code: 'blocked_address',
        message: `Refused ${url}: ${coded?.message} (the hosted inspector does not connect to internal addresses)`,
      };
    case 'ECONNREFUSED':
      return {
        code: 'unreachable',
        message: `Connection refused by ${host} (ECONNREFUSED): nothing listens at ${url}`,
      };
    case 'ENOTFOUND':
      return {
        code: 'unreachable',
        message: `Host name ${coded?.hostname ?? host} not found (ENOTFOUND) for ${url}`,
      };
    case 'EAI_AGAIN':
      return {
        code: 'unreachable',
        message: `DNS lookup of ${host} failed temporarily (EAI_AGAIN) for ${url}`,
      };
    case 'ECONNRESET':
      return {
        code: 'unreachable',
        message: `Connection to ${host} was reset (ECONNRESET) while requesting ${url}`,
      };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { code: 'unreachable', message: `No network route to ${host} (${code}) for ${url}` };
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { code: 'timeout', message: `Could not connect to ${host} in time (${code}) for ${url}` };
    case 'UND_ERR_HEADERS_OVERFLOW':
      return {
        code: 'response_too_large',
        message: `Response headers from ${url} exceed the ${formatBytes(maxHeaderSize)} limit`,
      };
    case 'UND_ERR_SOCKET':
      return {
        code: 'unreachable',
        message: `${host} closed the connection unexpectedly while answering ${url}`,
      };
  }
  if (!code && innermostMessage(error) === 'bad port') {
    // The Fetch standard's port blocklist (6000, 6665–6669, 25, …): the URL can never be fetched.
    return {
      code: 'invalid_url',
      message: `fetch refuses the port of ${url} (a "bad port" in the Fetch standard)`,
    };
  }
  if (code && TLS_CODE.test(code)) {
    return {
      code: 'unreachable',
      message: `TLS with ${host} failed (${code}): ${coded?.message} for ${url}`,
    };
  }
  const suffix = code ? ` (${code})` : '';
  return { code: 'unreachable', message: `Request to ${url} failed: ${innermostMessage(error)}${suffix}` };
}
