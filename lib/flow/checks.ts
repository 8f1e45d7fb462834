import type { StepId } from './types';

export interface CheckDefinition {
  /** The step that judges it. */
  step: StepId;
  title: string;
  /** Where the rule comes from; the UI and the README show the same reference. */
  specRef: string;
}

/**
 * Every doctor check, by stable id. The README lists them from here, the UI shows their titles, and
 * a check recorded by a step always takes its title and reference from this table.
 */
export const CHECKS = {
  'probe.reachable': {
    step: 'probe',
    title: 'The MCP server answers',
    specRef: 'MCP 2025-11-25 §Transports (Streamable HTTP)',
  },
  'probe.unauthorized': {
    step: 'probe',
    title: 'A request without a token gets 401',
    specRef: 'MCP 2025-11-25 §Error Handling (all revisions)',
  },
  'probe.www-authenticate': {
    step: 'probe',
    title: 'The 401 carries a Bearer WWW-Authenticate challenge',
    specRef: 'MCP 2025-11-25 §Protected Resource Metadata Discovery Requirements; RFC 6750 §3',
  },
  'probe.resource-metadata-param': {
    step: 'probe',
    title: 'The challenge names resource_metadata',
    specRef: 'RFC 9728 §5.1; MCP 2025-06-18 §Authorization Server Location',
  },
  'probe.scope-param': {
    step: 'probe',
    title: 'The challenge names the scope to request',
    specRef: 'MCP 2025-11-25 §Protected Resource Metadata Discovery Requirements (SHOULD)',
  },
  'probe.cors-expose': {
    step: 'probe',
    title: 'Browser clients can read WWW-Authenticate',
    specRef: 'Fetch Standard §Access-Control-Expose-Headers (browser clients only)',
  },
  'prm.found': {
    step: 'prm',
    title: 'Protected resource metadata is found in the spec’s order',
    specRef: 'MCP 2025-11-25 §Protected Resource Metadata Discovery Requirements; RFC 9728 §3',
  },
  'prm.authorization-server-binding': {
    step: 'prm',
    title: 'After a 401: the resource still names the authorization server the session signed in with',
    specRef: 'MCP 2026-07-28 §Client Registration (credentials bound to the authorization server, SEP-2352)',
  },
  'prm.resource-match': {
    step: 'prm',
    title: 'The metadata’s resource is the server it was fetched for',
    specRef: 'RFC 9728 §3.3',
  },
  'prm.authorization-servers': {
    step: 'prm',
    title: 'The metadata lists at least one authorization server',
    specRef: 'MCP 2025-06-18 §Authorization Server Location; RFC 9728 §2',
  },
  'prm.scopes-supported': {
    step: 'prm',
    title: 'The metadata lists scopes_supported',
    specRef: 'RFC 9728 §2 (RECOMMENDED); MCP 2025-11-25 §Scope Selection Strategy',
  },
  'prm.authorization-server-choice': {
    step: 'prm',
    title: 'An authorization server is chosen from the list',
    specRef: 'RFC 9728 §7.6; MCP 2025-06-18 §Authorization Server Location',
  },
  'prm.legacy-mode': {
    step: 'prm',
    title: '2025-03-26 discovery from the server’s origin',
    specRef: 'MCP 2025-03-26 §Authorization Base URL',
  },
  'as.found': {
    step: 'as-metadata',
    title: 'Authorization server metadata is found in the spec’s order',
    specRef: 'MCP 2025-11-25 §Authorization Server Metadata Discovery; RFC 8414 §3',
  },
  'as.issuer-match': {
    step: 'as-metadata',
    title: 'The metadata’s issuer is exactly the authorization server’s identifier',
    specRef: 'RFC 8414 §3.3; OpenID Connect Discovery 1.0 §4.3',
  },
  'as.pkce-s256': {
    step: 'as-metadata',
    title: 'The authorization server supports PKCE with S256',
    specRef: 'MCP 2025-11-25 §Authorization Code Protection; RFC 7636 §4.2; RFC 9700 §2.1.1',
  },
  'as.response-type-code': {
    step: 'as-metadata',
    title: 'The authorization server supports response_type=code',
    specRef: 'RFC 8414 §2',
  },
  'as.https-endpoints': {
    step: 'as-metadata',
    title: 'Authorization server endpoints use HTTPS',
    specRef: 'MCP 2025-11-25 §Communication Security; RFC 8414 §2',
  },
  'as.iss-parameter': {
    step: 'as-metadata',
    title: 'The authorization server sends iss in the authorization response',
    specRef: 'RFC 9207 §3; RFC 9700 §4.4',
  },
  'as.origin-metadata': {
    step: 'as-metadata',
    title: 'Metadata at the MCP server’s origin agrees',
    specRef: 'MCP 2025-03-26 §Server Metadata Discovery',
  },
  'registration.route-available': {
    step: 'registration',
    title: 'A client registration route is available',
    specRef: 'MCP 2025-11-25 §Client Registration Approaches',
  },
  'registration.pre-registered': {
    step: 'registration',
    title: 'Pre-registered client credentials',
    specRef: 'MCP 2025-11-25 §Client Registration Approaches',
  },
  'registration.cimd': {
    step: 'registration',
    title: 'Client ID Metadata Document',
    specRef:
      'MCP 2025-11-25 §Client ID Metadata Documents; draft-ietf-oauth-client-id-metadata-document-00 §3, §4.1',
  },
  'registration.dcr': {
    step: 'registration',
    title: 'Dynamic Client Registration',
    specRef: 'RFC 7591 §3; MCP 2025-11-25 §Dynamic Client Registration',
  },
  'registration.redirect-uri': {
    step: 'registration',
    title: 'The redirect URI is localhost or HTTPS',
    specRef: 'MCP 2025-11-25 §Communication Security; RFC 9700 §2.1',
  },
  'authorize.grant-advertised': {
    step: 'authorize',
    title:
      'A grant without a browser (client credentials, JWT bearer): the authorization server advertises it',
    specRef: 'RFC 6749 §4.4; RFC 7523 §2.1; RFC 8414 §2 (grant_types_supported); MCP ext-auth extensions',
  },
  'authorize.pkce': {
    step: 'authorize',
    title: 'A PKCE S256 challenge is sent',
    specRef: 'RFC 7636 §4.3; MCP 2025-11-25 §Authorization Code Protection',
  },
  'authorize.state': {
    step: 'authorize',
    title: 'A random state is sent',
    specRef: 'RFC 6749 §10.12; MCP 2025-11-25 §Open Redirection',
  },
  'authorize.resource': {
    step: 'authorize',
    title: 'The resource parameter names the MCP server',
    specRef: 'RFC 8707 §2; MCP 2025-11-25 §Resource Parameter Implementation',
  },
  'authorize.scope-selection': {
    step: 'authorize',
    title: 'The scope follows the spec’s selection strategy',
    specRef: 'MCP 2025-11-25 §Scope Selection Strategy',
  },
  'callback.error': {
    step: 'callback',
    title: 'The authorization server granted the request',
    specRef: 'RFC 6749 §4.1.2.1',
  },
  'callback.state-match': {
    step: 'callback',
    title: 'The state comes back unchanged',
    specRef: 'RFC 6749 §4.1.2; MCP 2025-11-25 §Open Redirection',
  },
  'callback.iss-match': {
    step: 'callback',
    title: 'The iss parameter names the authorization server',
    specRef: 'RFC 9207 §2.4',
  },
  'callback.code': {
    step: 'callback',
    title: 'An authorization code arrives',
    specRef: 'RFC 6749 §4.1.2',
  },
  'token.exchange': {
    step: 'token',
    title: 'The code is exchanged for a Bearer access token',
    specRef: 'RFC 6749 §4.1.3, §5.1; RFC 7636 §4.5',
  },
  'token.audience': {
    step: 'token',
    title: 'The access token’s audience is this MCP server',
    specRef: 'RFC 8707 §2; RFC 9068 §3; MCP 2025-11-25 §Token Handling',
  },
  'token.refresh-token': {
    step: 'token',
    title: 'A refresh token is issued',
    specRef: 'RFC 6749 §1.5; MCP 2025-11-25 §Token Theft',
  },
  'token.expires-in': {
    step: 'token',
    title: 'The access token is short-lived and says when it expires',
    specRef: 'RFC 6749 §5.1; MCP 2025-11-25 §Token Theft',
  },
  'token.scope-granted': {
    step: 'token',
    title: 'The granted scope covers the requested scope',
    specRef: 'RFC 6749 §3.3, §5.1',
  },
  'token.refresh': {
    step: 'token',
    title: 'The refresh token renews the access token',
    specRef: 'RFC 6749 §6; RFC 8707 §2.2; MCP 2025-11-25 §Resource Parameter Implementation',
  },
  'token.refresh-rotation': {
    step: 'token',
    title: 'The refresh token rotates on use',
    specRef: 'MCP 2025-11-25 §Token Theft; RFC 9700 §4.14.2; OAuth 2.1 §4.3.1',
  },
  'token.id-jag': {
    step: 'token',
    title: 'Enterprise-managed: the IdP issues an ID-JAG for this authorization server, resource and client',
    specRef: 'RFC 8693 §2; draft-ietf-oauth-identity-assertion-authz-grant §4.3; SEP-990',
  },
  'token.assertion-claims': {
    step: 'token',
    title:
      'JWT bearer: the assertion names this authorization server in aud and has not expired, or is refused',
    specRef: 'RFC 7523 §3; SEP-990 §5.1',
  },
  'token.dpop-advertised': {
    step: 'token',
    title: 'DPoP: the authorization server advertises the signing algorithm the client uses',
    specRef: 'RFC 9449 §5.1 (dpop_signing_alg_values_supported); MCP ext-auth DPoP (SEP-1932)',
  },
  'token.dpop-bound': {
    step: 'token',
    title: 'DPoP: the token is bound to the client’s key (token_type DPoP, cnf.jkt)',
    specRef: 'RFC 9449 §5, §6',
  },
  'token.revocation': {
    step: 'token',
    title: 'Disconnecting revokes the tokens at the authorization server',
    specRef: 'RFC 7009 §2.1, §2.2; RFC 8414 §2 (revocation_endpoint)',
  },
  'mcp.initialize': {
    step: 'mcp-init',
    title: 'The server accepts the token in the Authorization header (server/discover or initialize)',
    specRef: 'MCP 2026-07-28 §Versioning; MCP 2025-11-25 §Token Requirements; §Lifecycle',
  },
  'mcp.protocol-revision': {
    step: 'mcp-init',
    title: 'Which revision the server speaks (warn when older than the one judged)',
    specRef: 'MCP 2026-07-28 §Versioning (Protocol Version Negotiation, Backward Compatibility)',
  },
  'mcp.version-rejection': {
    step: 'mcp-init',
    title:
      'An unsupported version is rejected with 400 UnsupportedProtocolVersionError listing supported versions',
    specRef:
      'MCP 2026-07-28 §Versioning (Protocol Version Negotiation); §Streamable HTTP (Protocol Version Header)',
  },
  'mcp.server-discover': {
    step: 'mcp-init',
    title: 'server/discover answers (2026-07-28 servers MUST implement it)',
    specRef: 'MCP 2026-07-28 §Discovery (server/discover)',
  },
  'mcp.session': {
    step: 'mcp-init',
    title: 'The server’s session handling',
    specRef: 'MCP 2025-11-25 §Transports (Session Management)',
  },
  'mcp.tools-listed': {
    step: 'tools',
    title: 'tools/list answers',
    specRef: 'MCP 2025-11-25 §Tools (Listing Tools)',
  },
  'mcp.result-type': {
    step: 'tools',
    title: 'Results carry resultType (2026-07-28)',
    specRef: 'MCP 2026-07-28 §Base Protocol (Responses); §Multi Round-Trip Requests',
  },
  'tools.header-mirroring': {
    step: 'tools',
    title:
      'Tool definitions can be mirrored into Mcp-Param headers (invalid x-mcp-header tools are excluded)',
    specRef: 'MCP 2026-07-28 §Streamable HTTP (Custom Headers from Tool Parameters); §Tools (x-mcp-header)',
  },
  'tools.read-only-annotations': {
    step: 'tools',
    title: 'Which tools are annotated read-only (annotations are optional; only those are run)',
    specRef: 'MCP 2025-11-25 §Tools (Tool annotations); §Security Best Practices',
  },
  'audit.read-only-annotations': {
    step: 'tools',
    title: 'Access model: every tool is read-only',
    specRef: 'MCP 2025-11-25 §Tools (Tool annotations: readOnlyHint)',
  },
  'audit.non-read-only-never-called': {
    step: 'tools',
    title: 'Access model: tools that are not read-only were never called',
    specRef: 'MCP 2025-11-25 §Tools (Security Considerations); checklist D24',
  },
  'audit.invalid-token-401': {
    step: 'tools',
    title: 'An invalid token gets 401 invalid_token',
    specRef: 'MCP 2025-11-25 §Token Handling; RFC 6750 §3.1',
  },
  'audit.no-token-challenge': {
    step: 'tools',
    title: 'A request without a token gets 401 whose challenge carries no error code',
    specRef: 'RFC 6750 §3.1 (SHOULD NOT); MCP 2025-11-25 §Error Handling',
  },
  'audit.query-token-rejected': {
    step: 'tools',
    title: 'A token in the query string is rejected',
    specRef: 'MCP 2025-11-25 §Token Requirements; OAuth 2.1 §5.2; RFC 6750 §2.3',
  },
  'audit.session-without-auth-rejected': {
    step: 'tools',
    title: 'An Mcp-Session-Id without Authorization is rejected',
    specRef: 'MCP 2025-11-25 §Security Best Practices (Session Hijacking); §Token Requirements',
  },
  'audit.unsupported-version-rejected': {
    step: 'tools',
    title:
      'A protocol version the server does not speak gets 400 UnsupportedProtocolVersionError with its supported list',
    specRef:
      'MCP 2026-07-28 §Versioning (Protocol Version Negotiation); §Streamable HTTP (Protocol Version Header)',
  },
  'audit.mcp-method-mismatch-rejected': {
    step: 'tools',
    title: 'A request whose Mcp-Method header contradicts its body gets 400 HeaderMismatch',
    specRef: 'MCP 2026-07-28 §Streamable HTTP (Standard Request Headers, Server Validation)',
  },
  'audit.audience-as-restricted': {
    step: 'tools',
    title: 'The authorization server restricts tokens to the resource asked for',
    specRef:
      'RFC 8707 §2 (invalid_target; SHOULD audience-restrict); MCP 2025-11-25 §Resource Parameter Implementation',
  },
  'audit.dpop-binding-enforced': {
    step: 'tools',
    title: 'A DPoP-bound token is refused without its proof, or with a proof for another request',
    specRef: 'RFC 9449 §4.3, §7.1; MCP ext-auth DPoP (SEP-1932)',
  },
  'audit.assertion-replay': {
    step: 'tools',
    title:
      'A client assertion (private_key_jwt) or JWT bearer assertion presented twice is refused the second time',
    specRef: 'RFC 7523 §3 (7) (MAY); OpenID Connect Core §9 (jti)',
  },
  'audit.audience-restricted': {
    step: 'tools',
    title: 'A token issued for another resource is rejected',
    specRef: 'MCP 2025-11-25 §Access Token Privilege Restriction; RFC 8707 §2; RFC 9068 §4',
  },
  'audit.revoked-token-rejected': {
    step: 'tools',
    title: 'After revocation the next request is rejected',
    specRef: 'RFC 7009 §2.1; MCP 2025-11-25 §Token Handling',
  },
  'audit.error-no-leak': {
    step: 'tools',
    title: 'Tool errors do not leak internals',
    specRef: 'MCP 2025-11-25 §Tools (Error Handling, Security Considerations); OWASP ASVS 7.4.1',
  },
  'audit.insufficient-scope-challenge': {
    step: 'tools',
    title: 'A 403 carries an insufficient_scope challenge with the scope',
    specRef: 'MCP 2025-11-25 §Scope Challenge Handling; RFC 6750 §3.1',
  },
  'cors.browser-clients': {
    step: 'tools',
    title: 'Browser-based clients can reach every endpoint (CORS; warn only, desktop clients are unaffected)',
    specRef: 'Fetch Standard §CORS protocol; checklist item 30 (browser clients only, not in the MCP spec)',
  },
} as const satisfies Record<string, CheckDefinition>;

export type CheckId = keyof typeof CHECKS;

/** The registry as a list in step order, for the README and the UI. */
export const CHECK_LIST: ReadonlyArray<CheckDefinition & { id: CheckId }> = (
  Object.entries(CHECKS) as Array<[CheckId, CheckDefinition]>
).map(([id, def]) => ({ id, ...def }));
