import 'server-only';
import { type InspectorReport, reportFileName, toReport } from '../flow';
import { currentSnapshot } from './inspector';

/**
 * This browser's walkthrough as a downloaded report, in one format: the redacted report of the view
 * the browser already sees (no secrets), or a 404 with a sentence when there is no walkthrough. The
 * JSON and HTML routes differ only in how the same report is written.
 */
export async function reportDownload(format: {
  contentType: string;
  extension: '.json' | '.html';
  write: (report: InspectorReport) => string;
}): Promise<Response> {
  const { view } = await currentSnapshot();
  if (!view) {
    return Response.json(
      { error: 'no_walkthrough', error_description: 'There is no walkthrough in this session to export.' },
      { status: 404, headers: { 'Cache-Control': 'no-store' } },
    );
  }
  const report = toReport(view, new Date());
  const fileName = reportFileName(report).replace(/\.json$/, format.extension);
  return new Response(format.write(report), {
    headers: {
      'Content-Type': format.contentType,
      'Content-Disposition': `attachment; filename="${fileName}"`,
      'Cache-Control': 'no-store',
    },
  });
}
