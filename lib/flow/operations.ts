/**
 * Operations on a connected session: list the tools, call one, answer what a tool asked for, and
 * repeat the interrupted operation after signing in again. Step sequencing (the walkthrough, the
 * callback, reconnecting) lives in engine.ts; both work on the same FlowState.
 */
import type { Tool } from '@modelcontextprotocol/client';
import type { McpFailure } from '../mcp/client';
import {
  type InputAnswer,
  inputResponsesFor,
  MAX_INPUT_ROUNDS,
  viewInputRequests,
} from '../mcp/input-required';
import { MCP_REQUEST_TIMEOUT_MS, type ShapedToolResult, shapeToolResult, type ToolView } from '../mcp/tools';
import {
  type AnyConnected,
  type Attempt,
  type Connected,
  freshConnected,
  settleAccess,
  withAccess,
} from './access';
import { probeAudience } from './audit';
import { toFlowErrorInfo } from './errors';
import type { FlowState } from './state';
import { type FlowContext, orderedRecord, StepRun, upsertRecord } from './step-run';
import {
  attemptFailure,
  credentialsOf,
  judgeResultType,
  McpAttemptError,
  runTools,
  withMcpSession,
} from './steps/mcp';
import type { ToolCallView } from './tool-call';
import { FlowError, type FlowErrorInfo, type StepRecord } from './types';

/**
 * Lists the tools again (e.g. after the server's list changed). Only when connected. Refreshes an
 * expired or rejected token first; a 401 it cannot fix ends the session with a reconnect offer.
 */
export async function listTools(state: FlowState, ctx: FlowContext): Promise<FlowState> {
  if (state.step !== 'connected') {
    throw new FlowError({
      code: 'invalid_state',
      message: `Tools can be listed once connected; the flow is at '${state.step}'.`,
    });
  }
  const outcome = await withAccess(
    freshConnected(state),
    ctx,
    async (s): Promise<Attempt<void, AnyConnected>> => {
      const existing = s.records.find((r) => r.id === 'tools');
      const run = new StepRun('tools', ctx, s.secrets, s.seq, existing);
      try {
        const next = (await run.withinBudget(runTools(s, run))) as AnyConnected;
        return {
          state: { ...next, records: upsertRecord(s.records, orderedRecord(run.finish())), seq: run.nextSeq },
        };
      } catch (err) {
        const error = toFlowErrorInfo(err);
        const failure: McpFailure =
          err instanceof FlowError && err.cause instanceof McpAttemptError
            ? err.cause.failure
            : { kind: 'other', message: error.message };
        return {
          state: { ...s, records: upsertRecord(s.records, orderedRecord(run.finish())), seq: run.nextSeq },
          error,
          failure,
        };
      }
    },
  );
  return settleAccess(outcome, 'tools', { kind: 'list-tools' }, 0).state;
}

function refusal(tool: string, error: FlowErrorInfo): ToolCallView {
  return { tool, isError: true, content: [], durationMs: 0, refused: true, error };
}

