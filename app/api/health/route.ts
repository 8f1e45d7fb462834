import { sessionStoreHealth } from '@/lib/server/session';

export const dynamic = 'force-dynamic';

/**
 * Readiness probe for launchers, load balancers and container health checks: 503 while the session
 * store (Redis, when configured) does not answer, so a proxy stops sending users to an instance
 * that cannot open their sessions.
 */
export async function GET(): Promise<Response> {
  const store = await sessionStoreHealth();
  return Response.json(store.ok ? { ok: true, store: store.store } : store, {
    status: store.ok ? 200 : 503,
    headers: { 'Cache-Control': 'no-store' },
  });
}
