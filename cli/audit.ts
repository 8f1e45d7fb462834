import {
  type FlowContext,
  type FlowState,
  handleCallback,
  runAccessAudit,
  testAudience,
  testRevocation,
  toView,
} from '../lib/flow';
import { cancelAudienceTest } from '../lib/flow/audit/audience';
import type { StepRecord } from '../lib/flow/types';

export interface CliAuditInput {
  ctx: FlowContext;
  /** Gets the authorization response for a URL (browser or --non-interactive), or says why not. */
  obtainCallback: (authorizationUrl: string) => Promise<URL | string>;
  /** Revoke this run's tokens at the end and check the old access token is rejected. */
  revoke: boolean;
  /** Wraps each network phase (deadline, progress line). */
  phase: <T>(label: string, work: () => Promise<T>) => Promise<T>;
}

export interface CliAuditOutcome {
  state: FlowState;
  /** Why the audit did not run (or stopped early), for the human output. */
  note?: string;
}

/** The access audit's check ids start with this. */
export const AUDIT_PREFIX = 'audit.';

/** Replaces one check's verdict in the 'tools' record (a CLI choice the engine's text cannot know). */
function restate(state: FlowState, id: string, message: string): FlowState {
  const records: StepRecord[] = state.records.map((r) =>
    r.id === 'tools' ? { ...r, checks: r.checks.map((c) => (c.id === id ? { ...c, message } : c)) } : r,
  );
  return { ...state, records } as FlowState;
}

/**
 * The web app's access audit, headless, with the same check ids: the read-only rows on the connected
 * session, then the audience test (one more authorization, the session kept), then, unless
 * `revoke` is false, revocation of this run's own tokens with the old access token sent once more.
 * Revocation ends the session, so it comes last.
 * @see lib/flow/audit
 */
export async function runCliAudit(start: FlowState, input: CliAuditInput): Promise<CliAuditOutcome> {
  const { ctx, phase } = input;
  if (start.step !== 'connected') return { state: start };
  if ((start as { unprotected?: unknown }).unprotected === true) {
    return {
      state: start,
      note: 'The access audit does not apply: the server answered without a token, so there is no access model to test.',
    };
  }
  let state = await phase('Access audit…', () => runAccessAudit(start, ctx));
  if (state.step !== 'connected') {
    return { state, note: 'The access audit stopped: the session lost its authorization.' };
  }

  // The audience row: a token for a made-up resource, sent to the server once.
  const before = state;
  let waiting = await phase('Audience test: authorization for a made-up resource…', () =>
    testAudience(before, ctx),
  );
  if (waiting.step === 'awaiting-callback') {
    const url = toView(waiting).authorizationUrl;
    const callback = url ? await input.obtainCallback(url) : 'the engine gave no authorization URL.';
    const at = waiting;
    waiting =
      typeof callback === 'string'
        ? cancelAudienceTest(at, ctx, `the sign-in for the audience test did not complete: ${callback}`)
        : await phase('Audience test…', () => handleCallback(at, callback, ctx));
  }
  state = waiting;
  if (state.step !== 'connected') {
    return { state, note: 'The audience test did not come back to the connected session.' };
  }

  if (!input.revoke) {
    return {
      state: restate(
        state,
        'audit.revoked-token-rejected',
        'Not tested: --no-revoke keeps this run’s tokens, so revocation was not tried.',
      ),
    };
  }
  const connected = state;
  state = await phase('Revocation test…', () => testRevocation(connected, ctx));
  return { state };
}
