import { clientMetadataDocument } from '@/lib/server/inspector';

export const dynamic = 'force-dynamic';

/**
 * The inspector's Client ID Metadata Document: its URL is its client_id
 * (draft-ietf-oauth-client-id-metadata-document §3). Authorization servers fetch it.
 */
export async function GET(): Promise<Response> {
  return Response.json(await clientMetadataDocument(), {
    headers: { 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' },
  });
}
