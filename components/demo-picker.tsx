'use client';

import { lazy, Suspense, useState } from 'react';
import type { DemoInfo, DemoScenarioInfo } from '@/lib/contract';
import { useInspector } from './inspector-provider';
import { useStartActions } from './use-start-actions';

const DemoControls = lazy(() => import('./demo-controls').then((m) => ({ default: m.DemoControls })));

/**
 * One click to a working server, and a gallery of broken ones for onboarding. On the start page the
 * gallery is open; once a walkthrough runs, the block folds to one line so the flow fits the screen.
 */
export function DemoPicker({ demo }: { demo: DemoInfo }) {
  const mode = useInspector((s) => s.mode);
  const startPage = useInspector((s) => s.view === null);
  const reading = useInspector((s) => s.report !== null);
  const busy = useInspector((s) => s.busy);
  const actions = useStartActions();
  const [switchesOpened, setSwitchesOpened] = useState(false);
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
      className={`rounded-lg border border-dashed border-line bg-panel-2 text-sm ${startPage ? 'p-4' : 'px-4 py-2'}`}
    >
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
        <div className={startPage ? 'min-w-0 flex-1' : 'flex flex-wrap items-baseline gap-x-2'}>
          <h2 id="demo-heading" className="font-semibold">
            Bundled demo server
          </h2>
          <p className="text-muted">
            {startPage ? 'A real authorization server and MCP server on this machine. ' : ''}Sign in as{' '}
            <code className="font-mono">demo</code> / <code className="font-mono">demo</code>.
          </p>
        </div>
        <button
          type="button"
          disabled={busy !== null}
          onClick={() => void start({ id: 'default', mcpUrl: demo.mcpUrl })}
          className={`rounded-md border border-accent font-semibold text-accent disabled:opacity-60 ${startPage ? 'px-4 py-2' : 'px-3 py-1'}`}
        >
          Inspect the demo server
        </button>
        {others.length > 0 ? (
          <details open={startPage} className="open:basis-full">
            <summary className="cursor-pointer select-none text-muted">
              {startPage
                ? `See what other servers look like (${others.length} scenarios, working and broken)`
                : `Other scenarios (${others.length})`}
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
        {demo.adminUrl && !reading ? (
          <details
            className="open:basis-full"
            onToggle={(e) => {
              if (e.currentTarget.open) setSwitchesOpened(true);
            }}
          >
            <summary className="cursor-pointer select-none text-muted">
              Demo switches{startPage ? ' (sessions and access model)' : ''}
            </summary>
            {switchesOpened ? (
              <Suspense fallback={<p className="mt-2 text-muted">Loading…</p>}>
                <DemoControls />
              </Suspense>
            ) : null}
          </details>
        ) : null}
      </div>
    </section>
  );
}
