import type { StepId } from '@/lib/flow/types';
import type { ShownView } from '@/lib/flow/view';

/** With nothing selected, show the step that needs attention: a failure, else the last one that ran. */
export function defaultSelectedStep(view: ShownView): StepId {
  const failed = view.steps.find((s) => s.status === 'failed');
  if (failed) return failed.id;
  const ran = view.steps.filter((s) => s.status !== 'pending' && s.status !== 'waiting');
  return (ran[ran.length - 1] ?? view.steps[0])?.id ?? 'probe';
}
