/**
 * A demo MCP endpoint over Streamable HTTP, built on the v2 MCP server SDK (`@modelcontextprotocol/server`),
 * protected by bearer tokens, with its protected resource metadata (RFC 9728). Auth is checked on every
 * request before the SDK sees it. Three wires:
 *
 * - `modern`: 2026-07-28 only, stateless (`createMcpHandler` with `legacy: 'reject'`): `initialize` and other
 *   2025-era requests get 400 UnsupportedProtocolVersion (-32022); no sessions.
 * - `dual`: 2026-07-28 statelessly, and 2025-era clients (`initialize`) through the SDK's stateless legacy
 *   fallback (`createMcpHandler`'s default): one fresh server per request, no `Mcp-Session-Id`.
 * - `legacy`: 2025-11-25 (and older) with stateful sessions, one McpServer per session on the v2 SDK's
 *   `WebStandardStreamableHTTPServerTransport`. Sessions are bound to the token subject and never stand in for
 *   a token. 2026-07-28 requests are not understood: without a session they get 400 -32000, which is no
 *   modern error, so dual-era clients fall back to `initialize`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AuthInfo,
  createMcpHandler,
  isInitializeRequest,
  type McpHttpHandler,
  type McpServer,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import { PUBLIC_CORS_HEADERS, readBody, requestUrl, sendJson, sendPreflight } from '../http';
import { BASE_SCOPE, type DemoState, MCP_SCOPES } from '../state';
import {
  ANONYMOUS,
  bearerChallenge,
  bearerFromHeader,
  dpopFromHeader,
  dpopProblem,
  type Identity,
  type TokenVerifier,
} from './auth';
import { createMcpServer } from './tools';
import { sendWebResponse, toWebRequest } from './web';

/** Which MCP protocol generation an endpoint speaks (see the module comment). */
export type McpWire = 'modern' | 'dual' | 'legacy';

/** The revisions each wire accepts. The legacy list is the SDK's 2025-era list without its 2024-10-07 draft. */
export const MODERN_PROTOCOL_VERSIONS = ['2026-07-28'];
export const LEGACY_PROTOCOL_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];

export interface ProtectedResourceConfig {
  /** The PRM `resource` value. */
  resource: string;
  authorizationServers: string[];
  /** Paths on this origin that serve the PRM document. */
  paths: string[];
}

export interface McpAuthConfig {
  verify: TokenVerifier;
  /** `resource_metadata` in challenges; null leaves it out. */
  resourceMetadataUrl: string | null;
  /** Whether 401 challenges carry `scope="mcp:read"`. */
  challengeScope: boolean;
  realm?: string;
}

export interface McpEndpointOptions {
  scenario: string;
  origin: string;
  /** Path of the MCP endpoint, e.g. `/mcp`. */
  path: string;
  state: DemoState;
  /** null: an unprotected server (every caller is `anonymous`). */
  auth: McpAuthConfig | null;
  prm: ProtectedResourceConfig | null;
  wire: McpWire;
  /** Extra tools beyond the six every demo server has (see `createMcpServer`). */
  tools?: { temperature?: boolean; mcpHeaders?: boolean };
}

