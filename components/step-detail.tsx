'use client';

import { STEP_INFO } from '@/lib/flow/step-info';
import { stepSummary } from '@/lib/flow/step-summary';
import { AuthorizationServerChoice } from './authorization-server-choice';
import { CheckList } from './check-list';
import { ErrorCallout } from './error-callout';
import { ExchangeList } from './exchange-list';
import { FactsView } from './facts-view';
import { formatDuration, spokenWire } from './format';
import { useInspector } from './inspector-provider';
import { defaultSelectedStep } from './selected-step';
import { StatusBadge } from './status-badge';

/** The selected step: what it is for, its checks, the facts it found and the raw exchanges. */
export function StepDetail() {
  const view = useInspector((s) => s.view);
  const selected = useInspector((s) => s.selectedStep);
  const openExchangeId = useInspector((s) => s.openExchangeId);
  if (!view) return null;
  const id = selected ?? defaultSelectedStep(view);
  const step = view.steps.find((s) => s.id === id);
  if (!step) return null;
  const info = STEP_INFO[step.id];
  const described = stepSummary(step.id, view.options.grant);
  const wire =
    step.id === 'mcp-init' && step.status !== 'pending' ? spokenWire(view.discovery.mcp) : undefined;

  return (
    <article aria-labelledby="step-title" className="min-w-0 rounded-lg border border-line bg-panel p-4">
      <header className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="step-title" className="text-lg font-semibold">
          {info.title}
        </h2>
        <p className="flex items-center gap-3 text-sm">
          <StatusBadge status={step.status} />
          {step.durationMs !== undefined ? (
            <span className="font-mono text-muted">{formatDuration(step.durationMs)}</span>
          ) : null}
        </p>
      </header>
      <p className="mt-1 text-sm">{described.summary}</p>
      <p className="mt-1 text-xs text-muted">{described.specRef}</p>
      {wire ? (
        <p
          data-testid="spoken-wire"
          className="mt-3 inline-block rounded-md border border-line bg-panel-2 px-3 py-1.5 text-sm font-medium"
        >
          {wire}
        </p>
      ) : null}

      {step.status === 'pending' ? (
        <p className="mt-4 text-sm text-muted">This step has not run yet.</p>
      ) : null}
      {step.error ? (
        <div className="mt-4">
          <ErrorCallout error={step.error} />
        </div>
      ) : null}
      {step.checks.length > 0 ? (
        <section className="mt-5" aria-label="Checks">
          <h3 className="mb-2 text-sm font-semibold">Checks</h3>
          <CheckList checks={step.checks} />
        </section>
      ) : null}
      {step.id === 'prm' && (view.discovery.authorizationServers?.length ?? 0) > 1 ? (
        <div className="mt-5">
          <AuthorizationServerChoice variant="inline" />
        </div>
      ) : null}
      {step.facts && Object.keys(step.facts).length > 0 ? (
        <section className="mt-5" aria-label="Findings">
          <h3 className="mb-2 text-sm font-semibold">Findings</h3>
          <FactsView facts={step.facts} />
        </section>
      ) : null}
      {step.exchanges.length > 0 ? (
        <section className="mt-5" aria-label="HTTP exchanges">
          <h3 className="mb-2 text-sm font-semibold">HTTP exchanges ({step.exchanges.length})</h3>
          <ExchangeList exchanges={step.exchanges} openId={openExchangeId} />
        </section>
      ) : null}
    </article>
  );
}
