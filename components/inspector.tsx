'use client';

import type { ReactNode } from 'react';
import type { DemoInfo } from '@/lib/server/config';
import type { Snapshot } from '@/lib/store/inspector-store';
import { AuditPanel } from './audit-panel';
import { AuthorizationServerChoice } from './authorization-server-choice';
import { DemoControls } from './demo-controls';
import { DemoPicker } from './demo-picker';
import { DoctorStrip } from './doctor-strip';
import { FlowControls } from './flow-controls';
import { InspectorProvider, useInspector } from './inspector-provider';
import { ReportBar } from './report-bar';
import { StepDetail } from './step-detail';
import { Stepper } from './stepper';
import { TargetForm } from './target-form';
import { ThemeToggle } from './theme-toggle';
import { TokenPanel } from './token-panel';
import { ToolsPanel } from './tools-panel';

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
      <div className="mx-auto flex max-w-7xl flex-col gap-5 px-4 py-6 sm:px-6">
        <header className="flex flex-wrap items-baseline justify-between gap-3">
          <div>
            <h1 className="text-xl font-semibold tracking-tight">MCP Auth Inspector</h1>
            <p className="text-sm text-muted">
              Walk through an MCP server’s OAuth flow step by step: every request, every rule, in the open.
              {hosted ? ' Hosted mode: only public https servers can be inspected.' : ''}
            </p>
          </div>
          <ThemeToggle />
        </header>
        <TargetForm demo={demo} />
        <ReportBar />
        {demo ? <DemoPicker demo={demo} /> : null}
        {demo?.adminUrl ? (
          <LiveOnly>
            <DemoControls />
          </LiveOnly>
        ) : null}
        <DoctorStrip />
        <FlowControls />
        <AuthorizationServerChoice variant="banner" />
        <Walkthrough />
        <TokenPanel />
        <ToolsPanel />
        <AuditPanel />
      </div>
    </InspectorProvider>
  );
}

/** Hidden while a report is open: controls that act on live servers. */
function LiveOnly({ children }: { children: ReactNode }) {
  const reading = useInspector((s) => s.report !== null);
  return reading ? null : children;
}

function Walkthrough() {
  return (
    <section aria-label="Walkthrough" className="grid gap-4 md:grid-cols-[19rem_minmax(0,1fr)]">
      <Stepper />
      <StepDetail />
    </section>
  );
}
