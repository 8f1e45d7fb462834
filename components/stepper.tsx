'use client';

import { STEP_INFO } from '@/lib/flow/step-info';
import type { StepId } from '@/lib/flow/types';
import { formatDuration } from './format';
import { useInspector } from './inspector-provider';
import { defaultSelectedStep } from './selected-step';
import { StatusBadge } from './status-badge';

/** The vertical list of steps: name, status, duration. Selecting one opens its detail. */
export function Stepper() {
  const view = useInspector((s) => s.view);
  const selected = useInspector((s) => s.selectedStep);
  const selectStep = useInspector((s) => s.selectStep);
  if (!view) return null;
  const current = selected ?? defaultSelectedStep(view);

  return (
    <nav aria-label="Steps" className="rounded-lg border border-line bg-panel p-2">
      <ol className="flex flex-col">
        {view.steps.map((step, index) => {
          const isSelected = step.id === current;
          return (
            <li key={step.id}>
              <button
                type="button"
                aria-current={isSelected ? 'step' : undefined}
                onClick={() => selectStep(step.id as StepId)}
                className={`flex w-full items-center gap-1.5 rounded-md px-2 py-1.5 text-left text-[13px] leading-snug ${
                  isSelected ? 'bg-panel-2 font-semibold' : 'hover:bg-panel-2'
                } ${step.status === 'pending' ? 'text-muted' : ''}`}
              >
                <span className="w-4 shrink-0 text-right font-mono text-xs text-muted">{index + 1}</span>
                <span className="min-w-0 flex-1">{STEP_INFO[step.id].title}</span>
                <StatusBadge status={step.status} compact />
                <span className="w-12 shrink-0 text-right font-mono text-[11px] text-muted">
                  {step.durationMs !== undefined ? formatDuration(step.durationMs) : ''}
                </span>
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
