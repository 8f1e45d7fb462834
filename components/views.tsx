'use client';

import { type KeyboardEvent, lazy, type ReactNode, Suspense, useRef } from 'react';
import type { ShownView } from '@/lib/flow/view';
import { VIEW_IDS, type ViewId } from '@/lib/store/inspector-store';
import { useInspector } from './inspector-provider';
import { StepDetail } from './step-detail';

const SequenceDiagram = lazy(() =>
  import('./sequence-diagram').then((m) => ({ default: m.SequenceDiagram })),
);
const TimelineView = lazy(() => import('./timeline-view').then((m) => ({ default: m.TimelineView })));
const ToolsPanel = lazy(() => import('./tools-panel').then((m) => ({ default: m.ToolsPanel })));
const TokenPanel = lazy(() => import('./token-panel').then((m) => ({ default: m.TokenPanel })));
const AuditPanel = lazy(() => import('./audit-panel').then((m) => ({ default: m.AuditPanel })));

const LABELS: Record<ViewId, string> = {
  walkthrough: 'Walkthrough',
  sequence: 'Sequence',
  timeline: 'Timeline',
  tools: 'Tools',
  token: 'Token',
  audit: 'Audit',
};

/** With no choice made, the view follows the flow: the walkthrough, then the tools once connected. */
export function currentView(chosen: ViewId | null, view: ShownView): ViewId {
  return chosen ?? (view.step === 'connected' ? 'tools' : 'walkthrough');
}

/**
 * The view switcher (WAI-ARIA tabs: arrow keys move between tabs, Tab goes into the panel) and the
 * chosen view. Views other than the walkthrough load the first time they are shown.
 */
export function Views() {
  const view = useInspector((s) => s.view);
  const chosen = useInspector((s) => s.activeView);
  const showView = useInspector((s) => s.showView);
  const tabs = useRef<Partial<Record<ViewId, HTMLButtonElement | null>>>({});
  if (!view) return null;
  const current = currentView(chosen, view);
  const toolCount = view.tools.length + (view.excludedTools?.length ?? 0);
  const auditRan = view.steps.some(
    (s) => s.id === 'tools' && s.checks.some((c) => c.id.startsWith('audit.')),
  );

  function onKeyDown(event: KeyboardEvent) {
    const at = VIEW_IDS.indexOf(current);
    const to =
      event.key === 'ArrowRight'
        ? VIEW_IDS[(at + 1) % VIEW_IDS.length]
        : event.key === 'ArrowLeft'
          ? VIEW_IDS[(at - 1 + VIEW_IDS.length) % VIEW_IDS.length]
          : event.key === 'Home'
            ? VIEW_IDS[0]
            : event.key === 'End'
              ? VIEW_IDS[VIEW_IDS.length - 1]
              : undefined;
    if (!to) return;
    event.preventDefault();
    showView(to);
    tabs.current[to]?.focus();
  }

  const badge = (id: ViewId): ReactNode => {
    if (id === 'tools' && toolCount > 0) return <span className="text-muted"> ({toolCount})</span>;
    if (id === 'audit' && auditRan) return <span className="text-muted"> (ran)</span>;
    return null;
  };

  return (
    <section aria-label="Views" className="min-w-0">
      <div
        role="tablist"
        aria-label="Views of this walkthrough"
        tabIndex={-1}
        onKeyDown={onKeyDown}
        className="flex flex-wrap gap-1 border-b border-line"
      >
        {VIEW_IDS.map((id) => {
          const selected = id === current;
          return (
            <button
              key={id}
              ref={(el) => {
                tabs.current[id] = el;
              }}
              type="button"
              role="tab"
              id={`view-tab-${id}`}
              aria-selected={selected}
              aria-controls="view-panel"
              tabIndex={selected ? 0 : -1}
              onClick={() => showView(id)}
              className={`-mb-px rounded-t-md border px-3 py-1.5 text-sm ${
                selected
                  ? 'border-line border-b-panel bg-panel font-semibold'
                  : 'border-transparent text-muted hover:text-fg'
              }`}
            >
              {LABELS[id]}
              {badge(id)}
            </button>
          );
        })}
      </div>
      <div role="tabpanel" id="view-panel" aria-labelledby={`view-tab-${current}`} className="mt-3">
        <Suspense fallback={<p className="p-4 text-sm text-muted">Loading…</p>}>
          <Panel id={current} />
        </Suspense>
      </div>
    </section>
  );
}

function Panel({ id }: { id: ViewId }) {
  switch (id) {
    case 'walkthrough':
      return <StepDetail />;
    case 'sequence':
      return <SequenceDiagram />;
    case 'timeline':
      return <TimelineView />;
    case 'tools':
      return <ToolsOrEmpty />;
    case 'token':
      return <TokenOrEmpty />;
    case 'audit':
      return <AuditOrEmpty />;
  }
}

function Empty({ children }: { children: ReactNode }) {
  return (
    <p className="rounded-lg border border-dashed border-line bg-panel p-4 text-sm text-muted">{children}</p>
  );
}

function ToolsOrEmpty() {
  const listed = useInspector((s) => (s.view?.tools.length ?? 0) + (s.view?.excludedTools?.length ?? 0));
  if (listed === 0)
    return <Empty>No tools yet: the server’s tools are listed once the MCP session is open.</Empty>;
  return <ToolsPanel />;
}

function TokenOrEmpty() {
  const hasToken = useInspector((s) => Boolean(s.view?.token));
  const connected = useInspector((s) => s.view?.step === 'connected');
  if (!hasToken)
    return (
      <Empty>
        {connected
          ? 'No token: this server answers without one, so there was no sign-in.'
          : 'No token yet: it appears here after the token exchange, redacted, with its decoded claims.'}
      </Empty>
    );
  return <TokenPanel />;
}

function AuditOrEmpty() {
  const step = useInspector((s) => s.view?.step);
  const reading = useInspector((s) => s.report !== null);
  const hasAudit = useInspector((s) =>
    Boolean(s.view?.steps.some((r) => r.id === 'tools' && r.checks.some((c) => c.id.startsWith('audit.')))),
  );
  if (!hasAudit && (step !== 'connected' || reading))
    return (
      <Empty>
        {reading
          ? 'This report has no access audit.'
          : 'The access audit runs once connected: read-only requests that check the server’s access model.'}
      </Empty>
    );
  return <AuditPanel />;
}
