import { runNextStep } from '../engine';
import { createFlow, type FlowState } from '../state';
import type { FlowContext } from '../step-run';
import type { FlowOptions } from '../types';

/** Runs from a new flow until `step` is next (or the flow pauses, ends or fails). */
export async function driveTo(
  options: FlowOptions,
  ctx: FlowContext,
  step: FlowState['step'],
): Promise<FlowState> {
  let state = createFlow(options);
  for (let i = 0; i < 20 && state.step !== step; i++) {
    if (state.step === 'failed' || state.step === 'connected' || state.step === 'awaiting-callback') break;
    state = await runNextStep(state, ctx);
  }
  return state;
}

/** The state narrowed to `step`, or a test failure that says where the flow really is and why. */
/** The state at `step`, through OAuth (tests of unprotected servers use `atUnprotected`). */
export function at<S extends FlowState['step']>(
  state: FlowState,
  step: S,
): Exclude<Extract<FlowState, { step: S }>, { unprotected: true }> {
  if (state.step !== step) {
    throw new Error(
      `expected ${step}, got ${state.step}: ${'error' in state ? JSON.stringify(state.error) : ''}`,
    );
  }
  if ('unprotected' in state) throw new Error(`expected ${step} through OAuth, got an unprotected server`);
  return state as Exclude<Extract<FlowState, { step: S }>, { unprotected: true }>;
}

export function checksOf(state: FlowState, stepId?: string) {
  return state.records.filter((r) => !stepId || r.id === stepId).flatMap((r) => r.checks);
}

export function check(state: FlowState, id: string) {
  const c = checksOf(state).find((x) => x.id === id);
  if (!c)
    throw new Error(
      `no check ${id}; have ${checksOf(state)
        .map((x) => x.id)
        .join(', ')}`,
    );
  return c;
}
