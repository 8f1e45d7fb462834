import type { Exchange } from '../http/types';
import { buildSequence, formatMs, stoppingCheck } from '../picture/sequence';
import { esc, PICTURE_CSS, pictureSvg } from '../picture/svg';
import { type InspectorReport, reportFileName } from './report';
import { STEP_INFO } from './step-info';
import { stepSummary } from './step-summary';
import type { Check, CheckStatus, FlowOptions, StepRecord, StepStatus } from './types';

/**
 * The report as one self-contained HTML page a colleague can open anywhere, offline, with scripts
 * off: the doctor summary, the sequence diagram, every step with its checks and findings, and every
 * exchange. It is written from the redacted JSON report (the view the browser had), so it holds
 * nothing the JSON report does not; a CSP in the page forbids scripts and every outside request.
 */

const LOOK: Record<CheckStatus | StepStatus, { icon: string; word: string; cls: string }> = {
  pass: { icon: '✓', word: 'Pass', cls: 'pass' },
  passed: { icon: '✓', word: 'Passed', cls: 'pass' },
  warn: { icon: '!', word: 'Warning', cls: 'warn' },
  warned: { icon: '!', word: 'Warnings', cls: 'warn' },
  fail: { icon: '✕', word: 'Fail', cls: 'fail' },
  failed: { icon: '✕', word: 'Failed', cls: 'fail' },
  skip: { icon: '–', word: 'Skipped', cls: 'skip' },
  skipped: { icon: '–', word: 'Skipped', cls: 'skip' },
  pending: { icon: '○', word: 'Not run', cls: 'skip' },
  waiting: { icon: '◔', word: 'Waiting for the user', cls: 'skip' },
};

const badge = (status: CheckStatus | StepStatus) => {
  const look = LOOK[status];
  return `<span class="badge ${look.cls}"><span aria-hidden="true">${look.icon}</span> ${look.word}</span>`;
};

const CSS = `
:root{color-scheme:light dark;--bg:#f7f7f5;--panel:#fff;--panel-2:#f1f1ee;--fg:#1b1c1e;--muted:#5d6168;--line:#dcdcd7;--accent:#2f5bd3;--pass:#1d7a46;--warn:#8a5a00;--fail:#b3261e;--skip:#6b6f76;--code:#f3f3f0}
@media (prefers-color-scheme:dark){:root{--bg:#111214;--panel:#18191c;--panel-2:#1f2024;--fg:#e7e7e4;--muted:#a0a4ab;--line:#2e3035;--accent:#7c9dff;--pass:#5cc98a;--warn:#e2b451;--fail:#ff8a80;--skip:#9aa0a6;--code:#141518}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
main{max-width:72rem;margin:0 auto;padding:24px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:0}h3{font-size:14px;margin:16px 0 6px}
a{color:var(--accent)}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12px}
.muted{color:var(--muted)}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:16px;margin:16px 0}
.badge{font-weight:600;white-space:nowrap}.pass{color:var(--pass)}.warn{color:var(--warn)}.fail{color:var(--fail)}.skip{color:var(--skip)}
.counts{display:flex;flex-wrap:wrap;gap:8px 24px}
.picture{overflow-x:auto;padding:8px 0}
ul.checks{list-style:none;margin:0;padding:0;border:1px solid var(--line);border-radius:6px}
ul.checks li{padding:8px 12px;border-top:1px solid var(--line)}ul.checks li:first-child{border-top:0}
dl.ea{display:grid;grid-template-columns:6rem minmax(0,1fr);gap:0 12px;margin:4px 0;font-size:12px}dl.ea dd{margin:0;word-break:break-all}
.exchange{border:1px solid var(--line);border-radius:6px;margin:8px 0;scroll-margin-top:12px}
.exchange:target{outline:2px solid var(--accent)}
.exchange header{display:flex;flex-wrap:wrap;gap:4px 12px;padding:8px 12px;background:var(--panel-2);border-radius:6px 6px 0 0;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.exchange header .url{flex:1;min-width:0;word-break:break-all}
.exchange .purpose{padding:4px 12px 0;font-size:12px}
.exchange .msg{padding:8px 12px}
pre{margin:4px 0 0;padding:10px;background:var(--code);border-radius:6px;white-space:pre-wrap;word-break:break-all;max-height:none}
.error{border:1px solid var(--fail);border-radius:8px;padding:12px;margin-top:12px}
table{border-collapse:collapse;font-size:12px}td,th{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
@media print{.exchange,.panel{break-inside:avoid}}
`;

