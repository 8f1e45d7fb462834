'use client';

import { useCallback } from 'react';
import { resetAction, setModeAction, startAction } from '@/app/actions';
import type { Holding, StartInput, WalkthroughMode } from '@/lib/contract';
import { useInspector } from './inspector-provider';
import { useAnswers } from './merge-answer';
import { serverRefusal } from './server-refusal';

/** An action, given what the page holds (it answers with what changed). */
type ViewAction = (holding: Holding) => ReturnType<typeof startAction>;

/** Runs one server action that answers with the view's changes: busy while it runs, the error if it fails. */
export function useRunAction() {
  const { holding, apply } = useAnswers();
  const setBusy = useInspector((s) => s.setBusy);
  const setActionError = useInspector((s) => s.setActionError);
  return useCallback(
    async (label: string, action: ViewAction) => {
      setBusy(label);
      setActionError(null);
      try {
        const result = await action(holding());
        if (result.ok) await apply(result.value);
        else setActionError(result.error);
      } catch (error) {
        setActionError(
          serverRefusal(error) ??
            'The inspector’s server did not answer. Check that it is still running, then try again.',
        );
      } finally {
        setBusy(null);
      }
    },
    [apply, holding, setActionError, setBusy],
  );
}

/**
 * What the start page can do: start a walkthrough, choose the mode, start over. Kept apart from the
 * walkthrough's actions so the start page loads only these.
 */
export function useStartActions() {
  const run = useRunAction();
  const clearToolRuns = useInspector((s) => s.clearToolRuns);
  const selectStep = useInspector((s) => s.selectStep);
  const setModeLocal = useInspector((s) => s.setMode);
  return {
    start: (input: StartInput) => {
      clearToolRuns();
      selectStep(null);
      return run('Starting…', () => startAction(input));
    },
    setMode: (mode: WalkthroughMode) => {
      setModeLocal(mode);
      return run('Saving…', (holding) => setModeAction(mode, holding));
    },
    reset: () => {
      clearToolRuns();
      selectStep(null);
      return run('Resetting…', resetAction);
    },
  };
}
