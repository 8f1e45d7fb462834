export { OutboundError, type OutboundErrorCode } from './errors';
export {
  type AddressPolicy,
  type AddressVerdict,
  checkUrl,
  createCheckedLookup,
  createGuardedDispatcher,
  type HostLookup,
  isBlockedAddress,
  type ResolvedAddress,
  systemLookup,
  type UrlVerdict,
} from './guard';
export { DEFAULT_LIMITS, type OutboundLimits, resolveLimits } from './limits';
export {
  Redactor,
  redactHeaderValue,
  redactJson,
  redactJwts,
  redactPairs,
  redactValue,
  SENSITIVE_KEYS,
} from './redact';
export {
  createTracedFetch,
  PURPOSE_HEADER,
  type StepBudget,
  type TracedFetch,
  type TracedFetchOptions,
  withPurpose,
} from './traced-fetch';
export type { Exchange, ExchangeSink, FetchLike } from './types';
