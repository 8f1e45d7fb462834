import { errorPage } from '@/lib/server/error-page';
import { completeAuthorization } from '@/lib/server/inspector';
import { SessionStoreUnavailableError } from '@/lib/server/session';

export const dynamic = 'force-dynamic';

/** The authorization server redirects the browser here (RFC 6749 §4.1.2). */
export async function GET(request: Request): Promise<Response> {
  const url = new URL(request.url);
  try {
    const outcome = await completeAuthorization(url);
    if (outcome.kind === 'rejected') {
      return errorPage({ status: outcome.status, title: outcome.title, message: outcome.message });
    }
    return new Response(null, { status: 303, headers: { Location: '/', 'Cache-Control': 'no-store' } });
  } catch (error) {
    if (error instanceof SessionStoreUnavailableError) {
      // Say what is wrong: a bare "something failed" would hide that the store is away.
      return errorPage({
        status: 503,
        title: 'The inspector cannot reach its session store',
        message: error.message,
      });
    }
    console.error('[inspector] callback failed:', error instanceof Error ? error.message : error);
    return errorPage({
      status: 500,
      title: 'The inspector could not finish the sign-in',
      message:
        'Something failed on the inspector’s server while handling the authorization response. Go back and start again.',
    });
  }
}
