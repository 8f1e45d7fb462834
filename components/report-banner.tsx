'use client';

import { useInspector } from './inspector-provider';

/** While a report is open: what it is, and the way back to the live walkthrough. */
export function ReportBanner() {
  const report = useInspector((s) => s.report);
  const serverUrl = useInspector((s) => s.view?.options.serverUrl);
  const closeReport = useInspector((s) => s.closeReport);
  if (!report) return null;
  return (
    <div className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-accent/50 bg-accent/5 px-4 py-2 text-sm">
      <p>
        <span className="font-semibold">Viewing a report</span> of{' '}
        <code className="break-all font-mono">{serverUrl}</code>, exported{' '}
        {new Date(report.exportedAt).toLocaleString()}. Nothing here is live: tools cannot be run.
      </p>
      <button type="button" onClick={closeReport} className="rounded-md border border-line px-3 py-1.5">
        Close report
      </button>
    </div>
  );
}