export interface McpEndpoint {
  readonly mcpUrl: string;
  /** Handles the request if it is for the MCP endpoint or the PRM; returns false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  close(): Promise<void>;
}

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpServer;
  identity: Identity;
}

const MAX_SESSIONS = 500;
const MAX_BODY = 4 * 1024 * 1024;

type JsonRpcLike = { method?: unknown; params?: { name?: unknown } };

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null });
}

/** Names of the tools a JSON-RPC message (or batch) asks to call. */
function calledTools(body: unknown): string[] {
  const messages = Array.isArray(body) ? body : [body];
  return messages
    .filter(
      (m): m is JsonRpcLike =>
        typeof m === 'object' && m !== null && (m as JsonRpcLike).method === 'tools/call',
    )
    .map((m) => (typeof m.params?.name === 'string' ? m.params.name : ''));
}

function isInitialize(body: unknown): boolean {
  return Array.isArray(body) ? body.some((m) => isInitializeRequest(m)) : isInitializeRequest(body);
}

/** An `Mcp-Name`-style header value: as is when header-safe, otherwise the SEP-2243 Base64 sentinel. */
function headerValue(value: string): string {
  const safe = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(value) && !/^=\?base64\?.*\?=$/.test(value);
  return safe ? value : `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/**
 * The `no-header-check` break: the standard request headers are taken from the body, whatever the client
 * sent, so a request whose `Mcp-Method` (or `Mcp-Name`) contradicts its JSON-RPC body passes the SDK's
 * header/body cross-check. A gateway that routes or authorizes on the header would be fooled.
 */
function headersFromBody(body: unknown): Record<string, string | null> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const { method, params } = body as { method?: unknown; params?: { name?: unknown; uri?: unknown } };
  if (typeof method !== 'string') return {};
  const name = method === 'resources/read' ? params?.uri : params?.name;
  const named = ['tools/call', 'prompts/get', 'resources/read'].includes(method) && typeof name === 'string';
  return { 'mcp-method': method, 'mcp-name': named ? headerValue(name) : null };
}

export function createMcpEndpoint(options: McpEndpointOptions): McpEndpoint {
  const { state, auth, prm, scenario, wire } = options;
  const mcpUrl = `${options.origin}${options.path}`;
  const sessions = new Map<string, Session>();
  const serverFor = (era: 'modern' | 'legacy') =>
    createMcpServer({
      scenario,
      state,
      era,
      ...options.tools,
      supportedProtocolVersions:
        wire === 'modern'
          ? MODERN_PROTOCOL_VERSIONS
          : era === 'legacy'
            ? LEGACY_PROTOCOL_VERSIONS
            : undefined,
    });
  // The 2026-07-28 leg: one fresh McpServer per request. `legacy: 'reject'` makes it modern-only.
  const handler: McpHttpHandler | null =
    wire === 'legacy'
      ? null
      : createMcpHandler((ctx) => serverFor(ctx.era), {
          legacy: wire === 'modern' ? 'reject' : 'stateless',
          maxRequestBodySize: MAX_BODY,
        });

  function sendProtectedResourceMetadata(res: ServerResponse, config: ProtectedResourceConfig): void {
    sendJson(
      res,
      200,
      {
        resource: config.resource,
        authorization_servers: config.authorizationServers,
        scopes_supported: [...MCP_SCOPES],
        bearer_methods_supported: ['header'],
        resource_name: `MCP Auth Inspector demo (${scenario})`,
      },
      { ...(state.isBroken('no-cors') ? {} : PUBLIC_CORS_HEADERS), 'Cache-Control': 'no-cache' },
    );
  }

  function unauthorized(res: ServerResponse, config: McpAuthConfig, description?: string): void {
    const challenge = bearerChallenge({
      realm: config.realm,
      resource_metadata: config.resourceMetadataUrl,
      scope: config.challengeScope ? BASE_SCOPE : null,
      error: description ? 'invalid_token' : null,
      error_description: description,
    });
    sendJson(
      res,
      401,
      description
        ? { error: 'invalid_token', error_description: description }
        : {
            error: 'unauthorized',
            error_description: 'Send an OAuth access token in the Authorization header.',
          },
      { 'WWW-Authenticate': challenge },
    );
  }

  function forbidden(res: ServerResponse, config: McpAuthConfig, needed: string[], missing: string[]): void {
    if (state.isBroken('bad-403')) {
      sendJson(res, 403, { message: 'Forbidden' });
      return;
    }
    const description = `This request needs the scope ${missing.join(' ')}`;
    sendJson(
      res,
      403,
      { error: 'insufficient_scope', error_description: description, scope: needed.join(' ') },
      {
        'WWW-Authenticate': bearerChallenge({
          error: 'insufficient_scope',
          scope: needed.join(' '),
          resource_metadata: config.resourceMetadataUrl,
          error_description: description,
        }),
      },
    );
  }

  /** Authenticates from the Authorization header only (unless a row is deliberately broken). */
  async function authenticate(
    req: IncomingMessage,
    url: URL,
    config: McpAuthConfig,
  ): Promise<{ ok: true; identity: Identity; token: string } | { ok: false; description?: string }> {
    const dpopToken = dpopFromHeader(req.headers.authorization);
    let token = bearerFromHeader(req.headers.authorization) ?? dpopToken;
    if (!token && state.isBroken('query-token')) token = url.searchParams.get('access_token') ?? undefined;
    if (!token) {
      const sessionId = req.headers['mcp-session-id'];
      const session = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
      if (session && state.isBroken('session-without-auth')) {
        return { ok: true, identity: session.identity, token: '' };
      }
      return { ok: false };
    }
    state.recordBearerSeen(token);
    const result = await config.verify(token);
    if (!result.ok) return result;
    // A DPoP-bound token (cnf.jkt) is only good with the DPoP scheme and a proof of its key (RFC 9449 §7.1).
    if (result.identity.jkt && !state.isBroken('dpop-as-bearer')) {
      if (!dpopToken)
        return {
          ok: false,
          description: 'This access token is DPoP-bound: send it with the DPoP scheme and a proof',
        };
      const proof = req.headers.dpop;
      const problem = await dpopProblem({
        proof: typeof proof === 'string' ? proof : undefined,
        jkt: result.identity.jkt,
        method: req.method ?? 'GET',
        url,
        token,
      });
      if (problem) return { ok: false, description: problem };
    } else if (dpopToken && !result.identity.jkt) {
      return { ok: false, description: 'The DPoP scheme was used with a token that is not DPoP-bound' };
    }
    return { ok: true, identity: result.identity, token };
  }

  async function handleMcp(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const cors = !state.isBroken('no-cors');
    if (method === 'OPTIONS') {
      const requested = req.headers['access-control-request-headers'];
      if (!cors) sendJson(res, 405, { error: 'method_not_allowed' }, { Allow: 'GET, POST, DELETE' });
      else sendPreflight(res, wire === 'legacy' ? 'GET, POST, DELETE, OPTIONS' : 'POST, OPTIONS', requested);
      return;
    }
    if (cors) for (const [name, value] of Object.entries(PUBLIC_CORS_HEADERS)) res.setHeader(name, value);
    if (!['GET', 'POST', 'DELETE'].includes(method)) {
      res.setHeader('Allow', 'GET, POST, DELETE, OPTIONS');
      jsonRpcError(res, 405, -32000, 'Method not allowed.');
      return;
    }

    let identity = ANONYMOUS;
    let token = '';
    if (auth) {
      const result = await authenticate(req, url, auth);
      if (!result.ok) {
        // A token that does not verify crashes the handler instead of getting 401.
        if (result.description && state.isBroken('bad-token-500')) {
          sendJson(res, 500, { error: 'internal_error', message: 'Internal Server Error' });
          return;
        }
        unauthorized(res, auth, result.description);
        return;
      }
      ({ identity, token } = result);
    }

    let body: unknown;
    let raw: Buffer | undefined;
    if (method === 'POST') {
      raw = await readBody(req, MAX_BODY);
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        jsonRpcError(res, 400, -32700, 'Parse error: the body is not JSON.');
        return;
      }
    }

    const tools = calledTools(body);
    if (auth) {
      const needed = state.scopesFor(tools);
      const missing = needed.filter((scope) => !identity.scopes.includes(scope));
      if (missing.length) {
        for (const tool of tools) {
          state.recordCall({
            tool,
            at: new Date().toISOString(),
            sub: identity.sub,
            clientId: identity.clientId,
            scenario,
            allowed: false,
          });
        }
        forbidden(res, auth, needed, missing);
        return;
      }
    }
    for (const tool of tools) {
      state.recordCall({
        tool,
        at: new Date().toISOString(),
        sub: identity.sub,
        clientId: identity.clientId,
        scenario,
        allowed: true,
      });
    }

    const authInfo: AuthInfo = {
      token,
      clientId: identity.clientId ?? 'anonymous',
      scopes: identity.scopes,
      expiresAt: identity.expiresAt ?? undefined,
      resource: new URL(mcpUrl),
      extra: { identity },
    };

    if (!handler) {
      await handleSession(req, res, url, raw, body, identity, authInfo);
      return;
    }
    const overrides = state.isBroken('no-header-check') ? headersFromBody(body) : {};
    const request = toWebRequest(req, res, url, raw, overrides);
    await sendWebResponse(res, await handler.fetch(request, { authInfo, parsedBody: body }));
  }

  /** The stateful 2025-era wire: `initialize` opens a session; every later request names it. */
  async function handleSession(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    raw: Buffer | undefined,
    body: unknown,
    identity: Identity,
    authInfo: AuthInfo,
  ): Promise<void> {
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId);
      // A session belongs to the subject that created it; to anyone else it does not exist.
      if (!session || session.identity.sub !== identity.sub) {
        jsonRpcError(res, 404, -32001, 'Session not found.');
        return;
      }
      session.identity = identity;
      sessions.delete(sessionId); // keep the map in least-recently-used order
      sessions.set(sessionId, session);
      const response = await session.transport.handleRequest(toWebRequest(req, res, url, raw), {
        parsedBody: body,
        authInfo,
      });
      await sendWebResponse(res, response);
      return;
    }

    // Also what a 2026-07-28 request (e.g. server/discover) gets here: a 400 whose -32000 is no modern error,
    // so dual-era clients fall back to initialize (streamable-http.mdx, Backward Compatibility).
    if (req.method !== 'POST' || !isInitialize(body)) {
      jsonRpcError(res, 400, -32000, 'Bad Request: no valid Mcp-Session-Id; send initialize first.');
      return;
    }

    const server = serverFor('legacy');
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      maxRequestBodySize: MAX_BODY,
      onsessioninitialized: (id) => {
        if (sessions.size >= MAX_SESSIONS) {
          const oldest = sessions.keys().next().value;
          if (oldest !== undefined) void sessions.get(oldest)?.transport.close();
        }
        sessions.set(id, { transport, server, identity });
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    const response = await transport.handleRequest(toWebRequest(req, res, url, raw), {
      parsedBody: body,
      authInfo,
    });
    await sendWebResponse(res, response);
  }

  return {
    mcpUrl,
    async handle(req, res) {
      const url = requestUrl(req, options.origin);
      if (url.pathname === options.path) {
        await handleMcp(req, res, url);
        return true;
      }
      if (prm?.paths.includes(url.pathname)) {
        const cors = !state.isBroken('no-cors');
        if (req.method === 'OPTIONS' && cors) sendPreflight(res, 'GET, OPTIONS');
        else if (req.method === 'GET' || req.method === 'HEAD') sendProtectedResourceMetadata(res, prm);
        else sendJson(res, 405, { error: 'method_not_allowed' }, { Allow: 'GET, OPTIONS' });
        return true;
      }
      return false;
    },
    async close() {
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled([...open.map(async ({ server }) => server.close()), handler?.close()]);
    },
  };
}