/** One tools/call on the stored MCP session, recorded in the 'tools' record. Never ends the session. */
async function callToolOnce(
  state: AnyConnected,
  ctx: FlowContext,
  name: string,
  args: Record<string, unknown>,
  /** A retry after an input-required result: the answers and the server's state, unchanged. */
  retry?: { inputResponses: Record<string, unknown>; requestState?: string; round: number },
): Promise<Attempt<ToolCallView, AnyConnected>> {
  const existing = state.records.find((r) => r.id === 'tools');
  const run = new StepRun('tools', ctx, state.secrets, state.seq, existing);
  const startedAt = run.now();
  const before = run.record.exchanges.length;
  let shaped: ShapedToolResult | undefined;
  let error: FlowErrorInfo | undefined;
  let failure: McpFailure | undefined;
  let pendingInput: AnyConnected['pendingInput'];
  let mcp = state.mcp;
  const tool = state.tools.find((t) => t.name === name);
  const round = retry?.round ?? 0;
  try {
    const r = await run.withinBudget(
      withMcpSession(run, state.options.serverUrl, credentialsOf(state), state.mcp, (client) =>
        client.callTool(
          {
            name,
            arguments: args,
            ...(retry ? { inputResponses: retry.inputResponses } : {}),
            ...(retry?.requestState !== undefined ? { requestState: retry.requestState } : {}),
          } as Parameters<typeof client.callTool>[0],
          {
            timeout: MCP_REQUEST_TIMEOUT_MS,
            allowInputRequired: true,
            // SEP-2243: the listed definition says which arguments go into Mcp-Param headers.
            ...(tool ? { toolDefinition: toolDefinitionOf(tool) } : {}),
          },
        ),
      ),
    );
    mcp = r.mcp;
    judgeResultType(run, r.missingResultType);
    const value = r.value as unknown as Record<string, unknown>;
    if (value?.resultType === 'input_required') {
      const requests = viewInputRequests(value.inputRequests);
      if (round + 1 >= MAX_INPUT_ROUNDS) {
        error = {
          code: 'mcp_failed',
          message: `The server asked for input ${round + 1} times for one call of “${name}”; the inspector stops at ${MAX_INPUT_ROUNDS} rounds.`,
          hint: 'A server should answer once it has the input it asked for (MCP 2026-07-28 §Multi Round-Trip Requests).',
        };
      } else {
        pendingInput = {
          tool: name,
          args,
          requests,
          round: round + 1,
          ...(typeof value.requestState === 'string' ? { requestState: value.requestState } : {}),
        };
      }
    } else {
      shaped = shapeToolResult(r.value as Parameters<typeof shapeToolResult>[0]);
    }
  } catch (err) {
    ({ failure, error } = attemptFailure(err, state.options.serverUrl));
  }
  const durationMs = Math.max(0, run.now() - startedAt);
  const exchangeIds = run.record.exchanges.slice(before).map((e) => e.id);
  // A tool's answer is remote text the page shows: a server that echoes the bearer token it was
  // sent must not get it onto the page. The exchange was redacted when recorded; this is the result.
  if (shaped) shaped = run.redactor.deep(shaped);
  if (pendingInput) pendingInput = run.redactor.deep(pendingInput);
  if (error) error = run.redactor.deep(error);
  const result: ToolCallView = shaped
    ? { tool: name, ...shaped, durationMs }
    : pendingInput
      ? {
          tool: name,
          isError: false,
          content: [],
          durationMs,
          inputRequired: { requests: pendingInput.requests, round: pendingInput.round },
        }
      : { tool: name, isError: true, content: [], durationMs, ...(error ? { error } : {}) };
  const calls = Array.isArray(run.record.facts?.calls) ? (run.record.facts.calls as CallRow[]) : [];
  run.fact('calls', [
    ...calls,
    {
      tool: name,
      at: startedAt,
      durationMs,
      isError: result.isError,
      exchangeIds,
      ...(retry ? { inputRound: round } : {}),
      ...(pendingInput ? { inputRequired: pendingInput.requests.map((q) => q.method) } : {}),
      ...(error ? { error: error.message } : {}),
    },
  ]);
  // Pruned only once finished: finish() scrubs the exchanges this run added, found by position.
  const record = keepLatestCalls(orderedRecord(run.finish({ status: existing?.status ?? 'passed' })));
  // The record's timing stays the listing's; each call's duration is in facts.calls.
  if (existing?.durationMs !== undefined) record.durationMs = existing.durationMs;
  const { pendingInput: _answered, ...rest } = state;
  return {
    state: {
      ...rest,
      mcp,
      ...(pendingInput ? { pendingInput } : {}),
      records: upsertRecord(state.records, record),
      seq: run.nextSeq,
    },
    value: result,
    ...(failure ? { failure } : {}),
    ...(error ? { error } : {}),
  };
}

/** One row of the tools record's `calls` fact: a call and the exchanges it recorded. */
interface CallRow {
  exchangeIds?: unknown;
}

/**
 * Most tool calls a session keeps, with their exchanges. Every action saves (seals) the whole session
 * and the page is sent the calls table, so a session that grew with every call would make each call
 * slower than the last and its store entry ever larger. Past this, the earliest calls and their
 * exchanges are dropped, and `earlierCallsDropped` counts them.
 */
export const MAX_KEPT_CALLS = 100;

/** `record` with at most MAX_KEPT_CALLS calls, the earliest dropped with the exchanges only they recorded. */
function keepLatestCalls(record: StepRecord): StepRecord {
  const calls = Array.isArray(record.facts?.calls) ? (record.facts.calls as CallRow[]) : [];
  if (calls.length <= MAX_KEPT_CALLS) return record;
  const dropped = calls.slice(0, calls.length - MAX_KEPT_CALLS);
  const kept = calls.slice(-MAX_KEPT_CALLS);
  const idsOf = (rows: CallRow[]) =>
    new Set(rows.flatMap((row) => (Array.isArray(row.exchangeIds) ? row.exchangeIds : [])));
  const stillShown = idsOf(kept);
  const gone = new Set([...idsOf(dropped)].filter((id) => !stillShown.has(id)));
  const facts = record.facts ?? {};
  const before = typeof facts.earlierCallsDropped === 'number' ? facts.earlierCallsDropped : 0;
  return {
    ...record,
    exchanges: record.exchanges.filter((x) => !gone.has(x.id)),
    // A check that pointed at a dropped exchange keeps its verdict, not the dangling link.
    checks: record.checks.map((c) =>
      c.exchangeIds?.some((id) => gone.has(id))
        ? { ...c, exchangeIds: c.exchangeIds.filter((id) => !gone.has(id)) }
        : c,
    ),
    facts: { ...facts, calls: kept, earlierCallsDropped: before + dropped.length },
  };
}

