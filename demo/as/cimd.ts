/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): the client_id is an URL and
 * the authorization server fetches the client's metadata from it. oidc-provider's own implementation only
 * accepts https client ids; the demo also allows http on loopback so a locally running inspector can use it.
 */
import { rootCertificates } from 'node:tls';
import type { AdapterPayload, ClientAuthMethod } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { Agent } from 'undici';
import { isLoopbackHost, type Logger } from '../http';
import type { DocumentFetchRecord } from '../state';

const MAX_DOCUMENT_BYTES = 64 * 1024;
/** How long a document without a max-age is reused: an edited one applies within seconds. */
const DEFAULT_CACHE_MS = 5_000;
const MAX_CACHE_MS = 10 * 60_000;
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

export type DocumentFetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * How the demo's authorization servers fetch client metadata documents: Node's fetch, trusting Node's
 * own roots and, once `trustCa` was given one, that CA too, for these fetches only (a tester's inspector
 * behind a private or per-run certificate). Nothing process-wide changes.
 */
export interface DocumentFetcher {
  fetch: DocumentFetch;
  /** Trusts `ca` (PEM) besides Node's roots from the next fetch on; undefined: Node's roots only. */
  trustCa(ca: string | undefined): Promise<void>;
  close(): Promise<void>;
}

export function createDocumentFetcher(): DocumentFetcher {
  let agent: Agent | undefined;
  const replace = async (next: Agent | undefined) => {
    const previous = agent;
    agent = next;
    await previous?.close();
  };
  return {
    // `dispatcher` is undici's extension to RequestInit; Node's fetch honours it.
    fetch: (url, init) => fetch(url, (agent ? { ...init, dispatcher: agent } : init) as RequestInit),
    trustCa: (ca) => replace(ca ? new Agent({ connect: { ca: [...rootCertificates, ca] } }) : undefined),
    close: () => replace(undefined),
  };
}

export interface ResolverOptions {
  /** Default: the global fetch. */
  fetch?: DocumentFetch;
  log?: Logger;
  /** Told about every document fetched (not cache hits): accepted, or why not. */
  record?: (fetched: DocumentFetchRecord) => void;
}

/**
 * Resolves client ids that are URLs by fetching and validating their document. Resolves undefined for ids
 * that are not client id URLs (the client is then unknown); rejects with invalid_client /
 * invalid_client_metadata when the document is unusable. One authorization looks the client up several
 * times; an accepted document is reused as long as `documentCacheMs` says. Failures are not cached.
 */
export function createClientMetadataDocumentResolver(
  options: ResolverOptions = {},
): (id: string) => Promise<AdapterPayload | undefined> {
  const { log, record } = options;
  const get = options.fetch ?? ((url, init) => fetch(url, init));
  const cache = new Map<string, { metadata: AdapterPayload; until: number }>();
  return async (id) => {
    const hit = cache.get(id);
    if (hit && hit.until > Date.now()) return hit.metadata;
    if (!isClientIdUrl(id)) return undefined;
    const at = new Date().toISOString();
    let fetched: { metadata: AdapterPayload; cacheMs: number };
    try {
      fetched = await fetchClientMetadataDocument(id, get, log);
    } catch (error) {
      record?.({ clientId: id, at, error: reasonOf(error) });
      throw error;
    }
    record?.({ clientId: id, at, error: null });
    if (fetched.cacheMs > 0) {
      if (cache.size >= 100) cache.clear();
      cache.set(id, { metadata: fetched.metadata, until: Date.now() + fetched.cacheMs });
    }
    return fetched.metadata;
  };
}

/**
 * How long an accepted document may be reused, from its Cache-Control (the authorization server SHOULD
 * respect HTTP cache headers and MAY cap them: draft-ietf-oauth-client-id-metadata-document-01 §4.4;
 * RFC 9111 §5.2.2): `no-store` or `no-cache` not at all, `max-age` up to ten minutes, otherwise a few
 * seconds. A document saying how long it keeps is also fetched once per authorization, however slowly
 * the user signs in.
 */
export function documentCacheMs(cacheControl: string | null): number {
  const directives = (cacheControl ?? '')
    .toLowerCase()
    .split(',')
    .map((d) => d.trim());
  if (directives.includes('no-store') || directives.includes('no-cache')) return 0;
  const maxAge = directives.map((d) => /^max-age=(\d+)$/.exec(d)?.[1]).find((v) => v !== undefined);
  return maxAge === undefined ? DEFAULT_CACHE_MS : Math.min(Number(maxAge) * 1000, MAX_CACHE_MS);
}

/** An error's message and those of its causes (fetch says only "fetch failed"; its cause says why). */
function reasonOf(error: unknown): string {
  const parts: string[] = [];
  for (let e = error; e && parts.length < 4; e = (e as { cause?: unknown }).cause) {
    const message =
      e instanceof errors.OIDCProviderError
        ? (e.error_description ?? e.message)
        : e instanceof Error
          ? e.message
          : String(e);
    parts.push(message);
    if (!(e instanceof Error)) break;
  }
  return parts.join(': ');
}

async function fetchClientMetadataDocument(
  id: string,
  get: DocumentFetch,
  log?: Logger,
): Promise<{ metadata: AdapterPayload; cacheMs: number }> {
  let response: Response;
  try {
    response = await get(id, {
      headers: { accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(5000),
    });
  } catch (cause) {
    log?.(`cimd fetch ${id} failed: ${reasonOf(cause)}`);
    throw Object.assign(new errors.InvalidClient('client_id metadata document could not be fetched'), {
      cause,
    });
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
    metadata: {
      ...(metadata as AdapterPayload),
      client_id: id,
      token_endpoint_auth_method: authMethod as ClientAuthMethod,
    },
    cacheMs: documentCacheMs(response.headers.get('cache-control')),
  };
}
