import { writeFile } from 'node:fs/promises';
import { type FlowState, type FlowView, toReport } from '../lib/flow';
import { CHECKS } from '../lib/flow/checks';
import { browserView, scrubForBrowser } from '../lib/flow/scrub';
import type { FlowSecrets } from '../lib/flow/types';
import type { Report } from './report';

/**
 * The report the web app downloads (lib/flow/report.ts: the redacted view, format
 * `mcp-auth-inspector-report` v1), so **Open a report…** in the web app shows a CLI run. The view goes
 * through the same last scrub as the browser's, once more with secrets the run held earlier (the
 * audit revokes and drops its tokens before the end).
 */
export function cliReport(
  state: FlowState,
  opts: { earlierSecrets?: FlowSecrets[]; tools?: FlowView['tools']; now?: Date } = {},
): ReturnType<typeof toReport> {
  let view = browserView(state);
  if (view.tools.length === 0 && opts.tools?.length) view = { ...view, tools: opts.tools };
  for (const secrets of opts.earlierSecrets ?? []) view = scrubForBrowser(view, secrets);
  return toReport(view, opts.now ?? new Date());
}

const xml = (s: string) =>
  s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    // Characters XML 1.0 cannot carry at all.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');

/**
 * JUnit XML for CI dashboards: one test suite per step (the prefix of the check id), one test case
 * per check. fail → <failure>, skip → <skipped>, warn → a passing case whose output starts with
 * "WARN" and that carries a `status` property (JUnit has no warning state; dashboards show output).
 * A run that stopped early adds a failing `doctor.complete` case, so it never reads as all green.
 */
export function toJunit(report: Report, command: string, serverUrl: string): string {
  const groups = new Map<string, Report['checks']>();
  for (const c of report.checks) {
    const suite = c.id.split('.')[0] ?? c.id;
    groups.set(suite, [...(groups.get(suite) ?? []), c]);
  }
  const suites: string[] = [];
  let total = 0;
  let failures = 0;
  let skipped = 0;
  const cases = (suite: string, checks: Report['checks']) =>
    checks.map((c) => {
      const title = (CHECKS as Record<string, { title: string }>)[c.id]?.title;
      const name = xml(title ? `${c.id}: ${title}` : c.id);
      const head = `    <testcase classname="mcp-auth-inspector.${xml(suite)}" name="${name}">`;
      const props = `      <properties><property name="status" value="${c.status}"/><property name="specRef" value="${xml(c.specRef)}"/></properties>`;
      const body =
        c.status === 'fail'
          ? `      <failure type="fail" message="${xml(c.message)}">${xml(`${c.message} (${c.specRef})`)}</failure>`
          : c.status === 'skip'
            ? `      <skipped message="${xml(c.message)}"/>`
            : `      <system-out>${xml(`${c.status === 'warn' ? 'WARN' : 'PASS'}: ${c.message} (${c.specRef})`)}</system-out>`;
      return [head, props, body, '    </testcase>'].join('\n');
    });
  for (const [suite, checks] of groups) {
    const f = checks.filter((c) => c.status === 'fail').length;
    const s = checks.filter((c) => c.status === 'skip').length;
    total += checks.length;
    failures += f;
    skipped += s;
    suites.push(
      [
        `  <testsuite name="${xml(suite)}" tests="${checks.length}" failures="${f}" errors="0" skipped="${s}">`,
        ...cases(suite, checks),
        '  </testsuite>',
      ].join('\n'),
    );
  }
  if (report.stopped) {
    total += 1;
    failures += 1;
    suites.push(
      [
        '  <testsuite name="doctor" tests="1" failures="1" errors="0" skipped="0">',
        `    <testcase classname="mcp-auth-inspector.doctor" name="doctor.complete: the run reached the MCP session">`,
        `      <failure type="incomplete" message="${xml(report.stopped.message)}">${xml(`${report.stopped.message} Not judged: ${report.stopped.notJudged.join(', ')}.`)}</failure>`,
        '    </testcase>',
        '  </testsuite>',
      ].join('\n'),
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(`mcp-auth-inspector ${command} ${serverUrl}`)}" tests="${total}" failures="${failures}" errors="0" skipped="${skipped}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

export async function writeTextFile(path: string, text: string): Promise<void> {
  await writeFile(path, text, 'utf8');
}
