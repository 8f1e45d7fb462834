import { type Connected, isUnprotected } from './access';
import { beginAudienceTest, finishAudienceTest, isAudienceTest } from './audit/audience';
import { toFlowErrorInfo } from './errors';
import { AuthorizationServerChangedError, beginMigration, migrationOffer } from './migration';
import { PREFETCH_NOTE, prefetchProtectedResourceMetadata } from './prefetch';
import { beginReauthorization } from './recovery';
import { type FlowState, isRunnable, type RunnableStep, type StateAt } from './state';
import { type FlowContext, orderedRecord, StepRun, upsertRecord } from './step-run';
import { runAsMetadata } from './steps/as-metadata';
import { runAuthorize } from './steps/authorize';
import { runCallback } from './steps/callback';
import { runMcpInit, runTools } from './steps/mcp';
import { runPrm } from './steps/prm';
import { runProbe } from './steps/probe';
import { runRegistration } from './steps/registration';
import { runToken } from './steps/token';
import { FlowError, type FlowErrorInfo, STEP_ORDER, type StepId, type StepRecord } from './types';

type StepImpl<S extends RunnableStep> = (state: StateAt<S>, run: StepRun) => Promise<FlowState>;

const STEPS: { [S in RunnableStep]: StepImpl<S> } = {
  probe: runProbe,
  prm: runPrm,
  'as-metadata': runAsMetadata,
  registration: runRegistration,
  authorize: runAuthorize,
  token: runToken,
  'mcp-init': runMcpInit,
  tools: runTools,
};

function failed(state: FlowState, run: StepRun, error: FlowErrorInfo): FlowState {
  const record = orderedRecord(run.finish({ error }));
  const { step: _step, ...data } = state as FlowState & Record<string, unknown>;
  return {
    ...(data as Omit<FlowState, 'step'>),
    step: 'failed',
    error,
    failedStep: run.stepId,
    records: upsertRecord(state.records, record),
    seq: run.nextSeq,
    // A re-authorization that failed (e.g. consent denied) can be tried again.
    ...(state.reauth && !state.recovery ? { recovery: state.reauth } : {}),
  } as FlowState;
}

/** The steps an unprotected server skips: everything between the probe and the MCP session. */
const OAUTH_STEPS: StepId[] = ['prm', 'as-metadata', 'registration', 'authorize', 'callback', 'token'];

/** Runs `body` as step `stepId`; FlowErrors (and anything unexpected) become the 'failed' state. */
async function runStep(
  state: FlowState,
  stepId: StepId,
  ctx: FlowContext,
  body: (run: StepRun) => Promise<FlowState> | FlowState,
  existing?: StepRecord,
): Promise<FlowState> {
  // Signing in again adds to the steps' records, so the trace keeps why it was needed.
  const continued = existing ?? (state.reauth ? state.records.find((r) => r.id === stepId) : undefined);
  const run = new StepRun(stepId, ctx, state.secrets, state.seq, continued);
  try {
    const next = await run.withinBudget(Promise.resolve().then(() => body(run)));
    let records = upsertRecord(state.records, orderedRecord(run.finish()));
    if (stepId === 'probe' && isUnprotected(next)) {
      for (const id of OAUTH_STEPS) {
        records = upsertRecord(records, {
          id,
          status: 'skipped',
          checks: [],
          exchanges: [],
          facts: {
            skipped:
              'The server answered without a token: it requires no authorization, so this step does not apply.',
          },
        });
      }
    }
    if (stepId === 'authorize' && next.step === 'token') {
      records = upsertRecord(records, {
        id: 'callback',
        status: 'skipped',
        checks: [],
        exchanges: [],
        facts: { skipped: 'The client credentials grant has no browser and no authorization response.' },
      });
    }
    if (next.step === 'awaiting-callback') {
      const previous = next.reauth ? records.find((r) => r.id === 'callback') : undefined;
      records = upsertRecord(
        records,
        previous
          ? { ...previous, status: 'waiting' }
          : { id: 'callback', status: 'waiting', checks: [], exchanges: [] },
      );
    }
    return { ...next, records, seq: run.nextSeq };
  } catch (err) {
    const failedState = failed(state, run, toFlowErrorInfo(err));
    if (!(err instanceof AuthorizationServerChangedError)) return failedState;
    const scope = (state as Partial<Connected>).authorization?.scope;
    return { ...failedState, recovery: migrationOffer(err.change, scope ? { scope } : {}) };
  }
}

/**
 * Runs exactly one step. Never throws: a failure becomes `{ step: 'failed', error, failedStep }`
 * with the step's record marked failed. Pauses and ends are returned unchanged.
 */
export async function runNextStep(state: FlowState, ctx: FlowContext): Promise<FlowState> {
  if (!isRunnable(state)) return state;
  const impl = STEPS[state.step] as StepImpl<RunnableStep>;
  return runStep(state, state.step, ctx, (run) => impl(state as StateAt<RunnableStep>, run));
}

