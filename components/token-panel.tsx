'use client';

import { useEffect, useState } from 'react';
import type { Check } from '@/lib/flow/types';
import { CheckList } from './check-list';
import { useInspector } from './inspector-provider';

/** The checks that judge the token itself, shown beside it (the token step records them). */
const TOKEN_CHECKS = ['token.audience', 'token.expires-in', 'token.refresh-rotation', 'token.refresh'];

const scopeList = (scope: string | undefined) => (scope ?? '').split(/\s+/).filter(Boolean);

/** The token as the browser may see it: redacted, with decoded claims. The real value stays on the server. */
export function TokenPanel() {
  const token = useInspector((s) => s.view?.token);
  const tokenChecks = useInspector((s) => s.view?.steps.find((step) => step.id === 'token')?.checks);
  const now = useNow();
  if (!token) return null;
  const claims = token.claims;
  // The audience the token must carry is the resource that was requested (RFC 8707), not the URL typed in.
  const resource = token.resource;
  const expiresIn = token.expiresAt ? Math.round((token.expiresAt - now) / 1000) : undefined;
  const requested = scopeList(token.scopeRequested);
  const granted = token.scope === undefined ? undefined : scopeList(token.scope);
  const notGranted = granted ? requested.filter((s) => !granted.includes(s)) : [];
  const extra = granted ? granted.filter((s) => !requested.includes(s)) : [];
  const checks: Check[] = TOKEN_CHECKS.flatMap((id) => tokenChecks?.find((c) => c.id === id) ?? []);

  return (
    <section aria-labelledby="token-heading" className="rounded-lg border border-line bg-panel p-4 text-sm">
      <h2 id="token-heading" className="font-semibold">
        Access token
      </h2>
      <div className="mt-2 grid gap-4 lg:grid-cols-2">
        <div className="min-w-0">
          <dl className="grid grid-cols-[minmax(9rem,auto)_minmax(0,1fr)] gap-x-4 gap-y-1">
            <dt className="text-muted">Value (redacted)</dt>
            <dd className="break-all font-mono" data-testid="redacted-access-token">
              {token.accessToken}
            </dd>
            <dt className="text-muted">Type</dt>
            <dd className="font-mono">{token.tokenType}</dd>
            <dt className="text-muted">Scopes requested</dt>
            <dd className="font-mono">{token.scopeRequested || '(none)'}</dd>
            <dt className="text-muted">Scopes granted</dt>
            <dd className="font-mono" data-testid="granted-scopes">
              {token.scope === undefined
                ? '(not stated: the requested ones, RFC 6749 §5.1)'
                : token.scope || '(none)'}
              {notGranted.length ? (
                <span className="ml-2 font-sans text-warn">not granted: {notGranted.join(' ')}</span>
              ) : null}
              {extra.length ? (
                <span className="ml-2 font-sans text-muted">also: {extra.join(' ')}</span>
              ) : null}
            </dd>
            <dt className="text-muted">Expires</dt>
            <dd className="font-mono" data-testid="token-expiry" suppressHydrationWarning>
              {expiresIn === undefined
                ? '(not stated)'
                : expiresIn > 0
                  ? `in ${formatSeconds(expiresIn)}`
                  : `expired ${formatSeconds(-expiresIn)} ago${token.hasRefreshToken ? ' (refreshed before the next call)' : ''}`}
            </dd>
            <dt className="text-muted">Refresh token</dt>
            <dd data-testid="refresh-token-state">
              {token.hasRefreshToken ? 'held (server-side)' : 'none'}
              {token.refreshCount
                ? ` · refreshed ${token.refreshCount} time${token.refreshCount === 1 ? '' : 's'}${
                    token.refreshRotated === undefined
                      ? ''
                      : token.refreshRotated
                        ? ', rotated'
                        : ', not rotated'
                  }`
                : ''}
            </dd>
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
                            ? '✓ contains the requested resource'
                            : '✕ does not contain the requested resource'}
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
        </div>
        {checks.length ? (
          <section className="min-w-0" aria-label="Token checks">
            <h3 className="mb-2 font-semibold">Checks</h3>
            <CheckList checks={checks} />
          </section>
        ) : null}
      </div>
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
