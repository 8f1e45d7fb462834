'use client';

import { useCallback } from 'react';
import { resetAction, setModeAction, startAction } from '@/app/actions';
import type { Holding, InspectorAnswer, StartInput, WalkthroughMode } from '@/lib/contract';
import { useInspector, useInspectorStore } from './inspector-provider';
import { serverRefusal } from './server-refusal';

/**
 * What every action sends and how its answer lands: `holding()` is what the page holds now, and
 * `apply()` puts an answer into it. A full view applies here; merging a delta loads its code when
 * first needed, so the start page (whose Start always answers with a full view) does not carry it.
 * (Here rather than in a module of its own: the start page needs it, and every module costs bytes.)
 */
export function useAnswers() {
  const store = useInspectorStore();
  const holding = useCallback((): Holding => {
    const { rev, held } = store.getState().live;
    return { rev, held };
  }, [store]);
  const apply = useCallback(
    async ({ update, mode }: InspectorAnswer) => {
      const live =
        'full' in update
          ? { view: update.full, held: update.fp, rev: update.rev }
          : await (await import('./merge-delta')).mergeDelta(store.getState().live, update);
      store.getState().applyLive(live, mode);
    },
    [store],
  );
  return { holding, apply };
}

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
