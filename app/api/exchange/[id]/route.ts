import { sessionExchange } from '@/lib/server/inspector';

export const dynamic = 'force-dynamic';

/** Longest exchange id looked up; ours are a step name and two counters. */
const MAX_ID_CHARS = 200;

/**
 * One exchange of this browser's own walkthrough, with its headers and bodies (redacted when recorded,
 * scrubbed of the session's live secrets as every view is): the live page gets exchanges collapsed and
 * loads each one here when it is opened.
 */
export async function GET(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  const { id } = await params;
  // `at`: when the exchange was sent, as the page has it; ids alone repeat across walkthroughs.
  const startedAt = Number(new URL(request.url).searchParams.get('at'));
  const exchange = id.length <= MAX_ID_CHARS ? await sessionExchange(id, startedAt) : undefined;
  if (!exchange) {
    return Response.json(
      {
        error: 'not_found',
        error_description:
          'This browser’s walkthrough has no such exchange: it belongs to an earlier walkthrough (another tab may have started a new one) or to another browser. Reload the page to see the current one.',
      },
      { status: 404, headers: { 'Cache-Control': 'no-store' } },
    );
  }
  return Response.json(exchange, { headers: { 'Cache-Control': 'no-store' } });
}
