import { MCP_REQUEST_TIMEOUT_MS, type ShapedToolResult, shapeToolResult } from '../mcp/tools';
import { toFlowErrorInfo } from './errors';
import { type FlowState, isRunnable, type RunnableStep, type StateAt } from './state';
import { type FlowContext, StepRun, upsertRecord } from './step-run';
import { runAsMetadata } from './steps/as-metadata';
import { runAuthorize } from './steps/authorize';
import { runCallback } from './steps/callback';
import {
  isSessionEnding,
  McpAttemptError,
  mcpFlowError,
  runMcpInit,
  runTools,
  withMcpSession,
} from './steps/mcp';
import { runPrm } from './steps/prm';
import { runProbe } from './steps/probe';
import { runRegistration } from './steps/registration';
import { runToken } from './steps/token';
import { FlowError, type FlowErrorInfo, type StepId, type StepRecord } from './types';
import type { ToolCallView } from './view';

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

/**
 * Sorts a record's exchanges by start time (streams record when they end, not when they start).
 * Copies the arrays, so a step stopped by its time budget cannot change the record afterwards.
 */
function ordered(record: StepRecord): StepRecord {
  return {
    ...record,
    checks: [...record.checks],
    exchanges: [...record.exchanges].sort((a, b) => a.startedAt - b.startedAt),
  };
}

function failed(state: FlowState, run: StepRun, error: FlowErrorInfo): FlowState {
  const record = ordered(run.finish({ error }));
  const { step: _step, ...data } = state as FlowState & Record<string, unknown>;
  return {
    ...(data as Omit<FlowState, 'step'>),
    step: 'failed',
    error,
    failedStep: run.stepId,
    records: upsertRecord(state.records, record),
    seq: run.nextSeq,
  } as FlowState;
}

