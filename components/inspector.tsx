'use client';

import { lazy, Suspense } from 'react';
import type { DemoInfo } from '@/lib/contract';
import type { Snapshot } from '@/lib/store/inspector-store';
import { DemoPicker } from './demo-picker';
import { InspectorProvider, useInspector } from './inspector-provider';
import { ReportBar } from './report-bar';
import { TargetForm } from './target-form';
import { ThemeToggle } from './theme-toggle';

/** Everything after Start is not on the start page: it loads when a walkthrough (or a report) exists. */
const Workspace = lazy(() => import('./workspace').then((m) => ({ default: m.Workspace })));

export function Inspector({
  initial,
  demo,
  hosted,
}: {
  initial: Snapshot;
  demo: DemoInfo | null;
  hosted: boolean;
}) {
  return (
    <InspectorProvider initial={initial}>
      <div className="mx-auto flex max-w-[90rem] flex-col gap-3 px-4 py-4 sm:px-6">
        <header className="flex flex-wrap items-center justify-between gap-x-6 gap-y-2">
          <div className="min-w-0">
            <h1 className="text-xl font-semibold tracking-tight">MCP Auth Inspector</h1>
            <Tagline hosted={hosted} />
          </div>
          <div className="flex flex-wrap items-center gap-3">
            <ReportBar />
            <ThemeToggle />
          </div>
        </header>
        <TargetForm demo={demo} />
        {demo ? <DemoPicker demo={demo} /> : null}
        <Started />
      </div>
    </InspectorProvider>
  );
}

/** The start page explains itself; once a walkthrough runs, the line gives its room to the flow. */
function Tagline({ hosted }: { hosted: boolean }) {
  const started = useInspector((s) => s.view !== null);
  if (started && !hosted) return null;
  return (
    <p className="text-sm text-muted">
      {started
        ? ''
        : 'Walk through an MCP server’s OAuth flow step by step: every request, every rule, in the open.'}
      {hosted ? ' Hosted mode: only public https servers can be inspected.' : ''}
    </p>
  );
}

/**
 * A page rendered with a walkthrough (back from the authorization server, a reload) hydrates only once
 * its lazy parts arrive: fetch the workspace and the view it opens on together, not one after the other.
 */
let preloaded = false;
function preload(connected: boolean) {
  if (preloaded || typeof window === 'undefined') return;
  preloaded = true;
  void import('./workspace');
  if (connected) void import('./tools-panel');
}

function Started() {
  const started = useInspector((s) => s.view !== null);
  const connected = useInspector((s) => s.view?.step === 'connected');
  if (started) preload(connected);
  return started ? (
    <Suspense fallback={<p className="text-sm text-muted">Loading the walkthrough…</p>}>
      <Workspace />
    </Suspense>
  ) : null;
}
