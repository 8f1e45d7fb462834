import type { FetchLike } from '../http/types';
import { canonicalResourceUri } from './canonical-uri';
import { parseJsonObjectResponse } from './json-document';

/** Where a protected resource metadata (PRM) candidate URL came from, in the spec's priority order. */
export type PrmSource = 'header' | 'path-aware' | 'root';

export interface PrmCandidate {
  url: string;
  source: PrmSource;
  /** The `resource` value RFC 9728 §3.3 requires for a document fetched from this URL. */
  expectedResource: string;
}

/** RFC 9728 §2 fields the inspector reads; everything else is kept as-is for display. */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers?: string[];
  scopes_supported?: string[];
  bearer_methods_supported?: string[];
  resource_name?: string;
  [field: string]: unknown;
}

export const PRM_WELL_KNOWN = '/.well-known/oauth-protected-resource';

/**
 * The ordered PRM discovery URLs: the `resource_metadata` URL from the 401 challenge when there is
 * one, then the path-aware well-known URL, then the root well-known URL.
 * @see MCP 2025-11-25 §Protected Resource Metadata Discovery Requirements; RFC 9728 §3.1
 */
export function buildPrmCandidates(serverUrl: string | URL, headerUrl?: string): PrmCandidate[] {
  const server = new URL(serverUrl.toString());
  const resource = canonicalResourceUri(server);
  const candidates: PrmCandidate[] = [];
  const seen = new Set<string>();
  const add = (url: string, source: PrmSource, expectedResource: string) => {
    if (seen.has(url)) return;
    seen.add(url);
    candidates.push({ url, source, expectedResource });
  };

  if (headerUrl) {
    let url = headerUrl;
    try {
      url = new URL(headerUrl, server).href;
    } catch {
      // Keep the raw value: the fetch will report it as an invalid URL in the probe matrix.
    }
    // RFC 9728 §3.3: a document found through the header must name the resource the client requested.
    add(url, 'header', resource);
  }

  // RFC 9728 §3.1: insert the well-known suffix between host and path; drop a terminating slash.
  const path = server.pathname.replace(/\/+$/, '');
  if (path) add(`${server.origin}${PRM_WELL_KNOWN}${path}${server.search}`, 'path-aware', resource);
  add(`${server.origin}${PRM_WELL_KNOWN}`, 'root', server.origin);
  return candidates;
}

/**
 * Fetches one PRM candidate.
 * @see RFC 9728 §3.1
 */
export function protectedResourceMetadataRequest(
  fetch: FetchLike,
  url: string,
  init?: RequestInit,
): Promise<Response> {
  return fetch(url, {
    ...init,
    method: 'GET',
    headers: { accept: 'application/json', ...(init?.headers as Record<string, string> | undefined) },
    redirect: 'manual',
  });
}

/**
 * How the document's `resource` relates to the value RFC 9728 §3.3 requires.
 * - exact: identical strings.
 * - trailing-slash: differs only by a trailing slash (lenient clients accept it; strict ones do not).
 * - prefix: names a parent of the expected resource (the TypeScript SDK accepts it).
 * - server-url-at-root: the root well-known document names the MCP server URL rather than the origin.
 * - mismatch: anything else; the document MUST NOT be used.
 */
export type ResourceMatch = 'exact' | 'trailing-slash' | 'prefix' | 'server-url-at-root' | 'mismatch';

export function compareResource(
  actual: string,
  candidate: PrmCandidate,
  serverResource: string,
): ResourceMatch {
  const expected = candidate.expectedResource;
  if (actual === expected) return 'exact';
  const strip = (s: string) => s.replace(/\/+$/, '');
  if (strip(actual) === strip(expected)) return 'trailing-slash';
  if (candidate.source === 'root' && (actual === serverResource || strip(actual) === strip(serverResource))) {
    return 'server-url-at-root';
  }
  let a: URL;
  let e: URL;
  try {
    a = new URL(actual);
    e = new URL(expected);
  } catch {
    return 'mismatch';
  }
  if (a.origin !== e.origin || a.search || a.hash) return 'mismatch';
  const aPath = strip(a.pathname);
  const ePath = strip(e.pathname);
  if (aPath === '' || ePath === aPath || ePath.startsWith(`${aPath}/`)) return 'prefix';
  return 'mismatch';
}

export type PrmDocumentResult =
  | { ok: true; document: ProtectedResourceMetadata }
  | { ok: false; problem: string };

/**
 * Parses a PRM response body: a JSON object with a string `resource` (REQUIRED, RFC 9728 §2).
 * @see RFC 9728 §3.2
 */
export function parsePrmDocument(status: number, body: string): PrmDocumentResult {
  const parsed = parseJsonObjectResponse(status, body);
  if (!parsed.ok) return parsed;
  const doc = parsed.doc;
  if (typeof doc.resource !== 'string' || !doc.resource) {
    return { ok: false, problem: 'the document has no "resource" (REQUIRED by RFC 9728 §2)' };
  }
  return { ok: true, document: doc as ProtectedResourceMetadata };
}

/** The `authorization_servers` entries that are usable URLs (MUST list at least one: MCP §Authorization Server Location). */
export function authorizationServersOf(doc: ProtectedResourceMetadata): string[] {
  const list = doc.authorization_servers;
  if (!Array.isArray(list)) return [];
  // Only http(s) issuers can be discovered; anything else (javascript:, file:, data:) is not an AS URL.
  return list.filter(
    (s): s is string => typeof s === 'string' && URL.canParse(s) && /^https?:$/.test(new URL(s).protocol),
  );
}