/**
 * Runs steps until the flow pauses for the browser ('awaiting-callback') or ends. From the probe, in
 * `matrix` discovery, the well-known metadata requests go out together with the probe (see
 * prefetch.ts): one round trip fewer on every path.
 */
export async function runUntilPause(
  state: FlowState,
  ctx: FlowContext,
  opts: {
    /** Stop when the flow reaches this step (before running it); benches stop after discovery. */
    stopAt?: FlowState['step'];
    /** Called before each step runs, with the state it starts from (progress displays). */
    beforeStep?: (state: FlowState) => void;
    /** Called after each step, with the state it produced. */
    afterStep?: (state: FlowState) => void;
  } = {},
): Promise<FlowState> {
  let current = state;
  const prefetch =
    current.step === 'probe' && (current.options.discovery ?? 'matrix') === 'matrix'
      ? prefetchProtectedResourceMetadata(ctx, current.options.serverUrl)
      : undefined;
  // Each step moves forward, so this ends; the bound is a guard against a future bug.
  for (let i = 0; i < 20 && isRunnable(current) && current.step !== opts.stopAt; i++) {
    const early = prefetch && (current.step === 'probe' || current.step === 'prm');
    const ranPrm = current.step === 'prm';
    opts.beforeStep?.(current);
    current = await runNextStep(current, early ? prefetch.ctx : ctx);
    if (early && ranPrm && prefetch.used.size > 0) current = notePrefetch(current);
    opts.afterStep?.(current);
  }
  return current;
}

function notePrefetch(state: FlowState): FlowState {
  return {
    ...state,
    records: state.records.map((r) =>
      r.id === 'prm' ? { ...r, facts: { ...r.facts, requestedEarly: PREFETCH_NOTE } } : r,
    ),
  } as FlowState;
}

/**
 * Takes the authorization response (the redirect URL, or its query). The state must be
 * 'awaiting-callback' (otherwise a FlowError 'invalid_state' is thrown and nothing changes: the
 * caller refuses replayed callbacks). Records the 'callback' step and moves to 'token', or to
 * 'failed' on a state/iss mismatch or an authorization error.
 * @see RFC 6749 §4.1.2; RFC 9207 §2.4
 */
export async function handleCallback(
  state: FlowState,
  callbackUrl: URL | URLSearchParams,
  ctx: FlowContext,
): Promise<FlowState> {
  if (state.step !== 'awaiting-callback') {
    throw new FlowError({
      code: 'invalid_state',
      message: `The flow is at '${state.step}', not waiting for an authorization response; the callback was not used.`,
      hint: 'Each authorization response is accepted once. Start the authorization again if needed.',
    });
  }
  // The audit's audience test has its own authorization; its response never touches the session's flow.
  if (isAudienceTest(state)) return finishAudienceTest(state, callbackUrl, ctx);
  return runStep(state, 'callback', ctx, (run) => runCallback(state, callbackUrl, run));
}

/**
 * Accepts the flow's recovery offer (or reconnects after a disconnect): a new authorization request
 * (new PKCE verifier and state) for the same server and client registration, with the previous
 * scope, or granted ∪ required scope for step-up. Returns 'awaiting-callback'; after the callback the
 * flow runs to 'connected' and `resumeAfterReauthorization` repeats the interrupted operation.
 * Throws FlowError 'invalid_state' when there is nothing to reconnect.
 * @see MCP 2025-11-25 §Scope Challenge Handling (step-up authorization); RFC 6749 §4.1.1
 */
export async function reconnect(state: FlowState, ctx: FlowContext): Promise<FlowState> {
  // The authorization server changed: register there afresh (its metadata, registration, then the
  // authorization request), never with what the old one issued (SEP-2352).
  if (state.recovery?.migrateTo) return runToAuthorization(beginMigration(state), ctx);
  return runNextStep(beginReauthorization(state), ctx);
}

/** Runs the steps up to the authorization request (or a failure), whatever the walkthrough mode. */
async function runToAuthorization(state: FlowState, ctx: FlowContext): Promise<FlowState> {
  let current = state;
  for (let i = 0; i < STEP_ORDER.length && isRunnable(current); i++) {
    current = await runNextStep(current, ctx);
  }
  return current;
}

/**
 * The access audit's audience test: one more authorization, asking for a made-up resource alone.
 * Returns 'awaiting-callback' with the connected session kept; after the callback the token (if the
 * authorization server issues one) goes to the server once, which must refuse it, and the flow is
 * back at 'connected' whatever happened. Only when connected.
 * @see MCP 2025-11-25 §Access Token Privilege Restriction; RFC 8707 §2
 */
export async function testAudience(state: FlowState, ctx: FlowContext): Promise<FlowState> {
  return beginAudienceTest(state, ctx);
}
