'use client';

import { STEP_INFO } from '@/lib/flow/step-info';
import { STEP_ORDER, type StepId } from '@/lib/flow/types';
import { ActionRow } from './action-row';
import { safeHttpUrl } from './external-link';
import { spokenWire } from './format';
import { useInspector } from './inspector-provider';
import { RecoveryBanner, SessionActions } from './session-banner';
import { useInspectorActions } from './use-inspector-actions';

const button = 'rounded-md px-4 py-2 text-sm font-semibold disabled:opacity-60';

/** What the user can do next, derived from the flow state alone. */
export function FlowControls() {
  const view = useInspector((s) => s.view);
  const mode = useInspector((s) => s.mode);
  const busy = useInspector((s) => s.busy);
  const actions = useInspectorActions();
  // An opened report is read-only: there is nothing to do next.
  const reading = useInspector((s) => s.report !== null);
  if (!view || reading) return null;

  // The URL is built from remote metadata: only ever navigate to http(s) (never javascript:).
  const authorizationUrl = safeHttpUrl(view.authorizationUrl);
  if (view.step === 'awaiting-callback' && authorizationUrl) {
    return (
      <section aria-label="Consent" className="rounded-lg border border-accent/50 bg-accent/5 p-4">
        <h2 className="font-semibold">
          {view.reauth?.action === 'step-up'
            ? 'Re-authorize with more scopes at the authorization server'
            : view.reauth
              ? 'Sign in again at the authorization server'
              : 'Sign in and consent at the authorization server'}
        </h2>
        {view.reauth ? <p className="mt-1 text-sm">{view.reauth.message}</p> : null}
        <p className="mt-1 text-sm">
          The inspector built the authorization request. Your browser now goes to{' '}
          <code className="break-all font-mono">{new URL(authorizationUrl).origin}</code> to sign in and
          approve access; the authorization server sends it back here and the walkthrough resumes where it is.
        </p>
        <ActionRow
          label="Authorize"
          disabled={busy !== null}
          onClick={() => window.location.assign(authorizationUrl)}
          secondaryLabel="Start over"
          onSecondary={() => void actions.reset()}
        />
      </section>
    );
  }

  if (view.step === 'failed') {
    return (
      <>
        {view.recovery ? <RecoveryBanner recovery={view.recovery} /> : null}
        <section aria-label="Outcome">
          {view.error ? (
            // The step's detail below spells out expected, actual and what to do; here, one line.
            <p
              role="alert"
              className="rounded-lg border border-fail/50 bg-fail/5 px-4 py-2 text-sm font-semibold text-fail"
            >
              <span aria-hidden="true">✕ </span>
              Stopped{view.failedStep ? ` at ${STEP_INFO[view.failedStep].title}` : ''}: {view.error.message}
            </p>
          ) : null}
        </section>
      </>
    );
  }

  if (view.step === 'disconnected') {
    return (
      <section aria-label="Outcome" className="rounded-lg border border-line bg-panel p-4 text-sm">
        <h2 className="font-semibold">Disconnected</h2>
        <p className="mt-1">{view.disconnected?.message}</p>
        <ActionRow
          label="Reconnect"
          disabled={busy !== null}
          onClick={() => void actions.reconnect()}
          secondaryLabel="Start over"
          onSecondary={() => void actions.reset()}
        />
      </section>
    );
  }

  if (view.step === 'connected') {
    const wire = spokenWire(view.discovery.mcp);
    return (
      <>
        <section
          aria-label="Outcome"
          className="flex flex-wrap items-start justify-between gap-x-6 gap-y-2 rounded-lg border border-pass/40 bg-pass/5 px-4 py-3 text-sm"
        >
          <div className="min-w-0 flex-1">
            <h2 className="font-semibold text-pass">
              <span aria-hidden="true">✓ </span>Connected
              {wire ? (
                <span data-testid="spoken-wire" className="ml-3 font-medium text-fg">
                  {wire}.
                </span>
              ) : null}
            </h2>
            <p className="mt-1">
              {view.token ? (
                <>
                  The inspector holds a token for{' '}
                  <code className="break-all font-mono">{view.options.serverUrl}</code> in its encrypted
                  server-side session.
                </>
              ) : (
                <>
                  <code className="break-all font-mono">{view.options.serverUrl}</code> answers without a
                  token (authorization is optional in MCP), so there was no sign-in.
                </>
              )}
              {view.resumed
                ? ` Signed in again and ran ${view.resumed.tool} again (result in the Tools view).`
                : ''}
            </p>
          </div>
          <SessionActions />
        </section>
        {view.recovery ? <RecoveryBanner recovery={view.recovery} /> : null}
      </>
    );
  }

  const nextStep = (STEP_ORDER as readonly string[]).includes(view.step) ? (view.step as StepId) : null;
  return (
    <section
      aria-label="Next step"
      className="flex flex-wrap items-center gap-3 rounded-lg border border-line bg-panel p-4"
    >
      <p className="text-sm">
        {nextStep ? (
          <>
            Next: <span className="font-medium">{STEP_INFO[nextStep].title}</span>
            <span className="text-muted"> — {STEP_INFO[nextStep].summary}</span>
          </>
        ) : (
          'Paused.'
        )}
      </p>
      <div className="flex gap-2">
        <button
          type="button"
          disabled={busy !== null}
          onClick={() => void (mode === 'guided' ? actions.next() : actions.runAll())}
          className={`${button} bg-accent text-accent-fg`}
        >
          {mode === 'guided' ? 'Next' : 'Continue'}
        </button>
        {mode === 'guided' ? (
          <button
            type="button"
            disabled={busy !== null}
            onClick={() => void actions.runAll()}
            className={`${button} border border-line`}
          >
            Run to consent
          </button>
        ) : null}
      </div>
    </section>
  );
}
