import { STEP_INFO } from '../lib/flow/step-info';
import type { StepRecord, StepStatus } from '../lib/flow/types';
import type { Report, ReportCall } from './report';
import { stepErrorCheckId } from './report';

/** Words first, symbols second, colour last: status must read without colour (and in a log file). */
const STATUS: Record<StepStatus, { symbol: string; word: string; color: number }> = {
  passed: { symbol: '✓', word: 'passed', color: 32 },
  warned: { symbol: '!', word: 'warned', color: 33 },
  failed: { symbol: '✗', word: 'failed', color: 31 },
  waiting: { symbol: '…', word: 'waiting', color: 36 },
  skipped: { symbol: '-', word: 'skipped', color: 90 },
  pending: { symbol: '·', word: 'pending', color: 90 },
};

export interface Style {
  color: boolean;
}

function paint(style: Style, code: number, text: string): string {
  return style.color ? `\x1b[${code}m${text}\x1b[0m` : text;
}

function duration(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** One line per step, then its failing and warning checks indented under it. */
export function formatStep(
  record: Pick<StepRecord, 'id' | 'status' | 'durationMs' | 'checks' | 'error'>,
  style: Style,
): string {
  const s = STATUS[record.status];
  const title = STEP_INFO[record.id].title;
  const lines = [
    `${paint(style, s.color, `${s.symbol} ${s.word.padEnd(7)}`)}  ${title.padEnd(34)} ${record.durationMs === undefined ? '' : paint(style, 90, duration(record.durationMs))}`.trimEnd(),
  ];
  for (const c of record.checks) {
    if (c.status !== 'fail' && c.status !== 'warn') continue;
    const tag = c.status === 'fail' ? paint(style, 31, 'fail') : paint(style, 33, 'warn');
    lines.push(`    ${tag} ${c.id}: ${c.message} (${c.specRef})`);
  }
  if (record.error && !record.checks.some((c) => c.status === 'fail')) {
    lines.push(`    ${paint(style, 31, 'fail')} ${stepErrorCheckId(record.id)}: ${record.error.message}`);
  }
  if (record.error?.hint) lines.push(`         ${record.error.hint}`);
  return lines.join('\n');
}

export function formatTools(tools: Report['tools'], style: Style): string {
  if (tools.length === 0) return 'Tools: none listed.';
  const readOnly = tools.filter((t) => t.readOnly).length;
  const lines = [`Tools: ${tools.length} (${readOnly} read-only)`];
  for (const t of tools)
    lines.push(
      `  ${t.name.padEnd(32)} ${t.readOnly ? paint(style, 32, 'read-only') : paint(style, 90, 'not run (not read-only)')}`,
    );
  return lines.join('\n');
}

export function formatCall(call: ReportCall, detail: string | undefined, style: Style): string {
  const head = call.ok
    ? `${paint(style, 32, '✓ ok')}  called ${call.tool}`
    : `${paint(style, 31, '✗ failed')}  ${call.tool}${call.isError ? ' (the tool reported an error)' : ''}`;
  return detail ? `${head}\n${detail.replace(/^/gm, '    ')}` : head;
}

/** The access audit's rows, one line each, every status shown (a skip says what could not be tested). */
export function formatAudit(checks: Report['checks'], style: Style, note?: string): string {
  const rows = checks.filter((c) => c.id.startsWith('audit.') || c.id.startsWith('cors.'));
  const word: Record<string, string> = {
    pass: paint(style, 32, 'pass'),
    warn: paint(style, 33, 'warn'),
    fail: paint(style, 31, 'fail'),
    skip: paint(style, 90, 'skip'),
  };
  const lines = ['Access audit:'];
  for (const c of rows) lines.push(`  ${word[c.status] ?? c.status} ${c.id}: ${c.message}`);
  if (note) lines.push(`  ${note}`);
  return lines.join('\n');
}

export function formatSummary(report: Report, style: Style): string {
  const count = (status: string) => report.checks.filter((c) => c.status === status).length;
  const [pass, warn, fail, skip] = [count('pass'), count('warn'), count('fail'), count('skip')];
  const parts = [
    `${pass} passed`,
    `${warn} warnings`,
    `${fail} failed`,
    ...(skip ? [`${skip} skipped`] : []),
  ];
  // A run that stopped early is never shown as a pass: one line says where and what was not judged.
  if (report.stopped && fail === 0 && !report.ok) {
    return `${paint(style, 33, 'INCOMPLETE')}: ${report.stopped.message} ${parts.join(', ')}; not a pass (exit 3).`;
  }
  const verdict = report.ok ? paint(style, 32, 'OK') : paint(style, 31, 'FAILED');
  return `${verdict}: ${parts.join(', ')}.`;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A one-line spinner on a terminal; does nothing when the stream is not a TTY. */
export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private text = '';

  constructor(private readonly stream: { write(s: string): unknown; isTTY?: boolean }) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  start(text: string): void {
    if (!this.enabled) return;
    this.text = text;
    this.render();
    this.timer ??= setInterval(() => this.render(), 80);
    this.timer.unref?.();
  }

  stop(): void {
    if (!this.enabled) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stream.write('\r\x1b[2K');
  }

  private render(): void {
    this.frame = (this.frame + 1) % FRAMES.length;
    this.stream.write(`\r\x1b[2K${FRAMES[this.frame]} ${this.text}`);
  }
}
