import { STEP_INFO } from '../lib/flow/step-info';
import type { CheckStatus, FlowErrorInfo, StepRecord } from '../lib/flow/types';

/** One check in the CLI's JSON report. The ids are the doctor's (lib/flow/checks.ts). */
export interface ReportCheck {
  id: string;
  status: CheckStatus;
  message: string;
  specRef: string;
}

export interface ReportTool {
  name: string;
  readOnly: boolean;
}

export interface ReportCall {
  tool: string;
  /** The server answered the call and the tool did not report an error. */
  ok: boolean;
  /** The tool's own `isError` (false when the call was refused or never answered). */
  isError: boolean;
  /** How many times the tool asked for input (input-required results) before its answer. */
  inputRounds?: number;
}

/** The MCP wire the server spoke: `modern` (2026-07-28, stateless) or `legacy` (`initialize`). */
export interface ReportWire {
  era: 'modern' | 'legacy';
  protocolVersion?: string;
  /** A legacy server issued an Mcp-Session-Id. */
  session: boolean;
}

/** The JSON contract of `--json`, documented in the README. Nothing else is printed on stdout. */
export interface Report {
  ok: boolean;
  checks: ReportCheck[];
  tools: ReportTool[];
  /** Which wire was used, once the MCP session was reached. */
  wire?: ReportWire;
  call?: ReportCall;
}

/** What the report needs from the engine's view. */
export interface ReportSource {
  steps: ReadonlyArray<Pick<StepRecord, 'id' | 'checks' | 'error'>>;
  tools?: ReadonlyArray<ReportTool>;
}

/**
 * The id a step reports when it stopped with an error but no check of its own failed (a transport
 * error, a browser that never came back): `<step>.stopped`, e.g. `callback.stopped`. Without it a
 * failed run could print `"ok": false` with no failing check to explain why.
 */
export function stepErrorCheckId(stepId: string): string {
  return `${stepId}.stopped`;
}

/** A step that stopped with an error but judged no failing check still fails the report. */
function stoppedCheck(stepId: StepRecord['id'], error: FlowErrorInfo): ReportCheck {
  const message = error.hint ? `${error.message} ${error.hint}` : error.message;
  return {
    id: stepErrorCheckId(stepId),
    status: 'fail',
    message,
    specRef: error.specRef ?? STEP_INFO[stepId].specRef,
  };
}

/**
 * `doctor` judges: ok when no check failed. `connect` acts as a client: ok when it reached the MCP
 * session (and the --call succeeded), whatever the checks say; the checks are reported either way.
 */
export type ReportVerdict = { command: 'doctor' } | { command: 'connect'; connected: boolean };

export function buildReport(
  view: ReportSource,
  verdict: ReportVerdict,
  call?: ReportCall,
  wire?: ReportWire,
): Report {
  const checks: ReportCheck[] = [];
  for (const step of view.steps) {
    for (const c of step.checks) {
      checks.push({ id: c.id, status: c.status, message: c.message, specRef: c.specRef });
    }
    if (step.error && !step.checks.some((c) => c.status === 'fail'))
      checks.push(stoppedCheck(step.id, step.error));
  }
  const tools = (view.tools ?? []).map((t) => ({ name: t.name, readOnly: t.readOnly }));
  const judged = verdict.command === 'doctor' ? !checks.some((c) => c.status === 'fail') : verdict.connected;
  const ok = judged && (call ? call.ok : true);
  return { ok, checks, tools, ...(wire ? { wire } : {}), ...(call ? { call } : {}) };
}

export function exitCodeOf(report: Report): 0 | 1 {
  return report.ok ? 0 : 1;
}
