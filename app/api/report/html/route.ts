import { reportFileName, toReport } from '@/lib/flow';
import { toHtmlReport } from '@/lib/flow/report-html';
import { currentSnapshot } from '@/lib/server/inspector';

export const dynamic = 'force-dynamic';

/** This browser's walkthrough as one offline HTML page (from the same redacted report as the JSON). */
export async function GET(): Promise<Response> {
  const { view } = await currentSnapshot();
  if (!view) {
    return Response.json(
      { error: 'no_walkthrough', error_description: 'There is no walkthrough in this session to export.' },
      { status: 404, headers: { 'Cache-Control': 'no-store' } },
    );
  }
  const report = toReport(view, new Date());
  const fileName = reportFileName(report).replace(/\.json$/, '.html');
  return new Response(toHtmlReport(report), {
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Disposition': `attachment; filename="${fileName}"`,
      'Cache-Control': 'no-store',
    },
  });
}
