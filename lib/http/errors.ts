/** Network-level failure codes of the traced fetch. The flow maps these onto its own error codes. */
export type OutboundErrorCode =
  | 'timeout'
  | 'unreachable'
  | 'blocked_address'
  | 'response_too_large'
  | 'redirect_limit'
  | 'invalid_url';

/**
 * The one error the traced fetch throws for a failed request. `url` and `message` are already
 * redacted, so either may be shown or logged as is; the underlying library error is in `cause`.
 */
export class OutboundError extends Error {
  override readonly name = 'OutboundError';
  readonly code: OutboundErrorCode;
  readonly url: string;

  constructor(code: OutboundErrorCode, url: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.url = url;
  }
}

/**
 * Raised inside the connection layer when every resolved address of a host is refused. It travels
 * through undici as the `cause` of fetch's TypeError; the traced fetch turns it into an OutboundError.
 */
export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';
  readonly code = 'blocked_address';
  readonly hostname: string;

  constructor(hostname: string, message: string) {
    super(message);
    this.hostname = hostname;
  }
}
