'use client';

import { useEffect, useState } from 'react';
import { useInspector } from './inspector-provider';

/** The token as the browser may see it: redacted, with decoded claims. The real value stays on the server. */
export function TokenPanel() {
  const token = useInspector((s) => s.view?.token);
  const resource = useInspector((s) => s.view?.options.serverUrl);
  const now = useNow();
  if (!token) return null;
  const claims = token.claims;
  const expiresIn = token.expiresAt ? Math.round((token.expiresAt - now) / 1000) : undefined;

  return (
    <section aria-labelledby="token-heading" className="rounded-lg border border-line bg-panel p-4 text-sm">
      <h2 id="token-heading" className="font-semibold">
        Access token
      </h2>
      <dl className="mt-2 grid grid-cols-[minmax(9rem,auto)_minmax(0,1fr)] gap-x-4 gap-y-1">
        <dt className="text-muted">Value (redacted)</dt>
        <dd className="break-all font-mono" data-testid="redacted-access-token">
          {token.accessToken}
        </dd>
        <dt className="text-muted">Type</dt>
        <dd className="font-mono">{token.tokenType}</dd>
        <dt className="text-muted">Scopes requested</dt>
        <dd className="font-mono">{token.scopeRequested || '(none)'}</dd>
        <dt className="text-muted">Scopes granted</dt>
        <dd className="font-mono">{token.scope || '(not stated)'}</dd>
        <dt className="text-muted">Expires</dt>
        <dd className="font-mono" suppressHydrationWarning>
          {expiresIn === undefined
            ? '(not stated)'
            : expiresIn > 0
              ? `in ${formatSeconds(expiresIn)}`
              : `expired ${formatSeconds(-expiresIn)} ago`}
        </dd>
        <dt className="text-muted">Refresh token</dt>
        <dd>{token.hasRefreshToken ? 'held (server-side)' : 'none issued'}</dd>
      </dl>
      {claims ? (
        <>
          <h3 className="mt-4 font-semibold">Decoded JWT claims</h3>
          <p className="text-xs text-muted">
            Decoded for display, not verified: verifying is the MCP server’s job.
          </p>
          <dl className="mt-2 grid grid-cols-[minmax(9rem,auto)_minmax(0,1fr)] gap-x-4 gap-y-1">
            {Object.entries(claims).map(([k, v]) => (
              <div key={k} className="contents">
                <dt className="font-mono text-muted">{k}</dt>
                <dd className="break-all font-mono">
                  {typeof v === 'object' ? JSON.stringify(v) : String(v)}
                  {k === 'aud' && resource ? (
                    <span className="ml-2 font-sans">
                      {(Array.isArray(v) ? v : [v]).includes(resource)
                        ? '✓ contains the server URL'
                        : '✕ does not contain the server URL'}
                    </span>
                  ) : null}
                  {(k === 'exp' || k === 'iat') && typeof v === 'number' ? (
                    <span className="ml-2 font-sans text-muted">{new Date(v * 1000).toISOString()}</span>
                  ) : null}
                </dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}
    </section>
  );
}

function formatSeconds(s: number): string {
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}
