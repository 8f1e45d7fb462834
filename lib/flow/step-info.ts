import type { StepId } from './types';

/** What each step is for, in words for someone learning OAuth. Shown by the walkthrough and the CLI. */
export const STEP_INFO: Record<StepId, { title: string; summary: string; specRef: string }> = {
  probe: {
    title: 'Unauthenticated probe',
    summary:
      'Send an MCP initialize request with no token. A protected server must answer 401, and its WWW-Authenticate header tells the client where to look next.',
    specRef: 'MCP 2025-11-25 §Error Handling; RFC 6750 §3',
  },
  prm: {
    title: 'Protected resource metadata',
    summary:
      'Fetch the server’s protected-resource metadata (RFC 9728). It names the authorization servers that issue tokens for this server and the scopes it knows.',
    specRef: 'RFC 9728 §3; MCP 2025-11-25 §Protected Resource Metadata Discovery',
  },
  'as-metadata': {
    title: 'Authorization server metadata',
    summary:
      'Fetch the authorization server’s metadata (RFC 8414 or OpenID discovery): its endpoints, PKCE support and whether it sends iss on the callback. The issuer must match exactly.',
    specRef: 'RFC 8414 §3; MCP 2025-11-25 §Authorization Server Metadata Discovery',
  },
  registration: {
    title: 'Client registration',
    summary:
      'Get a client id: a pre-registered one, a Client ID Metadata Document URL, or Dynamic Client Registration (RFC 7591) when the server offers a registration endpoint.',
    specRef: 'MCP 2025-11-25 §Client Registration Approaches; RFC 7591 §3',
  },
  authorize: {
    title: 'Authorization request',
    summary:
      'Build the authorization URL with PKCE (S256), a random state, the resource indicator (RFC 8707) and the chosen scopes. Your browser goes there to sign in and consent.',
    specRef: 'OAuth 2.1 §4.1.1; RFC 7636; RFC 8707 §2',
  },
  callback: {
    title: 'Authorization callback',
    summary:
      'The authorization server sends the browser back with a code. The state must be the one we sent, and iss (RFC 9207) must name the same authorization server.',
    specRef: 'OAuth 2.1 §4.1.2; RFC 9207 §2.4',
  },
  token: {
    title: 'Token exchange',
    summary:
      'Exchange the code for tokens with the PKCE verifier and the same resource. The tokens stay in the inspector’s encrypted server-side session; you see redacted forms and decoded claims. Later refreshes (RFC 6749 §6) and the revocation on Disconnect (RFC 7009) are recorded here too.',
    specRef: 'OAuth 2.1 §4.1.3; RFC 8707 §2.2',
  },
  'mcp-init': {
    title: 'MCP session',
    summary:
      'Talk MCP with the access token in the Authorization header: server/discover at 2026-07-28 first (stateless, _meta on every request), falling back to initialize for servers of 2025-11-25 and earlier, whose session id is kept. Says which revision the server speaks.',
    specRef: 'MCP 2026-07-28 §Versioning; §Discovery; MCP 2025-11-25 §Token Requirements; §Lifecycle',
  },
  tools: {
    title: 'Tools',
    summary:
      'List the server’s tools. Only tools annotated read-only can be run from here; the others are listed with the reason, and tools whose x-mcp-header declarations are invalid are excluded. A tool may ask for input before it answers (input required). The access audit’s requests and checks are recorded here too.',
    specRef: 'MCP 2025-11-25 §Tools',
  },
};
