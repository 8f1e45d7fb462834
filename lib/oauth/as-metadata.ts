import type { AuthorizationServer } from 'oauth4webapi';
import type { FetchLike } from '../http/types';
import { atLeast, type SpecVersion } from '../spec/version';
import { parseJsonObjectResponse } from './json-document';

export type AsMetadataKind = 'oauth' | 'oidc';

export interface AsMetadataCandidate {
  url: string;
  kind: AsMetadataKind;
}

/** Authorization server metadata as JSON; oauth4webapi's type plus the fields MCP adds. */
export type AuthorizationServerMetadata = AuthorizationServer & {
  client_id_metadata_document_supported?: boolean;
};

const OAUTH = '/.well-known/oauth-authorization-server';
const OIDC = '/.well-known/openid-configuration';

/**
 * The ordered AS metadata discovery URLs for an issuer.
 * 2025-11-25 and later: RFC 8414 path insertion, OIDC path insertion, OIDC path appending (issuers
 * with a path), or RFC 8414 then OIDC (issuers without). 2025-06-18 and 2025-03-26: RFC 8414 only.
 * @see MCP 2025-11-25 §Authorization Server Metadata Discovery; MCP 2025-06-18 §Server Metadata Discovery;
 *   RFC 8414 §3.1; OpenID Connect Discovery 1.0 §4
 */
export function buildAsMetadataCandidates(
  issuer: string | URL,
  specVersion: SpecVersion,
): AsMetadataCandidate[] {
  const u = new URL(issuer.toString());
  const path = u.pathname.replace(/\/+$/, '');
  const rfc8414: AsMetadataCandidate = { url: `${u.origin}${OAUTH}${path}`, kind: 'oauth' };
  if (!atLeast(specVersion, '2025-11-25')) return [rfc8414];
  if (!path) return [rfc8414, { url: `${u.origin}${OIDC}`, kind: 'oidc' }];
  return [
    rfc8414,
    { url: `${u.origin}${OIDC}${path}`, kind: 'oidc' },
    { url: `${u.origin}${path}${OIDC}`, kind: 'oidc' },
  ];
}

/**
 * 2025-03-26 legacy discovery: the authorization base URL is the MCP server URL without its path;
 * metadata lives at its RFC 8414 well-known URL, and when that answers 404 the client MUST use the
 * default endpoints.
 * @see MCP 2025-03-26 §Authorization Base URL, §Fallbacks for Servers without Metadata Discovery
 */
export function buildLegacyDiscovery(serverUrl: string | URL): {
  authorizationBaseUrl: string;
  metadataUrl: string;
  fallback: Pick<
    AuthorizationServerMetadata,
    'issuer' | 'authorization_endpoint' | 'token_endpoint' | 'registration_endpoint'
  >;
} {
  const origin = new URL(serverUrl.toString()).origin;
  return {
    authorizationBaseUrl: origin,
    metadataUrl: `${origin}${OAUTH}`,
    fallback: {
      issuer: origin,
      authorization_endpoint: `${origin}/authorize`,
      token_endpoint: `${origin}/token`,
      registration_endpoint: `${origin}/register`,
    },
  };
}

/**
 * Fetches one AS metadata candidate, sending `MCP-Protocol-Version` as 2025-03-26 asks.
 * @see RFC 8414 §3.1; MCP 2025-03-26 §Server Metadata Discovery Headers
 */
export function authorizationServerMetadataRequest(
  fetch: FetchLike,
  url: string,
  protocolVersion: string,
  init?: RequestInit,
): Promise<Response> {
  return fetch(url, {
    ...init,
    method: 'GET',
    headers: { accept: 'application/json', 'mcp-protocol-version': protocolVersion },
    redirect: 'manual',
  });
}

export type AsMetadataDocumentResult =
  | { ok: true; metadata: AuthorizationServerMetadata }
  | { ok: false; problem: string; claimedIssuer?: string };

/**
 * Parses a metadata response and compares `issuer` exactly (no URL normalisation: a trailing slash
 * is a different issuer). oauth4webapi's processDiscoveryResponse normalises both sides through
 * `new URL()`, which would hide exactly the mismatch the doctor must report.
 * @see RFC 8414 §3.3; OpenID Connect Discovery 1.0 §4.3
 */
export function parseAsMetadataDocument(
  status: number,
  body: string,
  expectedIssuer: string,
): AsMetadataDocumentResult {
  const parsed = parseJsonObjectResponse(status, body);
  if (!parsed.ok) return parsed;
  const doc = parsed.doc;
  if (typeof doc.issuer !== 'string') return { ok: false, problem: 'the document has no "issuer"' };
  if (doc.issuer !== expectedIssuer) {
    const onlySlash = doc.issuer.replace(/\/+$/, '') === expectedIssuer.replace(/\/+$/, '');
    return {
      ok: false,
      claimedIssuer: doc.issuer,
      problem: `claims issuer ${doc.issuer}, but it was fetched for ${expectedIssuer}${onlySlash ? ' (they differ only by a trailing slash, which still makes them different issuers)' : ''}`,
    };
  }
  return { ok: true, metadata: doc as AuthorizationServerMetadata };
}
