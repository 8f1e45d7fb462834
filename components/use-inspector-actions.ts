'use client';

import { useCallback } from 'react';
import {
  answerToolInputAction,
  chooseAuthorizationServerAction,
  disconnectAction,
  nextStepAction,
  reconnectAction,
  resetAction,
  runAllAction,
  runAuditAction,
  runToolAction,
  setModeAction,
  startAction,
  testAudienceAction,
  testRevocationAction,
} from '@/app/actions';
import type { InputAnswer } from '@/lib/mcp/input-required';
import type { StartInput } from '@/lib/server/inspector';
import type { WalkthroughMode } from '@/lib/store/inspector-store';
import { safeHttpUrl } from './external-link';
import { useInspector } from './inspector-provider';

/** The UI's only way to change the flow: server actions, each answering with a fresh snapshot. */
export function useInspectorActions() {
  const applySnapshot = useInspector((s) => s.applySnapshot);
  const setBusy = useInspector((s) => s.setBusy);
  const setActionError = useInspector((s) => s.setActionError);
  const setToolRun = useInspector((s) => s.setToolRun);
  const clearToolRuns = useInspector((s) => s.clearToolRuns);
  const selectStep = useInspector((s) => s.selectStep);
  const setModeLocal = useInspector((s) => s.setMode);

  const run = useCallback(
    async (label: string, action: () => ReturnType<typeof startAction>) => {
      setBusy(label);
      setActionError(null);
      try {
        const result = await action();
        if (result.ok) applySnapshot(result.value);
        else setActionError(result.error);
      } catch {
        setActionError(
          'The inspector’s server did not answer. Check that it is still running, then try again.',
        );
      } finally {
        setBusy(null);
      }
    },
    [applySnapshot, setActionError, setBusy],
  );

  /** Runs an action that prepares a sign-in, then sends the browser to the authorization server. */
  const signInAgain = async (action: () => ReturnType<typeof reconnectAction>) => {
    setBusy('Preparing the sign-in…');
    setActionError(null);
    try {
      const result = await action();
      if (!result.ok) {
        setActionError(result.error);
        return;
      }
      applySnapshot(result.value);
      const url = safeHttpUrl(result.value.view?.authorizationUrl);
      if (result.value.view?.step === 'awaiting-callback' && url) window.location.assign(url);
    } catch {
      setActionError(
        'The inspector’s server did not answer. Check that it is still running, then try again.',
      );
    } finally {
      setBusy(null);
    }
  };

  return {
    start: (input: StartInput) => {
      clearToolRuns();
      selectStep(null);
      return run('Starting…', () => startAction(input));
    },
    next: () => {
      selectStep(null);
      return run('Running the next step…', nextStepAction);
    },
    runAll: () => {
      selectStep(null);
      return run('Running…', runAllAction);
    },
    chooseAuthorizationServer: (index: number) => {
      clearToolRuns();
      selectStep(null);
      return run('Switching the authorization server…', () => chooseAuthorizationServerAction(index));
    },
    reset: () => {
      clearToolRuns();
      selectStep(null);
      return run('Resetting…', resetAction);
    },
    setMode: (mode: WalkthroughMode) => {
      setModeLocal(mode);
      return run('Saving…', () => setModeAction(mode));
    },
    /** Reconnect or step-up: the server builds a new authorization request, and the browser goes there. */
    reconnect: () => signInAgain(reconnectAction),
    /** The audit's audience row: a sign-in that also names a made-up resource. */
    testAudience: () => signInAgain(testAudienceAction),
    disconnect: () => {
      clearToolRuns();
      return run('Disconnecting…', disconnectAction);
    },
    runAudit: () => run('Running the access audit…', runAuditAction),
    testRevocation: () => {
      clearToolRuns();
      return run('Revoking and testing…', () => testRevocationAction(true));
    },
    runTool: (name: string, args: unknown) => toolCall(name, () => runToolAction(name, args)),
    /** Answers an input-required result: the same call again, with the answers. */
    answerInput: (name: string, answers: Record<string, InputAnswer> | 'decline') =>
      toolCall(name, () => answerToolInputAction(answers)),
  };

  async function toolCall(name: string, action: () => ReturnType<typeof runToolAction>) {
    setToolRun(name, { running: true });
    try {
      const result = await action();
      if (result.ok) {
        applySnapshot(result.value);
        setToolRun(name, { running: false, result: result.value.result });
      } else {
        setToolRun(name, { running: false, error: result.error });
      }
    } catch {
      setToolRun(name, { running: false, error: 'The inspector’s server did not answer.' });
    }
  }
}
