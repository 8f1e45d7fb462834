'use client';

import {
  answerToolInputAction,
  chooseAuthorizationServerAction,
  disconnectAction,
  nextStepAction,
  reconnectAction,
  runAllAction,
  runAuditAction,
  runToolAction,
  testAudienceAction,
  testRevocationAction,
} from '@/app/actions';
import type { Holding } from '@/lib/contract';
import type { InputAnswer } from '@/lib/mcp/input-required';
import { safeHttpUrl } from './external-link';
import { useInspector, useInspectorStore } from './inspector-provider';
import { serverRefusal } from './server-refusal';
import { useAnswers, useRunAction, useStartActions } from './use-start-actions';

/** The UI's only way to change the flow: server actions, each answering with what changed in the view. */
export function useInspectorActions() {
  const { holding, apply } = useAnswers();
  const store = useInspectorStore();
  const setBusy = useInspector((s) => s.setBusy);
  const setActionError = useInspector((s) => s.setActionError);
  const setToolRun = useInspector((s) => s.setToolRun);
  const clearToolRuns = useInspector((s) => s.clearToolRuns);
  const selectStep = useInspector((s) => s.selectStep);
  const showView = useInspector((s) => s.showView);
  const run = useRunAction();
  const startActions = useStartActions();

  /** Runs an action that prepares a sign-in, then sends the browser to the authorization server. */
  const signInAgain = async (action: typeof reconnectAction) => {
    setBusy('Preparing the sign-in…');
    setActionError(null);
    try {
      const result = await action(holding());
      if (!result.ok) {
        setActionError(result.error);
        return;
      }
      await apply(result.value);
      const view = store.getState().live.view;
      const url = safeHttpUrl(view?.authorizationUrl);
      if (view?.step === 'awaiting-callback' && url) window.location.assign(url);
    } catch (error) {
      setActionError(
        serverRefusal(error) ??
          'The inspector’s server did not answer. Check that it is still running, then try again.',
      );
    } finally {
      setBusy(null);
    }
  };

  return {
    ...startActions,
    next: () => {
      // Guided mode explains each step: the walkthrough shows the one that just ran.
      selectStep(null);
      showView('walkthrough');
      return run('Running the next step…', nextStepAction);
    },
    runAll: () => {
      selectStep(null);
      return run('Running…', runAllAction);
    },
    chooseAuthorizationServer: (index: number) => {
      clearToolRuns();
      selectStep(null);
      return run('Switching the authorization server…', (held) =>
        chooseAuthorizationServerAction(index, held),
      );
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
      return run('Revoking and testing…', (held) => testRevocationAction(true, held));
    },
    runTool: (name: string, args: unknown) => toolCall(name, (held) => runToolAction(name, args, held)),
    /** Answers an input-required result: the same call again, with the answers. */
    answerInput: (name: string, answers: Record<string, InputAnswer> | 'decline') =>
      toolCall(name, (held) => answerToolInputAction(answers, held)),
  };

  async function toolCall(name: string, action: (held: Holding) => ReturnType<typeof runToolAction>) {
    setToolRun(name, { running: true });
    try {
      const result = await action(holding());
      if (result.ok) {
        await apply(result.value);
        setToolRun(name, { running: false, result: result.value.result });
      } else {
        setToolRun(name, { running: false, error: result.error });
      }
    } catch (error) {
      setToolRun(name, {
        running: false,
        error: serverRefusal(error) ?? 'The inspector’s server did not answer.',
      });
    }
  }
}
