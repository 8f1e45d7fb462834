'use client';

import { useEffect, useState } from 'react';
import { demoStateAction, demoSwitchAction } from '@/app/actions';
import type { DemoAdminState, DemoSwitch } from '@/lib/contract';

const BREAKS: Array<{ row: Extract<DemoSwitch, { op: 'break' }>['row']; label: string }> = [
  { row: 'query-token', label: 'Accept a token in ?access_token=' },
  { row: 'session-without-auth', label: 'Accept Mcp-Session-Id without a token' },
  { row: 'no-audience-check', label: 'Accept tokens for another audience' },
  { row: 'leak-internals', label: 'Leak internals in tool errors' },
  { row: 'no-revocation-check', label: 'Keep accepting revoked tokens' },
  { row: 'bad-403', label: 'Answer 403 without a challenge' },
  { row: 'no-header-check', label: 'Ignore Mcp-Method/Mcp-Name headers that contradict the body' },
  { row: 'bad-token-500', label: 'Answer a garbage token with 500 instead of 401' },
  { row: 'no-cors', label: 'Send no CORS headers (browser clients blocked)' },
  { row: 'dpop-as-bearer', label: 'Accept DPoP-bound tokens without their proof (dpop scenario)' },
];

const ACTIONS: Array<{ label: string; input: DemoSwitch; note: string }> = [
  { label: 'Expire tokens now', input: { op: 'expire-tokens' }, note: 'the next call refreshes' },
  { label: 'Revoke all grants', input: { op: 'revoke-all' }, note: 'the next call needs Reconnect' },
  {
    label: 'Require mcp:admin for search_notes',
    input: { op: 'require-scope', tool: 'search_notes', scope: 'mcp:admin' },
    note: 'search_notes then needs step-up',
  },
  { label: 'Access tokens live 15 s', input: { op: 'token-ttl', seconds: 15 }, note: 'for new tokens' },
  { label: 'Reset demo switches', input: { op: 'reset' }, note: 'defaults, fresh notes' },
];

/**
 * Switches of the bundled demo, so a walkthrough can show each session path. The inspector's server
 * flips them (a server action posts to the demo's admin API); the browser never calls the demo.
 * Loaded the first time the demo switches are opened.
 */
export function DemoControls() {
  const [state, setState] = useState<DemoAdminState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  useEffect(() => {
    void demoStateAction().then((r) => (r.ok ? setState(r.value) : setError(r.error)));
  }, []);

  const flip = async (input: DemoSwitch) => {
    setPending(true);
    setError(null);
    try {
      const r = await demoSwitchAction(input);
      if (r.ok) setState(r.value);
      else setError(r.error);
    } catch {
      setError('The inspector’s server did not answer.');
    } finally {
      setPending(false);
    }
  };

  const required = Object.entries(state?.requiredScopes ?? {})
    .map(([tool, scopes]) => `${tool}: ${scopes.join(' ')}`)
    .join('; ');

  return (
    <section aria-label="Demo switches" className="mt-2">
      <p className="text-muted">
        Change the bundled demo servers to see each path: refresh, reconnect, step-up, and the audit failing
        row by row. Switches apply to every demo scenario.
      </p>
      <div className="mt-3 flex flex-wrap gap-2">
        {ACTIONS.map((a) => (
          <button
            key={a.label}
            type="button"
            disabled={pending}
            title={a.note}
            onClick={() => void flip(a.input)}
            className="rounded-md border border-line px-3 py-1 disabled:opacity-60"
          >
            {a.label}
          </button>
        ))}
      </div>
      <fieldset className="mt-3">
        <legend className="font-medium">Break an access-model row</legend>
        <div className="mt-1 grid gap-1 md:grid-cols-2">
          {BREAKS.map((b) => (
            <label key={b.row} className="flex items-center gap-2">
              <input
                type="checkbox"
                disabled={pending || !state}
                checked={state?.breaks[b.row] === true}
                onChange={(e) => void flip({ op: 'break', row: b.row, on: e.target.checked })}
              />
              {b.label}
            </label>
          ))}
        </div>
      </fieldset>
      {state ? (
        <p className="mt-3 text-xs text-muted" data-testid="demo-state">
          Access tokens live {state.accessTokenTtl} s · extra scopes: {required || 'none'}
          {state.tokensExpiredAt ? ` · tokens expired at ${state.tokensExpiredAt}` : ''}
          {state.grantsRevokedAt ? ` · grants revoked at ${state.grantsRevokedAt}` : ''}
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="mt-2 text-fail">
          {error}
        </p>
      ) : null}
    </section>
  );
}
