import { reportDownload } from '@/lib/server/report-download';

export const dynamic = 'force-dynamic';

/** This browser's walkthrough as a redacted report file (the view it already sees; no secrets). */
export function GET(): Promise<Response> {
  return reportDownload({
    contentType: 'application/json; charset=utf-8',
    extension: '.json',
    write: (report) => JSON.stringify(report, null, 2),
  });
}
