import { toHtmlReport } from '@/lib/flow/report-html';
import { reportDownload } from '@/lib/server/report-download';

export const dynamic = 'force-dynamic';

/** This browser's walkthrough as one offline HTML page (from the same redacted report as the JSON). */
export function GET(): Promise<Response> {
  return reportDownload({ contentType: 'text/html; charset=utf-8', extension: '.html', write: toHtmlReport });
}
