import type { FlowView } from '@/lib/flow';
import type { StepId } from '@/lib/flow/types';

/** With nothing selected, show the step that needs attention: a failure, a wait, else the last one run. */
export function defaultSelectedStep(view: FlowView): StepId {
  const failed = view.steps.find((s) => s.status === 'failed');
  if (failed) return failed.id;
  const waiting = view.steps.find((s) => s.status === 'waiting');
  if (waiting) return waiting.id;
  const ran = view.steps.filter((s) => s.status !== 'pending');
  return (ran[ran.length - 1] ?? view.steps[0])?.id ?? 'probe';
}