function checkHtml(check: Check): string {
  const ea =
    check.expected !== undefined || check.actual !== undefined
      ? `<dl class="ea">${check.expected !== undefined ? `<dt class="muted">Expected</dt><dd class="mono">${esc(check.expected)}</dd>` : ''}${
          check.actual !== undefined
            ? `<dt class="muted">Actual</dt><dd class="mono">${esc(check.actual)}</dd>`
            : ''
        }</dl>`
      : '';
  const evidence = check.exchangeIds.length
    ? ` · evidence: ${check.exchangeIds.map((id) => `<a href="#exchange-${esc(id)}">${esc(id)}</a>`).join(', ')}`
    : '';
  return `<li data-check-id="${esc(check.id)}">${badge(check.status)} <strong>${esc(check.title)}</strong> <code class="muted">${esc(check.id)}</code><div>${esc(check.message)}</div>${ea}<div class="muted" style="font-size:12px">${esc(check.specRef)}${evidence}</div></li>`;
}

function messageHtml(title: string, headers: Record<string, string>, body: string | undefined): string {
  const lines = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
  return `<div class="msg"><strong style="font-size:12px">${esc(title)}</strong><pre>${esc(lines)}${body ? `\n\n${esc(body)}` : ''}</pre></div>`;
}

function exchangeHtml(e: Exchange): string {
  const outcome = e.error
    ? `<span class="fail">✕ ${esc(e.error.code)}</span>`
    : `<strong>${esc(`${e.response?.status ?? ''} ${e.response?.statusText ?? ''}`)}</strong>`;
  return `<section class="exchange" id="exchange-${esc(e.id)}" aria-label="Exchange ${esc(e.id)}"><header><strong>${esc(e.request.method)}</strong><span class="url">${esc(e.request.url)}</span>${outcome}<span class="muted">${esc(formatMs(e.durationMs))}</span><span class="muted">${esc(e.id)}</span></header>${
    e.purpose ? `<div class="purpose muted">${esc(e.purpose)}</div>` : ''
  }${e.error ? `<div class="msg fail">${esc(e.error.message)}</div>` : ''}${messageHtml('Request', e.request.headers, e.request.body)}${
    e.response
      ? messageHtml(
          `Response · ${e.response.status} · ${e.response.size} bytes${e.response.truncated ? ' (body truncated)' : ''}`,
          e.response.headers,
          e.response.body,
        )
      : ''
  }</section>`;
}

function stepHtml(step: StepRecord, index: number, grant: FlowOptions['grant']): string {
  const info = { ...STEP_INFO[step.id], ...stepSummary(step.id, grant) };
  const facts =
    step.facts && Object.keys(step.facts).length
      ? `<h3>Findings</h3><pre>${esc(JSON.stringify(step.facts, null, 2))}</pre>`
      : '';
  const error = step.error
    ? `<div class="error" role="note"><strong class="fail">✕ ${esc(step.error.message)}</strong>${
        step.error.hint ? `<div>What to do: ${esc(step.error.hint)}</div>` : ''
      }<div class="muted mono">${esc(step.error.code)}${step.error.specRef ? ` · ${esc(step.error.specRef)}` : ''}</div></div>`
    : '';
  return `<section class="panel" id="step-${esc(step.id)}" aria-labelledby="step-${esc(step.id)}-title"><h2 id="step-${esc(step.id)}-title">${index + 1}. ${esc(info.title)} ${badge(step.status)}${
    step.durationMs !== undefined ? ` <span class="muted mono">${esc(formatMs(step.durationMs))}</span>` : ''
  }</h2><p>${esc(info.summary)}</p><p class="muted" style="font-size:12px">${esc(info.specRef)}</p>${error}${
    step.checks.length ? `<h3>Checks</h3><ul class="checks">${step.checks.map(checkHtml).join('')}</ul>` : ''
  }${facts}${
    step.exchanges.length
      ? `<h3>HTTP exchanges (${step.exchanges.length})</h3>${step.exchanges.map(exchangeHtml).join('')}`
      : ''
  }</section>`;
}

