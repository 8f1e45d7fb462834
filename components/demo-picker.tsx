'use client';

import type { DemoInfo, DemoScenarioInfo } from '@/lib/server/config';
import { useInspector } from './inspector-provider';
import { useInspectorActions } from './use-inspector-actions';

/** One click to a working server, and a gallery of broken ones for onboarding. */
export function DemoPicker({ demo }: { demo: DemoInfo }) {
  const mode = useInspector((s) => s.mode);
  // On the start page (no walkthrough yet) the scenario list is open: one click to any of them.
  const startPage = useInspector((s) => s.view === null);
  const busy = useInspector((s) => s.busy);
  const actions = useInspectorActions();
  // A scenario built for an older revision (2025-03-26) starts judged against it.
  const start = (s: Pick<DemoScenarioInfo, 'id' | 'mcpUrl' | 'specVersion'>) =>
    actions.start({
      serverUrl: s.mcpUrl,
      mode,
      demoScenario: s.id,
      ...(s.specVersion ? { specVersion: s.specVersion } : {}),
    });
  const others = demo.scenarios.filter((s) => s.mcpUrl !== demo.mcpUrl);

  return (
    <section
      aria-labelledby="demo-heading"
      className="rounded-lg border border-dashed border-line bg-panel-2 p-4 text-sm"
    >
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h2 id="demo-heading" className="font-semibold">
            Bundled demo server
          </h2>
          <p className="text-muted">
            A real authorization server and MCP server on this machine. Sign in as{' '}
            <code className="font-mono">demo</code> / <code className="font-mono">demo</code>.
          </p>
        </div>
        <button
          type="button"
          disabled={busy !== null}
          onClick={() => void start({ id: 'default', mcpUrl: demo.mcpUrl })}
          className="rounded-md border border-accent px-4 py-2 font-semibold text-accent disabled:opacity-60"
        >
          Inspect the demo server
        </button>
      </div>
      {others.length > 0 ? (
        <details className="mt-3" open={startPage}>
          <summary className="cursor-pointer select-none text-muted">
            See what other servers look like ({others.length} scenarios, working and broken)
          </summary>
          <ul className="mt-2 grid gap-2 md:grid-cols-2">
            {others.map((s) => (
              <li
                key={s.id}
                className="flex items-start justify-between gap-3 rounded-md border border-line bg-panel p-3"
              >
                <div className="min-w-0">
                  <p className="font-medium">{s.title}</p>
                  <p className="text-muted">{s.description}</p>
                  <p className="mt-1 text-xs text-muted">
                    Expected:{' '}
                    {s.expect.outcome === 'connected'
                      ? 'connects'
                      : `stops at ${s.expect.step} with ${s.expect.checkId}`}
                    {s.specVersion ? ` (judged against ${s.specVersion})` : ''}
                  </p>
                </div>
                <button
                  type="button"
                  disabled={busy !== null}
                  onClick={() => void start(s)}
                  aria-label={`Try scenario: ${s.title}`}
                  className="shrink-0 rounded-md border border-line px-3 py-1 disabled:opacity-60"
                >
                  Try
                </button>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}
