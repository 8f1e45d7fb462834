'use client';

import type { Check } from '@/lib/flow/types';
import { useInspector } from './inspector-provider';
import { StatusBadge } from './status-badge';

/** Counts of pass / warn / fail, and the first failure spelled out with what to do. */
export function DoctorStrip() {
  const view = useInspector((s) => s.view);
  const selectStep = useInspector((s) => s.selectStep);
  if (!view) return null;

  const checks: Array<Check & { stepId: (typeof view.steps)[number]['id'] }> = view.steps.flatMap((step) =>
    step.checks.map((c) => ({ ...c, stepId: step.id })),
  );
  const count = (status: Check['status']) => checks.filter((c) => c.status === status).length;
  // When the flow stopped, spell out the failure that stopped it: the failed step's last (most specific)
  // failed check, e.g. as.issuer-match rather than the as.found it implies.
  const stopping =
    view.step === 'failed'
      ? checks.filter((c) => c.stepId === view.failedStep && c.status === 'fail').at(-1)
      : undefined;
  const firstFail = stopping ?? checks.find((c) => c.status === 'fail');
  const firstWarn = checks.find((c) => c.status === 'warn');

  return (
    <section aria-label="Doctor summary" className="rounded-lg border border-line bg-panel px-4 py-3">
      <div className="flex flex-wrap items-center gap-x-6 gap-y-2 text-sm">
        <h2 className="font-semibold">Doctor</h2>
        <span data-testid="count-pass">
          <StatusBadge status="pass" compact /> {count('pass')} passed
        </span>
        <span data-testid="count-warn">
          <StatusBadge status="warn" compact /> {count('warn')} {count('warn') === 1 ? 'warning' : 'warnings'}
        </span>
        <span data-testid="count-fail">
          <StatusBadge status="fail" compact /> {count('fail')} failed
        </span>
        <span className="text-muted">
          {count('skip')} skipped · judged against {view.options.specVersion}
        </span>
      </div>
      {(firstFail ?? firstWarn) ? (
        <FirstFinding
          check={(firstFail ?? firstWarn)!}
          onShow={() => selectStep((firstFail ?? firstWarn)!.stepId)}
        />
      ) : null}
    </section>
  );
}

function FirstFinding({ check, onShow }: { check: Check; onShow: () => void }) {
  return (
    <div className="mt-2 flex items-start justify-between gap-3 border-t border-line pt-2 text-sm">
      <div className="min-w-0 flex-1">
        <p className="flex flex-wrap items-center gap-2">
          <StatusBadge status={check.status} />
          <span className="font-medium">{check.title}</span>
          <code className="font-mono text-xs text-muted">{check.id}</code>
        </p>
        <p className="mt-0.5">
          {check.message} <span className="text-xs text-muted">{check.specRef}</span>
        </p>
      </div>
      <button type="button" onClick={onShow} className="shrink-0 rounded-md border border-line px-3 py-1">
        Show the step
      </button>
    </div>
  );
}
