import type { FlowState, ToolContent } from '../lib/flow';
import { STEP_INFO } from '../lib/flow/step-info';
import {
  type CheckStatus,
  type FlowErrorInfo,
  STEP_ORDER,
  type StepId,
  type StepRecord,
} from '../lib/flow/types';

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
  /** What the tool returned, as the web app shows it (absent when the call was refused or not answered). */
  content?: ToolContent[];
  structuredContent?: unknown;
}

/** The MCP wire the server spoke: `modern` (2026-07-28, stateless) or `legacy` (`initialize`). */
export interface ReportWire {
  era: 'modern' | 'legacy';
  protocolVersion?: string;
  /** A legacy server issued an Mcp-Session-Id. */
  session: boolean;
}

/**
 * Where a run stopped before the MCP session, and what it therefore did not judge. A doctor that
 * stopped without a failing check exits 3: it is not a pass.
 */
export interface ReportStop {
  /** The step it stopped at (e.g. `callback` while waiting for consent). */
  at: StepId;
  /** consent: a person has to sign in (doctor without --non-interactive); failed: a step failed;
   *  interrupted: the time limit or no answer from the browser. */
  reason: 'consent' | 'failed' | 'interrupted';
  /** One sentence for people. */
  message: string;
  /** The steps not judged, in order, and `audit` when the access audit would have run. */
  notJudged: string[];
}

/** The JSON contract of `--json`, documented in the README. Nothing else is printed on stdout. */
export interface Report {
  ok: boolean;
  /** The run reached the MCP session (every step was judged); false with `stopped` otherwise. */
  complete: boolean;
  stopped?: ReportStop;
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
 * `doctor` judges: ok when no check failed and the run was complete. `connect` acts as a client: ok
 * when it reached the MCP session (and the --call succeeded), whatever the checks say; with --audit
 * (`judgeAudit`) an audit row that failed makes it not ok too.
 */
export type ReportVerdict =
  | { command: 'doctor'; stopped?: ReportStop }
  | { command: 'connect'; connected: boolean; judgeAudit?: boolean; stopped?: ReportStop };

/** The steps a run did not reach, from where it stopped. */
function notJudgedFrom(at: StepId, state: FlowState, audit: boolean): string[] {
  const done = new Set(
    state.records.filter((r) => r.status !== 'pending' && r.status !== 'waiting').map((r) => r.id),
  );
  const from = STEP_ORDER.indexOf(at);
  const steps = STEP_ORDER.filter((id, i) => i >= from && !done.has(id));
  return [...steps, ...(audit ? ['audit'] : [])];
}

const stepTitle = (id: string) => (id === 'audit' ? 'the access audit' : STEP_INFO[id as StepId].title);

/**
 * Where a run that did not reach the MCP session stopped, or undefined when it did.
 * `audit`: whether the access audit would have run.
 */
export function stoppedAt(
  state: FlowState | undefined,
  reached: boolean,
  audit = true,
): ReportStop | undefined {
  if (reached) return undefined;
  if (!state) {
    return {
      at: 'probe',
      reason: 'interrupted',
      message: 'The run stopped before the first request.',
      notJudged: [...STEP_ORDER, ...(audit ? ['audit'] : [])],
    };
  }
  const at: StepId =
    state.step === 'failed'
      ? state.failedStep
      : state.step === 'awaiting-callback'
        ? 'callback'
        : (STEP_ORDER as readonly string[]).includes(state.step)
          ? (state.step as StepId)
          : 'probe';
  const reason: ReportStop['reason'] =
    state.step === 'awaiting-callback' ? 'consent' : state.step === 'failed' ? 'failed' : 'interrupted';
  const notJudged = notJudgedFrom(at, state, audit);
  const list = notJudged.map(stepTitle).join(', ');
  const message =
    reason === 'consent'
      ? `Stopped at the consent step (a person has to sign in); not judged: ${list}.`
      : reason === 'failed'
        ? `Stopped at “${STEP_INFO[at].title}”, which failed; not judged: ${list}.`
        : `Stopped during “${STEP_INFO[at].title}”; not judged: ${list}.`;
  return { at, reason, message, notJudged };
}

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
  const failed = checks.some((c) => c.status === 'fail');
  const auditFailed = checks.some((c) => c.status === 'fail' && c.id.startsWith('audit.'));
  const stopped = verdict.stopped;
  const judged =
    verdict.command === 'doctor'
      ? !failed && !stopped
      : verdict.connected && !(verdict.judgeAudit && auditFailed);
  const ok = judged && (call ? call.ok : true);
  return {
    ok,
    complete: !stopped,
    ...(stopped ? { stopped } : {}),
    checks,
    tools,
    ...(wire ? { wire } : {}),
    ...(call ? { call } : {}),
  };
}

/** Exit codes, documented in the README and --help. */
export const EXIT = { ok: 0, failed: 1, usage: 2, incomplete: 3 } as const;

/**
 * 0 ok; 1 a check (or the call) failed; 3 the run stopped before the MCP session without a failing
 * check (e.g. a doctor at the consent step): not a pass, and not a failure of the server either.
 */
export function exitCodeOf(report: Report): 0 | 1 | 3 {
  if (report.ok) return EXIT.ok;
  const failed = report.checks.some((c) => c.status === 'fail') || (report.call && !report.call.ok);
  return report.stopped && !failed ? EXIT.incomplete : EXIT.failed;
}
