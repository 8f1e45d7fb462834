import { reportFileName, toReport } from '@/lib/flow';
import { currentSnapshot } from '@/lib/server/inspector';

export const dynamic = 'force-dynamic';

/** This browser's walkthrough as a redacted report file (the view it already sees; no secrets). */
export async function GET(): Promise<Response> {
  const { view } = await currentSnapshot();
  if (!view) {
    return Response.json(
      { error: 'no_walkthrough', error_description: 'There is no walkthrough in this session to export.' },
      { status: 404, headers: { 'Cache-Control': 'no-store' } },
    );
  }
  const report = toReport(view, new Date());
  return new Response(JSON.stringify(report, null, 2), {
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="${reportFileName(report)}"`,
      'Cache-Control': 'no-store',
    },
  });
}