/** The parts of a listed tool the SDK needs to mirror arguments into headers (SEP-2243). */
function toolDefinitionOf(tool: ToolView): Tool {
  return { name: tool.name, inputSchema: tool.inputSchema as Tool['inputSchema'] };
}

/**
 * Answers the input a tool asked for (an input-required result) and repeats the call with the
 * answers and the server's requestState echoed unchanged. Unanswered requests are declined. Each
 * round is its own exchange in the trace; after MAX_INPUT_ROUNDS the inspector stops.
 * @see MCP 2026-07-28 §Multi Round-Trip Requests
 */
export async function answerToolInput(
  state: FlowState,
  ctx: FlowContext,
  answers: Record<string, InputAnswer> | 'decline',
): Promise<{ state: FlowState; result: ToolCallView }> {
  if (state.step !== 'connected' || !state.pendingInput) {
    throw new FlowError({
      code: 'invalid_state',
      message: 'No tool is waiting for input.',
      hint: 'Call the tool again.',
    });
  }
  const pending = state.pendingInput;
  const inputResponses = inputResponsesFor(pending.requests, answers === 'decline' ? undefined : answers);
  const retry = {
    inputResponses,
    round: pending.round,
    ...(pending.requestState !== undefined ? { requestState: pending.requestState } : {}),
  };
  const outcome = await withAccess(freshConnected(state), ctx, (s) =>
    callToolOnce(s, ctx, pending.tool, pending.args, retry),
  );
  const settled = settleAccess(
    outcome,
    'tools',
    { kind: 'call-tool', tool: pending.tool, args: pending.args },
    0,
  );
  const result = outcome.value ?? { tool: pending.tool, isError: true, content: [], durationMs: 0 };
  return { state: settled.state, result: settled.error ? { ...result, error: settled.error } : result };
}

/**
 * Calls a tool, only when connected and only if it is annotated read-only: anything else is refused
 * BEFORE a request is sent. An expired access token is refreshed first; a 401 is answered by
 * refreshing and retrying once. A 401 that remains ends the session ('failed' with a `recovery`
 * offer to reconnect); a 403 keeps it connected with an offer to step up (insufficient_scope naming a
 * scope, at most MAX_STEP_UP_ATTEMPTS per operation) or to reconnect. Other failures come back in
 * `result.error`. Throws FlowError 'invalid_state' when not connected.
 * @see MCP 2025-11-25 §Tools (Calling Tools, Tool annotations), §Scope Challenge Handling; RFC 6749 §6
 */
export async function callTool(
  state: FlowState,
  ctx: FlowContext,
  name: string,
  args: unknown,
  opts: {
    stepUpAttempts?: number;
    /**
     * The user's explicit opt-in to call a tool that is not annotated read-only (the CLI's
     * --allow-write; checklist item 24: "unless the user opts in"). The web app never sets it.
     */
    allowNonReadOnly?: boolean;
  } = {},
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
  if (!tool.readOnly && !opts.allowNonReadOnly) {
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
  const callArgs = (args ?? {}) as Record<string, unknown>;
  const outcome = await withAccess(freshConnected(state), ctx, (s) => callToolOnce(s, ctx, name, callArgs));
  const settled = settleAccess(
    outcome,
    'tools',
    {
      kind: 'call-tool',
      tool: name,
      args: callArgs,
      ...(opts.allowNonReadOnly ? { allowNonReadOnly: true } : {}),
    },
    opts.stepUpAttempts ?? 0,
  );
  const result = outcome.value ?? { tool: name, isError: true, content: [], durationMs: 0 };
  return { state: settled.state, result: settled.error ? { ...result, error: settled.error } : result };
}

/**
 * Once a re-authorization reaches 'connected': runs the interrupted operation again (a tool call
 * keeps its step-up attempt count) and keeps its result in `resumed` for the UI. Otherwise it only
 * clears the re-authorization. A no-op in any other state.
 */
export async function resumeAfterReauthorization(
  state: FlowState,
  ctx: FlowContext,
): Promise<{ state: FlowState; result?: ToolCallView }> {
  if (state.step !== 'connected' || !state.reauth) return { state };
  const { reauth, ...rest } = state;
  const connected = rest as Connected;
  const op = reauth.operation;
  if (op?.kind === 'audience-probe') return { state: await probeAudience(connected, ctx, op.audience) };
  if (op?.kind !== 'call-tool') return { state: connected };
  const { state: after, result } = await callTool(connected, ctx, op.tool, op.args, {
    stepUpAttempts: reauth.attempts,
    ...(op.allowNonReadOnly ? { allowNonReadOnly: true } : {}),
  });
  return { state: { ...after, resumed: result }, result };
}
