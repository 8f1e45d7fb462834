'use client';

import { type ChangeEvent, useState } from 'react';
import { useInspector } from './inspector-provider';

const MAX_REPORT_BYTES = 20 * 1024 * 1024;
const control = 'cursor-pointer rounded-md border border-line px-3 py-1.5 text-sm';

/**
 * Reports for tickets: download this walkthrough (redacted, no secrets) as JSON or as an offline HTML
 * page, or open a JSON report a colleague sent, read-only. An opened report never reaches the server.
 */
export function ReportBar() {
  const hasLiveView = useInspector((s) => s.view !== null && s.report === null);
  const openReport = useInspector((s) => s.openReport);
  const [problem, setProblem] = useState<string | null>(null);

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setProblem(null);
    if (file.size > MAX_REPORT_BYTES) {
      setProblem(`${file.name} is ${(file.size / 1024 / 1024).toFixed(0)} MB; reports are at most 20 MB.`);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(await file.text());
    } catch {
      setProblem(`${file.name} is not JSON. Choose a report downloaded from the inspector.`);
      return;
    }
    // The report reader is not needed on the start page until someone opens a file.
    const { parseReport, reportFileName } = await import('@/lib/flow/report');
    const parsed = parseReport(json);
    if (!parsed.ok) {
      setProblem(`${file.name}: ${parsed.problem}`);
      return;
    }
    openReport(parsed.report.view, {
      exportedAt: parsed.report.exportedAt,
      fileName: reportFileName(parsed.report),
    });
  }

  return (
    <section aria-label="Reports" className="flex flex-wrap items-center gap-2 text-sm">
      {hasLiveView ? (
        <>
          <a href="/api/report" download className={control}>
            Download report (redacted)
          </a>
          <a href="/api/report/html" download className={control}>
            Download report (HTML)
          </a>
        </>
      ) : null}
      <label className={control}>
        Open a report…
        <input
          type="file"
          accept="application/json,.json"
          onChange={(e) => void onFile(e)}
          className="sr-only"
        />
      </label>
      {problem ? (
        <p role="alert" className="basis-full text-fail">
          {problem}
        </p>
      ) : null}
    </section>
  );
}
