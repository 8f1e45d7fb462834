'use client';

import { useEffect, useRef } from 'react';
import type { RecoveryView } from '@/lib/flow/view';
import { useInspector } from './inspector-provider';
import { useInspectorActions } from './use-inspector-actions';

const button = 'rounded-md px-4 py-2 text-sm font-semibold disabled:opacity-60';

const HEADINGS: Record<RecoveryView['reason'], string> = {
  expired: 'Your sign-in expired',
  revoked: 'Access was revoked',
  invalid: 'The server no longer accepts the token',
  unauthorized: 'The server no longer accepts the token',
  'insufficient-scope': 'More access needed',
  forbidden: 'The server refused the request',
  disconnected: 'Disconnected',
  'authorization-server-changed': 'The server moved to another authorization server',
  audit: 'Access audit',
};

/**
 * The one action after a lost or insufficient authorization: Reconnect (sign in again with the same
 * client) or Re-authorize with more scopes (step-up). The server builds the authorization request;
 * the browser goes straight there, and the interrupted call runs again on return.
 */
export function RecoveryBanner({ recovery }: { recovery: RecoveryView }) {
  const busy = useInspector((s) => s.busy);
  const actions = useInspectorActions();
  const stepUp = recovery.action === 'step-up';
  const heading = stepUp ? 'More scope needed' : HEADINGS[recovery.reason];
  // The call that needs it usually ran further down the page: bring the one action into view.
  const ref = useRef<HTMLElement>(null);
  const key = `${recovery.action} ${recovery.reason} ${recovery.operation?.tool ?? ''}`;
  useEffect(() => {
    if (!key) return;
    ref.current?.scrollIntoView({ block: 'center' });
    ref.current?.focus({ preventScroll: true });
  }, [key]);
  return (
    <section
      ref={ref}
      tabIndex={-1}
      aria-label={stepUp ? 'Step-up authorization' : 'Reconnect'}
      className="rounded-lg border border-warn/60 bg-warn/5 p-4 text-sm outline-none"
    >
      <h2 className="font-semibold">
        <span aria-hidden="true">! </span>
        {heading}
      </h2>
      <p className="mt-1">{recovery.message}</p>
      {stepUp && recovery.requiredScope ? (
        <dl className="mt-2 grid grid-cols-[9rem_minmax(0,1fr)] gap-x-3 gap-y-1">
          <dt className="text-muted">Server asks for</dt>
          <dd className="font-mono">{recovery.requiredScope}</dd>
          <dt className="text-muted">Granted so far</dt>
          <dd className="font-mono">{recovery.grantedScope ?? '(not stated)'}</dd>
          <dt className="text-muted">Will request</dt>
          <dd className="font-mono">{recovery.scope}</dd>
          <dt className="text-muted">Attempt</dt>
          <dd>{recovery.attempts + 1} of 3 for this operation</dd>
        </dl>
      ) : null}
      <div className="mt-3 flex flex-wrap gap-2">
        <button
          type="button"
          disabled={busy !== null}
          onClick={() => void actions.reconnect()}
          className={`${button} bg-accent text-accent-fg`}
        >
          {stepUp ? 'Re-authorize with more scopes' : 'Reconnect'}
        </button>
      </div>
      <p className="mt-2 text-xs text-muted">
        {stepUp
          ? 'MCP 2025-11-25 §Scope Challenge Handling: a refresh cannot add scopes (RFC 6749 §6), so this is a new authorization.'
          : 'Same client registration, a new PKCE verifier and state; you will not be asked to paste anything.'}
      </p>
    </section>
  );
}

/** Connected: what the session can do besides running tools. */
export function SessionActions() {
  const busy = useInspector((s) => s.busy);
  const revocationEndpoint = useInspector((s) => s.view?.discovery.revocationEndpoint);
  const signedIn = useInspector((s) => Boolean(s.view?.token));
  const actions = useInspectorActions();
  if (!signedIn) {
    // A server that needs no token: nothing to revoke, only a walkthrough to leave.
    return (
      <div className="flex max-w-md flex-wrap items-center gap-3">
        <button
          type="button"
          disabled={busy !== null}
          onClick={() => void actions.reset()}
          className={`${button} border border-line`}
        >
          Start over
        </button>
        <span className="text-xs text-muted">No token was issued, so there is nothing to revoke.</span>
      </div>
    );
  }
  return (
    <div className="flex max-w-md flex-wrap items-center gap-3">
      <button
        type="button"
        disabled={busy !== null}
        onClick={() => void actions.disconnect()}
        className={`${button} border border-line`}
      >
        Disconnect
      </button>
      <span className="text-xs text-muted">
        {revocationEndpoint ? (
          <>
            Revokes the tokens at <code className="break-all font-mono">{revocationEndpoint}</code> (RFC 7009)
            and deletes them here.
          </>
        ) : (
          'The authorization server has no revocation endpoint: the tokens are deleted here and stay valid until they expire.'
        )}
      </span>
    </div>
  );
}
