'use client';

import { lazy, Suspense, useState } from 'react';
import { CheckList } from './check-list';
import { useInspector } from './inspector-provider';
import { useInspectorActions } from './use-inspector-actions';

/** Loaded when a test that asks first is chosen. */
const ConfirmDialog = lazy(() => import('./confirm-dialog').then((m) => ({ default: m.ConfirmDialog })));

const button = 'rounded-md px-4 py-2 text-sm font-semibold disabled:opacity-60';

/**
 * The access-model audit: what the server promises about access, checked with read-only requests.
 * Testing revocation ends the session, so it asks first.
 */
export function AuditPanel() {
  const step = useInspector((s) => s.view?.step);
  const toolsRecord = useInspector((s) => s.view?.steps.find((r) => r.id === 'tools'));
  const busy = useInspector((s) => s.busy);
  const selectStep = useInspector((s) => s.selectStep);
  const actions = useInspectorActions();
  const [confirming, setConfirming] = useState<'revocation' | 'audience' | null>(null);
  const checks = (toolsRecord?.checks ?? []).filter((c) => c.id.startsWith('audit.'));
  // An opened report shows its audit, but nothing can be run from it.
  const connected = useInspector((s) => s.report === null) && step === 'connected';
  // Connected without a token: the server requires no authorization, so there is no access model to audit.
  const unprotected = useInspector((s) => s.view?.step === 'connected' && !s.view.token);
  const grant = useInspector((s) => s.view?.options.grant);
  /** Routes without a browser: the audience test asks the token endpoint directly, or cannot be made. */
  const noBrowser = grant !== undefined && grant !== 'authorization_code';
  if (!connected && checks.length === 0) return null;
  if (unprotected && checks.length === 0) {
    return (
      <section aria-labelledby="audit-heading" className="rounded-lg border border-line bg-panel p-4 text-sm">
        <h2 id="audit-heading" className="font-semibold">
          Access audit
        </h2>
        <p className="mt-1 text-muted">
          Not applicable: this server answers without a token, so there are no tokens, sessions or scopes
          whose handling could be audited.
        </p>
      </section>
    );
  }
  const counts = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) counts[c.status]++;

  return (
    <section aria-labelledby="audit-heading" className="rounded-lg border border-line bg-panel p-4 text-sm">
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <div>
          <h2 id="audit-heading" className="font-semibold">
            Access audit
          </h2>
          <p className="text-muted">
            Checks the server’s access model from the client side, with read-only requests only: read-only
            tools, invalid and forged tokens, a token in the URL, the session id without a token, a token for
            another resource, revoked access, and whether tool errors leak internals.
          </p>
        </div>
        {checks.length ? (
          <p data-testid="audit-summary">
            {counts.pass} passed · {counts.warn} warnings · {counts.fail} failed · {counts.skip} skipped
          </p>
        ) : null}
      </div>
      {connected ? (
        <div className="mt-3 flex flex-wrap gap-2">
          <button
            type="button"
            disabled={busy !== null}
            onClick={() => void actions.runAudit()}
            className={`${button} bg-accent text-accent-fg`}
          >
            Run access audit
          </button>
          <button
            type="button"
            disabled={busy !== null || confirming !== null}
            onClick={() => setConfirming('audience')}
            className={`${button} border border-line`}
          >
            Test audience…
          </button>
          <button
            type="button"
            disabled={busy !== null || confirming !== null}
            onClick={() => setConfirming('revocation')}
            className={`${button} border border-line`}
          >
            Test revocation…
          </button>
        </div>
      ) : null}
      {connected && confirming === 'audience' ? (
        <Suspense fallback={null}>
          <ConfirmDialog
            title={noBrowser ? 'Test the audience check?' : 'Sign in again to test the audience check?'}
            confirmLabel={noBrowser ? 'Test' : 'Sign in and test'}
            disabled={busy !== null}
            onConfirm={() => {
              setConfirming(null);
              void actions.testAudience();
            }}
            onCancel={() => setConfirming(null)}
          >
            {grant === 'client_credentials'
              ? 'A token issued for another resource must not work here. To get one, the inspector asks the token endpoint once more with the client credentials grant, for a resource that does not exist and nothing else, and sends the token it gets to this server once. It must answer 401. Your session stays as it is.'
              : noBrowser
                ? 'On this route the token step presented its assertion already, and a token for another resource would need a new assertion from the workload’s platform or the IdP. The two audience rows record that the test could not be made. Your session stays as it is.'
                : 'A token issued for another resource must not work here. To get one, you sign in once more (same client registration), asking for a resource that does not exist, and nothing else; the inspector sends the token it gets to this server once. It must answer 401. Your session stays as it is whatever happens.'}{' '}
            {grant === 'jwt_bearer' || grant === 'id_jag'
              ? null
              : 'If the authorization server refuses the made-up resource (invalid_target), that is it restricting audiences: it passes, and the server’s own check is reported as not testable.'}
          </ConfirmDialog>
        </Suspense>
      ) : null}
      {connected && confirming === 'revocation' ? (
        <Suspense fallback={null}>
          <ConfirmDialog
            title="Revoke this session’s tokens to test revocation?"
            confirmLabel="Revoke and test"
            disabled={busy !== null}
            onConfirm={() => {
              setConfirming(null);
              void actions.testRevocation();
            }}
            onCancel={() => setConfirming(null)}
          >
            The inspector revokes the refresh token and the access token at the authorization server (RFC
            7009), then sends the old access token to the MCP server once: it must answer 401. This ends the
            session; afterwards you press Reconnect and sign in again with the same client registration.
            Nothing else is revoked or changed.
          </ConfirmDialog>
        </Suspense>
      ) : null}
      {checks.length ? (
        <div className="mt-4">
          <CheckList checks={checks} />
          <button
            type="button"
            onClick={() => selectStep('tools')}
            className="mt-2 rounded-md border border-line px-3 py-1"
          >
            Show the requests (Tools step)
          </button>
        </div>
      ) : (
        <p className="mt-3 text-muted">Not run yet.</p>
      )}
    </section>
  );
}
