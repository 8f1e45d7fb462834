/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): the client_id is an URL and
 * the authorization server fetches the client's metadata from it. oidc-provider's own implementation only
 * accepts https client ids; the demo also allows http on loopback so a locally running inspector can use it.
 */
import type { AdapterPayload, ClientAuthMethod } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { isLoopbackHost, type Logger } from '../http';

const MAX_DOCUMENT_BYTES = 64 * 1024;
const CACHE_MS = 5_000;
const FORBIDDEN_AUTH_METHODS = new Set(['client_secret_basic', 'client_secret_post', 'client_secret_jwt']);

/** Whether `id` has the shape of a client id URL (§3): https (or loopback http), a path, no fragment or userinfo. */
export function isClientIdUrl(id: string): boolean {
  if (!/^https?:\/\//i.test(id) || id.includes('#')) return false;
  let url: URL;
  try {
    url = new URL(id);
  } catch {
    return false;
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return false;
  if (url.username || url.password) return false;
  const rawPath = id.replace(/^https?:\/\/[^/?#]*/i, '').split('?')[0] ?? '';
  if (rawPath === '' || rawPath === '/') return false;
  const segments = rawPath.split('/').map((s) => s.replace(/%2e/gi, '.'));
  return !segments.some((s) => s === '.' || s === '..');
}

/**
 * Resolves client ids that are URLs by fetching and validating their document. Resolves undefined for ids
 * that are not client id URLs (the client is then unknown); rejects with invalid_client /
 * invalid_client_metadata when the document is unusable. One authorization looks the client up several
 * times, so a short cache keeps that to one fetch while an edited document still applies within seconds.
 * Failures are not cached.
 */
export function createClientMetadataDocumentResolver(
  log?: Logger,
): (id: string) => Promise<AdapterPayload | undefined> {
  const cache = new Map<string, { metadata: AdapterPayload; until: number }>();
  return async (id) => {
    const hit = cache.get(id);
    if (hit && hit.until > Date.now()) return hit.metadata;
    const metadata = await fetchClientMetadataDocument(id, log);
    if (metadata) {
      if (cache.size >= 100) cache.clear();
      cache.set(id, { metadata, until: Date.now() + CACHE_MS });
    }
    return metadata;
  };
}

async function fetchClientMetadataDocument(id: string, log?: Logger): Promise<AdapterPayload | undefined> {
  if (!isClientIdUrl(id)) return undefined;

  let response: Response;
  try {
    response = await fetch(id, {
      headers: { accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(5000),
    });
  } catch (cause) {
    log?.(`cimd fetch ${id} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    throw new errors.InvalidClient('client_id metadata document could not be fetched');
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new errors.InvalidClient(`client_id metadata document answered HTTP ${response.status}`);
  }
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MAX_DOCUMENT_BYTES) {
    await response.body?.cancel();
    throw new errors.InvalidClientMetadata('client_id metadata document is too large');
  }
  const body = await response.text();
  if (Buffer.byteLength(body) > MAX_DOCUMENT_BYTES) {
    throw new errors.InvalidClientMetadata('client_id metadata document is too large');
  }

  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    throw new errors.InvalidClientMetadata('client_id metadata document is not JSON');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new errors.InvalidClientMetadata('client_id metadata document is not a JSON object');
  }
  const metadata = document as Record<string, unknown>;
  if (metadata.client_id !== id) {
    throw new errors.InvalidClientMetadata(
      `client_id in the document (${JSON.stringify(metadata.client_id)}) must equal the document URL`,
    );
  }
  if ('client_secret' in metadata || 'client_secret_expires_at' in metadata) {
    throw new errors.InvalidClientMetadata('client_id metadata document must not contain client_secret');
  }
  const authMethod = metadata.token_endpoint_auth_method ?? 'none';
  if (typeof authMethod !== 'string' || FORBIDDEN_AUTH_METHODS.has(authMethod)) {
    throw new errors.InvalidClientMetadata(
      'client_id metadata document must not use a shared-secret auth method',
    );
  }
  if (
    !Array.isArray(metadata.redirect_uris) ||
    metadata.redirect_uris.length === 0 ||
    !metadata.redirect_uris.every((uri) => typeof uri === 'string')
  ) {
    throw new errors.InvalidClientMetadata('client_id metadata document must list redirect_uris');
  }
  log?.(`cimd fetched ${id}`);
  return {
    ...(metadata as AdapterPayload),
    client_id: id,
    token_endpoint_auth_method: authMethod as ClientAuthMethod,
  };
}
