/**
 * The last scrub before anything leaves the server: every browser-bound value (the view a server
 * action sends, a tool result, the report file) passes through the session's live secrets. Records
 * were redacted when recorded and scrubbed when their step finished; this also covers text the
 * engine keeps outside records (the flow's error, a resumed tool result), so "no secret reaches the
 * browser" holds whatever a server sends and wherever the engine puts it.
 */
import { Redactor } from '../http/redact';
import type { Exchange } from '../http/types';
import type { FlowState } from './state';
import type { FlowSecrets } from './types';
import { type FlowView, toView } from './view';

/**
 * The secrets that must never be shown. `state` and `nonce` are not among them: they travel through
 * the browser in the authorization URL by design.
 */
export function liveSecrets(secrets: FlowSecrets): string[] {
  return [
    secrets.accessToken,
    secrets.refreshToken,
    secrets.idToken,
    secrets.clientSecret,
    secrets.registrationAccessToken,
    secrets.authorizationCode,
    secrets.codeVerifier,
  ].filter((v): v is string => typeof v === 'string');
}

/** `value` with every live secret, in any of its encoded forms, replaced by its redacted form. */
export function scrubForBrowser<T>(value: T, secrets: FlowSecrets): T {
  return new Redactor(liveSecrets(secrets)).deep(value);
}

/** The view of a flow as the browser may receive it. */
export function browserView(state: FlowState): FlowView {
  return scrubForBrowser(toView(state), state.secrets);
}

/**
 * One recorded exchange as the browser may receive it, scrubbed exactly as in `browserView` (the same
 * live secrets over the same redacted record); undefined when the flow has none with that id sent at
 * `startedAt` (ids count per walkthrough: a page from an earlier walkthrough must not get this one's).
 */
export function browserExchange(state: FlowState, id: string, startedAt: number): Exchange | undefined {
  const exchange = state.records.flatMap((r) => r.exchanges).find((x) => x.id === id);
  return exchange?.startedAt === startedAt ? scrubForBrowser(exchange, state.secrets) : undefined;
}