/** The offline HTML page for a report. */
export function toHtmlReport(report: InspectorReport): string {
  const { view } = report;
  const counts = view.summary;
  const stopping = stoppingCheck(view);
  const firstFail = stopping ?? view.steps.flatMap((s) => s.checks).find((c) => c.status === 'fail');
  const outcome =
    view.step === 'connected'
      ? '<span class="pass">✓ Connected</span>'
      : view.step === 'failed'
        ? `<span class="fail">✕ Stopped at ${esc(STEP_INFO[view.failedStep ?? 'probe'].title)}</span>`
        : `<span class="muted">${esc(view.step)}</span>`;
  const sequence = buildSequence(view);
  const ran = view.steps.filter((s) => s.status !== 'pending');
  const tools = view.tools.length
    ? `<section class="panel" aria-labelledby="tools-title"><h2 id="tools-title">Tools (${view.tools.length})</h2><table><thead><tr><th scope="col">Name</th><th scope="col">Read-only</th><th scope="col">Description</th></tr></thead><tbody>${view.tools
        .map(
          (t) =>
            `<tr><td class="mono">${esc(t.name)}</td><td>${t.readOnly ? 'yes' : 'no'}</td><td>${esc(t.description ?? '')}</td></tr>`,
        )
        .join('')}</tbody></table></section>`
    : '';
  const token = view.token
    ? `<section class="panel" aria-labelledby="token-title"><h2 id="token-title">Access token (redacted)</h2><dl class="ea"><dt class="muted">Value</dt><dd class="mono">${esc(view.token.accessToken)}</dd><dt class="muted">Scope</dt><dd class="mono">${esc(view.token.scope ?? '(not stated)')}</dd><dt class="muted">Refresh token</dt><dd>${view.token.hasRefreshToken ? 'held by the inspector (server-side)' : 'none'}</dd></dl>${
        view.token.claims ? `<pre>${esc(JSON.stringify(view.token.claims, null, 2))}</pre>` : ''
      }</section>`
    : '';
  const title = `MCP Auth Inspector report: ${view.options.serverUrl}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<style>${CSS}${PICTURE_CSS}</style>
</head>
<body>
<main>
<header><h1>${esc(title)}</h1><p class="muted">${esc(reportFileName(report).replace(/\.json$/, '.html'))} · exported ${esc(report.exportedAt)} · judged against ${esc(view.options.specVersion)} · read-only: values were redacted when recorded; tokens, codes, verifiers and client secrets never left the inspector’s server.</p></header>
<section class="panel" aria-labelledby="doctor-title"><h2 id="doctor-title">Doctor: ${outcome}</h2><p class="counts"><span class="pass">✓ ${counts.pass} passed</span><span class="warn">! ${counts.warn} ${counts.warn === 1 ? 'warning' : 'warnings'}</span><span class="fail">✕ ${counts.fail} failed</span><span class="muted">${counts.skip} skipped</span></p>${
    firstFail ? `<ul class="checks">${checkHtml(firstFail)}</ul>` : ''
  }${
    view.error
      ? `<div class="error" role="note"><strong class="fail">✕ ${esc(view.error.message)}</strong>${view.error.hint ? `<div>What to do: ${esc(view.error.hint)}</div>` : ''}</div>`
      : ''
  }</section>
<section class="panel" aria-labelledby="sequence-title"><h2 id="sequence-title">Sequence diagram</h2><p class="muted">Solid: requests · dashed: responses · blue: the browser’s redirects · ✕: what a failed check proves. Each arrow links to its exchange below.</p><div class="picture">${pictureSvg(
    sequence,
    { link: (c) => (c.exchangeId ? `#exchange-${c.exchangeId}` : `#step-${c.stepId}`) },
  )}</div></section>
${ran.map((s) => stepHtml(s, view.steps.indexOf(s), view.options.grant)).join('\n')}
${token}
${tools}
</main>
</body>
</html>
`;
}
