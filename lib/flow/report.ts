import { STEP_ORDER } from './types';
import type { FlowView } from './view';

/**
 * A walkthrough to attach to a ticket: the view the browser already had (redacted when recorded, no
 * secrets), with what it was and when. A colleague opens it in the inspector, read-only.
 */
export interface InspectorReport {
  format: 'mcp-auth-inspector-report';
  version: 1;
  exportedAt: string;
  view: FlowView;
}

export const REPORT_FORMAT = 'mcp-auth-inspector-report';

/** The report for a view. The pending authorization URL is left out: it is of no use once exported. */
export function toReport(view: FlowView, exportedAt: Date): InspectorReport {
  const { authorizationUrl: _unused, ...rest } = view;
  return { format: REPORT_FORMAT, version: 1, exportedAt: exportedAt.toISOString(), view: rest };
}

/** A file name that says what and when: `mcp-auth-report-mcp.example.com-2026-11-26.json`. */
export function reportFileName(report: InspectorReport): string {
  let host = 'server';
  try {
    host = new URL(report.view.options.serverUrl).host.replace(/[^A-Za-z0-9.-]/g, '_');
  } catch {
    // keep the placeholder
  }
  return `mcp-auth-report-${host}-${report.exportedAt.slice(0, 10)}.json`;
}

export type ReportParse = { ok: true; report: InspectorReport } | { ok: false; problem: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a file someone chose before the UI renders it: the format and version, and the shape the
 * walkthrough needs (every step in order with its checks and exchanges). Rendering is text-only
 * anyway, so this is about a clear message, not about trust.
 */
export function parseReport(input: unknown): ReportParse {
  if (!isObject(input)) return { ok: false, problem: 'The file is not a JSON object.' };
  if (input.format !== REPORT_FORMAT) {
    return {
      ok: false,
      problem: 'This is not an MCP Auth Inspector report (its "format" is missing or different).',
    };
  }
  if (input.version !== 1) {
    return {
      ok: false,
      problem: `This report is version ${JSON.stringify(input.version)}; this inspector opens version 1.`,
    };
  }
  if (typeof input.exportedAt !== 'string' || Number.isNaN(Date.parse(input.exportedAt))) {
    return { ok: false, problem: 'The report has no valid "exportedAt" date.' };
  }
  const view = input.view;
  if (!isObject(view) || !isObject(view.options) || typeof view.options.serverUrl !== 'string') {
    return { ok: false, problem: 'The report has no walkthrough ("view" with the server URL).' };
  }
  const steps = view.steps;
  if (!Array.isArray(steps) || steps.length !== STEP_ORDER.length) {
    return { ok: false, problem: `The report's walkthrough must list the ${STEP_ORDER.length} steps.` };
  }
  for (const [i, step] of steps.entries()) {
    if (
      !isObject(step) ||
      step.id !== STEP_ORDER[i] ||
      !Array.isArray(step.checks) ||
      !Array.isArray(step.exchanges)
    ) {
      return {
        ok: false,
        problem: `Step ${i + 1} of the report is malformed (expected "${STEP_ORDER[i]}").`,
      };
    }
  }
  if (!Array.isArray(view.tools) || !isObject(view.summary)) {
    return { ok: false, problem: 'The report is missing its tools or summary.' };
  }
  return { ok: true, report: input as unknown as InspectorReport };
}
