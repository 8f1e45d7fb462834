'use client';

import { useInspector } from './inspector-provider';
import { useInspectorActions } from './use-inspector-actions';

/**
 * The authorization servers the resource metadata lists, the one in use marked, and a button to use
 * another (RFC 9728 §7.6: the client decides; the first is the default). `banner` shows only when the
 * choice matters right now: paused before AS metadata discovery, or after discovery failed.
 */
export function AuthorizationServerChoice({ variant }: { variant: 'banner' | 'inline' }) {
  const view = useInspector((s) => s.view);
  const busy = useInspector((s) => s.busy);
  const actions = useInspectorActions();
  const servers = view?.discovery.authorizationServers ?? [];
  const reading = useInspector((s) => s.report !== null);
  if (!view || servers.length < 2 || reading) return null;

  const inUse = view.options.authorizationServerIndex ?? 0;
  const paused = view.step === 'as-metadata';
  const failedAtDiscovery = view.step === 'failed' && view.failedStep === 'as-metadata';
  if (variant === 'banner' && !paused && !failedAtDiscovery) return null;

  const list = (
    <ol className="mt-2 flex flex-col gap-2">
      {servers.map((url, i) => (
        <li key={url} className="flex flex-wrap items-center justify-between gap-2">
          <span className="min-w-0 break-all">
            <span className="text-muted">{i + 1}. </span>
            <code className="font-mono">{url}</code>
            {i === 0 ? <span className="text-muted"> (the default)</span> : null}
          </span>
          {i === inUse ? (
            <span className="shrink-0 rounded-md border border-line px-2 py-0.5 text-xs font-medium">
              <span aria-hidden="true">● </span>In use
            </span>
          ) : (
            <button
              type="button"
              disabled={busy !== null}
              onClick={() => void actions.chooseAuthorizationServer(i)}
              aria-label={`Use authorization server ${url}`}
              className="shrink-0 rounded-md border border-accent px-3 py-1 text-xs font-semibold text-accent disabled:opacity-60"
            >
              Use this one
            </button>
          )}
        </li>
      ))}
    </ol>
  );

  if (variant === 'inline') {
    return (
      <section aria-label="Authorization servers" className="text-sm">
        <p>
          The metadata lists {servers.length} authorization servers. The client chooses (RFC 9728 §7.6); the
          first is the default, and the TypeScript SDK always takes it. Choosing another starts discovery
          again with it.
        </p>
        {list}
      </section>
    );
  }

  return (
    <section
      aria-label="Choose an authorization server"
      className="rounded-lg border border-accent/50 bg-accent/5 p-4 text-sm"
    >
      <h2 className="font-semibold">
        {paused ? 'Which authorization server?' : 'Try another authorization server'}
      </h2>
      <p className="mt-1">
        {paused
          ? `The resource metadata lists ${servers.length} authorization servers. The next step discovers number ${inUse + 1} unless you choose another.`
          : `Discovery failed for ${servers[inUse]}, but the resource metadata lists ${servers.length} authorization servers. Choose another to run the walkthrough again with it.`}
      </p>
      {list}
    </section>
  );
}
