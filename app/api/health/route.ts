export const dynamic = 'force-dynamic';

/** Readiness probe for launchers and orchestration. */
export function GET(): Response {
  return Response.json({ ok: true }, { headers: { 'Cache-Control': 'no-store' } });
}