/** Runs `body` as step `stepId`; FlowErrors (and anything unexpected) become the 'failed' state. */
async function runStep(
  state: FlowState,
  stepId: StepId,
  ctx: FlowContext,
  body: (run: StepRun) => Promise<FlowState> | FlowState,
  existing?: StepRecord,
): Promise<FlowState> {
  const run = new StepRun(stepId, ctx, state.secrets, state.seq, existing);
  try {
    const next = await run.withinBudget(Promise.resolve().then(() => body(run)));
    let records = upsertRecord(state.records, ordered(run.finish()));
    if (next.step === 'awaiting-callback') {
      records = upsertRecord(records, { id: 'callback', status: 'waiting', checks: [], exchanges: [] });
    }
    return { ...next, records, seq: run.nextSeq };
  } catch (err) {
    return failed(state, run, toFlowErrorInfo(err));
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

/** Runs steps until the flow pauses for the browser ('awaiting-callback') or ends. */
export async function runUntilPause(state: FlowState, ctx: FlowContext): Promise<FlowState> {
  let current = state;
  // Each step moves forward, so this ends; the bound is a guard against a future bug.
  for (let i = 0; i < 20 && isRunnable(current); i++) current = await runNextStep(current, ctx);
  return current;
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
  return runStep(state, 'callback', ctx, (run) => runCallback(state, callbackUrl, run));
}

/** Lists the tools again (e.g. after the server's list changed). Only when connected. */
export async function listTools(state: FlowState, ctx: FlowContext): Promise<FlowState> {
  if (state.step !== 'connected') {
    throw new FlowError({
      code: 'invalid_state',
      message: `Tools can be listed once connected; the flow is at '${state.step}'.`,
    });
  }
  const existing = state.records.find((r) => r.id === 'tools');
  return runStep(state, 'tools', ctx, (run) => runTools(state, run), existing);
}

function refusal(tool: string, error: FlowErrorInfo): ToolCallView {
  return { tool, isError: true, content: [], durationMs: 0, refused: true, error };
}

/**
 * Calls a tool, only when connected and only if it is annotated read-only: anything else is refused
 * BEFORE a request is sent. A 401/403 ends the session ('failed' with 'unauthorized' or
 * 'insufficient_scope'); other failures leave the flow connected and come back in `result.error`.
 * Throws FlowError 'invalid_state' when not connected.
 * @see MCP 2025-11-25 §Tools (Calling Tools, Tool annotations)
 */
export async function callTool(
  state: FlowState,
  ctx: FlowContext,
  name: string,
  args: unknown,
): Promise<{ state: FlowState; result: ToolCallView }> {
  if (state.step !== 'connected') {
    throw new FlowError({
      code: 'invalid_state',
      message: `Tools can be called once connected; the flow is at '${state.step}'.`,
    });
  }
  const tool = state.tools.find((t) => t.name === name);
  if (!tool) {
    return {
      state,
      result: refusal(name, {
        code: 'tool_unknown',
        message: `The server did not list a tool named “${name}”, so the inspector will not call it.`,
        hint: 'List the tools again if the server’s list has changed.',
      }),
    };
  }
  if (!tool.readOnly) {
    return {
      state,
      result: refusal(name, {
        code: 'tool_not_read_only',
        message:
          `“${name}” is not annotated read-only, so the inspector does not run it. ${tool.refusal ?? ''}`.trim(),
        hint: 'The inspector only runs tools with annotations.readOnlyHint: true, so inspecting a server never changes its data.',
        expected: 'annotations.readOnlyHint: true',
        actual: JSON.stringify(tool.annotations.readOnlyHint ?? '(absent)'),
        specRef: 'MCP 2025-11-25 §Tools (Tool annotations)',
      }),
    };
  }
  if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args))) {
    return {
      state,
      result: refusal(name, { code: 'invalid_options', message: 'Tool arguments must be a JSON object.' }),
    };
  }

  const existing = state.records.find((r) => r.id === 'tools');
  const run = new StepRun('tools', ctx, state.secrets, state.seq, existing);
  const startedAt = run.now();
  const before = run.record.exchanges.length;
  let shaped: ShapedToolResult | undefined;
  let error: FlowErrorInfo | undefined;
  let mcp = state.mcp;
  try {
    const r = await run.withinBudget(
      withMcpSession(run, state.options.serverUrl, state.secrets, state.mcp, (client) =>
        client.callTool({ name, arguments: (args ?? {}) as Record<string, unknown> }, undefined, {
          timeout: MCP_REQUEST_TIMEOUT_MS,
        }),
      ),
    );
    shaped = shapeToolResult(r.value as Parameters<typeof shapeToolResult>[0]);
    mcp = r.mcp;
  } catch (err) {
    error =
      err instanceof McpAttemptError
        ? mcpFlowError(err.failure, state.options.serverUrl).info
        : toFlowErrorInfo(err);
  }
  const durationMs = Math.max(0, run.now() - startedAt);
  const exchangeIds = run.record.exchanges.slice(before).map((e) => e.id);
  const result: ToolCallView = shaped
    ? { tool: name, ...shaped, durationMs }
    : { tool: name, isError: true, content: [], durationMs, ...(error ? { error } : {}) };
  const calls = Array.isArray(run.record.facts?.calls) ? (run.record.facts.calls as unknown[]) : [];
  run.fact('calls', [
    ...calls,
    {
      tool: name,
      at: startedAt,
      durationMs,
      isError: result.isError,
      exchangeIds,
      ...(error ? { error: error.message } : {}),
    },
  ]);

  if (error && isSessionEnding(error)) {
    return { state: failed(state, run, error), result };
  }
  const record = ordered(run.finish({ status: existing?.status ?? 'passed' }));
  // The record's timing stays the listing's; each call's duration is in facts.calls.
  if (existing?.durationMs !== undefined) record.durationMs = existing.durationMs;
  return { state: { ...state, mcp, records: upsertRecord(state.records, record), seq: run.nextSeq }, result };
}
