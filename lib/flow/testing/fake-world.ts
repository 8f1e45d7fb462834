/**
 * A fake MCP server + authorization server answering canned HTTP, for unit tests. Injected as the
 * base fetch under the traced fetch; nothing touches the network or the global fetch. Switches
 * reproduce the misconfigurations the doctor must catch.
 */
import type { FetchLike } from '../../http/types';

export interface FakeWorldOptions {
  mcpUrl?: string;
  issuer?: string;
  /** Metadata claims this issuer instead of the real one. */
  claimedIssuer?: string;
  /** PRM `resource` value (default: the MCP URL). */
  prmResource?: string;
  /** Where PRM is served: the header URL only, path-aware well-known, root, or nowhere. */
  prmAt?: 'path-aware' | 'root' | 'none';
  /** Include resource_metadata in the 401 challenge (default true). */
  challengeHasResourceMetadata?: boolean;
  challengeScope?: string;
  scopesSupported?: string[];
  /** code_challenge_methods_supported; `null` leaves the field out. */
  pkceMethods?: string[] | null;
  issParameterSupported?: boolean;
  /** The callback leaves iss out, or names another issuer. */
  callbackIss?: 'correct' | 'missing' | 'wrong';
  dcr?: boolean;
  /** Serve metadata only at the OIDC URL. */
  oidcOnly?: boolean;
  /** Access token format. */
  opaqueToken?: boolean;
  /** Token audience; default: the resource requested. */
  tokenAudience?: string;
  refreshToken?: boolean;
  /** MCP server answers 200 to unauthenticated requests. */
  unprotected?: boolean;
  /** initialize answers without a token (no session); everything else needs one. */
  openInitialize?: boolean;
  /** Tools call requiring scope: 403 insufficient_scope. */
  revokeAfterList?: boolean;
  /** The refresh grant returns a new refresh token each time (default true). */
  rotateRefreshTokens?: boolean;
  /** The AS publishes a revocation_endpoint (default true). */
  revocation?: boolean;
  /** Adds `find_records` (read-only, arguments owner and limit), which fails for another owner. */
  auditTools?: boolean;
  /** Access-model rows broken on purpose, like the demo's `/break` switches. */
  breaks?: Partial<
    Record<
      | 'queryToken'
      | 'sessionWithoutAuth'
      | 'leakInternals'
      | 'bad403'
      | 'noRevocationCheck'
      | 'noAudienceCheck'
      /** A request without any token gets 401 with error="invalid_token" (RFC 6750 §3.1: SHOULD NOT). */
      | 'noTokenErrorCode'
      /** A token it does not know gets 500 instead of 401 invalid_token. */
      | 'badToken500',
      boolean
    >
  >;
}

export interface RequestLog {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

const b64url = (s: string) => Buffer.from(s).toString('base64url');

async function sha256b64url(s: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s));
  return Buffer.from(digest).toString('base64url');
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

export function createFakeWorld(opts: FakeWorldOptions = {}) {
  const mcpUrl = opts.mcpUrl ?? 'https://mcp.example.com/mcp';
  const issuer = opts.issuer ?? 'https://auth.example.com';
  const mcp = new URL(mcpUrl);
  const as = new URL(issuer);
  const asPath = as.pathname.replace(/\/$/, '');
  const prmPathAware = `${mcp.origin}/.well-known/oauth-protected-resource${mcp.pathname}`;
  const prmRoot = `${mcp.origin}/.well-known/oauth-protected-resource`;
  const prmUrl = opts.prmAt === 'root' ? prmRoot : prmPathAware;
  const log: RequestLog[] = [];
  const clients = new Map<string, { redirectUris: string[] }>();
  const codes = new Map<
    string,
    {
      clientId: string;
      challenge: string;
      redirectUri: string;
      resource?: string;
      /** Every resource the authorization request named (RFC 8707 allows several). */
      resources?: string[];
      scope?: string;
    }
  >();
  const accessTokens = new Set<string>();
  /** access token → its grant and scope; refresh token → the same. */
  type Grant = { grant: number; scope?: string; resource?: string; resources?: string[]; clientId: string };
  const grants = new Map<string, Grant>();
  const refreshTokens = new Map<string, Grant>();
  const revokedGrants = new Set<number>();
  const expired = new Set<string>();
  let grantCounter = 0;
  let sessionCounter = 0;
  const sessions = new Set<string>();
  let counter = 0;
  const state = { revoked: false };
  const breaks = opts.breaks ?? {};

  const metadata = {
    issuer: opts.claimedIssuer ?? issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    ...(opts.dcr === false ? {} : { registration_endpoint: `${issuer}/register` }),
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    ...(opts.pkceMethods === null ? {} : { code_challenge_methods_supported: opts.pkceMethods ?? ['S256'] }),
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic'],
    authorization_response_iss_parameter_supported: opts.issParameterSupported ?? true,
    ...(opts.revocation === false ? {} : { revocation_endpoint: `${issuer}/revoke` }),
    scopes_supported: ['files:read', 'files:write'],
  };

  const challenge = () => {
    const parts = [
      ...(opts.challengeHasResourceMetadata === false ? [] : [`resource_metadata="${prmUrl}"`]),
      ...(opts.challengeScope ? [`scope="${opts.challengeScope}"`] : []),
    ];
    return `Bearer ${parts.join(', ')}`.trim();
  };

  const prmDoc = () => ({
    resource: opts.prmResource ?? (opts.prmAt === 'root' ? mcp.origin : mcpUrl),
    authorization_servers: [issuer],
    ...(opts.scopesSupported === undefined
      ? { scopes_supported: ['files:read'] }
      : opts.scopesSupported.length
        ? { scopes_supported: opts.scopesSupported }
        : {}),
  });

  const makeToken = (clientId: string, resource: string | undefined, scope: string | undefined) => {
    counter++;
    if (opts.opaqueToken) return `opaque-access-token-${counter}-abcdefghijklmnop`;
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      iss: issuer,
      sub: 'demo-user',
      aud: opts.tokenAudience ?? resource ?? issuer,
      scope,
      client_id: clientId,
      iat: now,
      exp: now + 600,
      jti: `jti-${counter}`,
    };
    return `${b64url(JSON.stringify({ alg: 'ES256', typ: 'at+jwt' }))}.${b64url(JSON.stringify(payload))}.${b64url(`signature-${counter}`)}`;
  };

  const handleMcp = async (
    method: string,
    headers: Headers,
    body: string | undefined,
    query: URLSearchParams,
  ): Promise<Response> => {
    const auth = headers.get('authorization');
    let token = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    if (!token && breaks.queryToken) token = query.get('access_token') ?? undefined;
    const sessionOnly =
      !token && breaks.sessionWithoutAuth && sessions.has(headers.get('mcp-session-id') ?? '');
    const message = body
      ? (JSON.parse(body) as { id?: number; method: string; params?: Record<string, unknown> })
      : undefined;
    if ((opts.unprotected || (opts.openInitialize && !token)) && message?.method === 'initialize') {
      return json({
        jsonrpc: '2.0',
        id: message.id,
        result: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          serverInfo: { name: 'open', version: '1' },
        },
      });
    }
    if (!token && !sessionOnly)
      return new Response('unauthorized', {
        status: 401,
        headers: {
          'www-authenticate': breaks.noTokenErrorCode
            ? `${challenge()}, error="invalid_token"`.replace('Bearer , ', 'Bearer ')
            : challenge(),
        },
      });
    const grant = token ? grants.get(token) : undefined;
    const grantRevoked = grant !== undefined && revokedGrants.has(grant.grant) && !breaks.noRevocationCheck;
    if (token && (grantRevoked || expired.has(token))) {
      return new Response(null, {
        status: 401,
        headers: {
          'www-authenticate': `Bearer error="invalid_token", error_description="${grantRevoked ? 'The access token has been revoked' : 'The access token expired'}", resource_metadata="${prmUrl}"`,
        },
      });
    }
    const audience = opts.prmResource ?? (opts.prmAt === 'root' ? mcp.origin : mcpUrl);
    if (token && grant?.resource && grant.resource !== audience && !breaks.noAudienceCheck) {
      return new Response(null, {
        status: 401,
        headers: {
          'www-authenticate': `Bearer error="invalid_token", error_description="The access token was not issued for this resource", resource_metadata="${prmUrl}"`,
        },
      });
    }
    if (token && !accessTokens.has(token) && breaks.badToken500) {
      return new Response('Internal Server Error', { status: 500 });
    }
    if (token && (!accessTokens.has(token) || state.revoked)) {
      return new Response(null, {
        status: 401,
        headers: {
          'www-authenticate': `Bearer error="invalid_token", error_description="The access token expired", resource_metadata="${prmUrl}"`,
        },
      });
    }
    if (method === 'GET') return new Response(null, { status: 405 });
    if (!message) return new Response('bad', { status: 400 });
    const sid = headers.get('mcp-session-id');
    if (message.method === 'initialize') {
      const id = `session-${++sessionCounter}`;
      sessions.add(id);
      return json(
        {
          jsonrpc: '2.0',
          id: message.id,
          result: {
            protocolVersion: (message.params?.protocolVersion as string) ?? '2025-11-25',
            capabilities: { tools: { listChanged: false } },
            serverInfo: { name: 'fake-mcp', version: '1.2.3' },
          },
        },
        200,
        { 'mcp-session-id': id },
      );
    }
    if (!sid || !sessions.has(sid))
      return json(
        { jsonrpc: '2.0', id: message.id ?? null, error: { code: -32000, message: 'Session not found' } },
        404,
      );
    if (message.id === undefined) return new Response(null, { status: 202 });
    if (message.method === 'tools/list') {
      const cursor = message.params?.cursor;
      const page1 = [
        {
          name: 'get_time',
          title: 'Get time',
          description: 'Current time',
          inputSchema: { type: 'object', properties: {} },
          annotations: { readOnlyHint: true },
        },
        {
          name: 'delete_file',
          description: 'Deletes a file',
          inputSchema: { type: 'object', properties: { path: { type: 'string' } } },
          annotations: { readOnlyHint: false, destructiveHint: true },
        },
      ];
      const page2 = [
        { name: 'mystery', inputSchema: { type: 'object' } },
        { name: 'write_scope_probe', inputSchema: { type: 'object' }, annotations: { readOnlyHint: true } },
        ...(opts.auditTools
          ? [
              {
                name: 'find_records',
                description: 'Records of the signed-in account.',
                inputSchema: {
                  type: 'object',
                  properties: { owner: { type: 'string' }, limit: { type: 'integer', maximum: 10 } },
                  required: ['owner'],
                },
                annotations: { readOnlyHint: true },
              },
            ]
          : []),
      ];
      return json({
        jsonrpc: '2.0',
        id: message.id,
        result: cursor ? { tools: page2 } : { tools: page1, nextCursor: 'page-2' },
      });
    }
    if (message.method === 'tools/call') {
      const name = (message.params as { name: string }).name;
      const scopes = (grant?.scope ?? '').split(' ');
      if (name === 'write_scope_probe' && !scopes.includes('files:write')) {
        return new Response(null, {
          status: 403,
          headers: breaks.bad403
            ? {}
            : {
                'www-authenticate': `Bearer error="insufficient_scope", scope="files:read files:write", resource_metadata="${prmUrl}"`,
              },
        });
      }
      if (name === 'find_records') {
        const args = (message.params as { arguments?: Record<string, unknown> }).arguments ?? {};
        const text =
          typeof args.owner !== 'string'
            ? 'Invalid arguments: owner must be a string.'
            : args.owner !== 'demo-user'
              ? breaks.leakInternals
                ? 'Error: permission denied\n    at findRecords (/srv/app/src/records.js:42:13)\n' +
                  'SELECT * FROM records WHERE owner = $1 -- db.internal.corp (10.1.2.3)'
                : 'You can only read your own records.'
              : undefined;
        return json({
          jsonrpc: '2.0',
          id: message.id,
          result: text
            ? { isError: true, content: [{ type: 'text', text }] }
            : { content: [{ type: 'text', text: 'no records' }] },
        });
      }
      return json({
        jsonrpc: '2.0',
        id: message.id,
        result: {
          content: [
            { type: 'text', text: '2026-01-01T00:00:00Z' },
            { type: 'image', mimeType: 'image/png', data: 'iVBORw0KGgo=' },
            { type: 'resource_link', uri: 'file:///x', name: 'x' },
          ],
          structuredContent: { now: '2026-01-01T00:00:00Z' },
        },
      });
    }
    return json({ jsonrpc: '2.0', id: message.id, error: { code: -32601, message: 'Method not found' } });
  };

  const fetch: FetchLike = async (input, init) => {
    const url = new URL(String(input));
    const method = (init?.method ?? 'GET').toUpperCase();
    const headers = new Headers(init?.headers);
    const body =
      typeof init?.body === 'string'
        ? init.body
        : init?.body instanceof URLSearchParams
          ? init.body.toString()
          : undefined;
    log.push({
      method,
      url: url.href,
      headers: Object.fromEntries(headers),
      ...(body !== undefined ? { body } : {}),
    });
    const href = url.href.replace(/\/$/, '');

    if (url.origin === mcp.origin && url.pathname === mcp.pathname)
      return handleMcp(method, headers, body, url.searchParams);

    if (href === prmPathAware && opts.prmAt !== 'root' && opts.prmAt !== 'none') return json(prmDoc());
    if (href === prmRoot && opts.prmAt === 'root') return json(prmDoc());

    const oauthMetadataUrl = `${as.origin}/.well-known/oauth-authorization-server${asPath}`;
    const oidcUrl = `${as.origin}/.well-known/openid-configuration${asPath}`;
    if (href === oauthMetadataUrl && !opts.oidcOnly) return json(metadata);
    if (href === oidcUrl && opts.oidcOnly) return json(metadata);

    if (href === `${issuer}/register` && method === 'POST' && opts.dcr !== false) {
      const req = JSON.parse(body ?? '{}') as { redirect_uris?: string[] };
      const clientId = `client-${clients.size + 1}`;
      clients.set(clientId, { redirectUris: req.redirect_uris ?? [] });
      return json({ ...req, client_id: clientId, client_id_issued_at: 1 }, 201);
    }

    if (href === `${issuer}/token` && method === 'POST') {
      const p = new URLSearchParams(body);
      if (p.get('grant_type') === 'authorization_code') {
        const entry = codes.get(p.get('code') ?? '');
        if (!entry) return json({ error: 'invalid_grant', error_description: 'unknown or used code' }, 400);
        codes.delete(p.get('code') ?? '');
        if (entry.challenge !== (await sha256b64url(p.get('code_verifier') ?? ''))) {
          return json({ error: 'invalid_grant', error_description: 'PKCE verification failed' }, 400);
        }
        if (entry.redirectUri !== p.get('redirect_uri'))
          return json({ error: 'invalid_grant', error_description: 'redirect_uri mismatch' }, 400);
        if ((p.get('resource') ?? undefined) !== entry.resource)
          return json({ error: 'invalid_target' }, 400);
        const access = makeToken(entry.clientId, entry.resource, entry.scope);
        accessTokens.add(access);
        const g = {
          grant: ++grantCounter,
          scope: entry.scope,
          resource: entry.resource,
          ...(entry.resources ? { resources: entry.resources } : {}),
          clientId: entry.clientId,
        };
        grants.set(access, g);
        const refresh = opts.refreshToken === false ? undefined : `refresh-token-${counter}-abcdefghijklmnop`;
        if (refresh) refreshTokens.set(refresh, g);
        return json({
          access_token: access,
          token_type: 'Bearer',
          expires_in: 600,
          ...(entry.scope ? { scope: entry.scope } : {}),
          ...(refresh ? { refresh_token: refresh } : {}),
        });
      }
      if (p.get('grant_type') === 'refresh_token') {
        const old = p.get('refresh_token') ?? '';
        const g = refreshTokens.get(old);
        if (!g || revokedGrants.has(g.grant) || state.revoked)
          return json({ error: 'invalid_grant', error_description: 'grant request is invalid' }, 400);
        const requested = p.get('resource') ?? undefined;
        if (requested !== g.resource && !(requested && g.resources?.includes(requested)))
          return json({ error: 'invalid_target' }, 400);
        const access = makeToken(g.clientId, requested ?? g.resource, g.scope);
        accessTokens.add(access);
        grants.set(access, { ...g, resource: requested ?? g.resource });
        const rotate = opts.rotateRefreshTokens !== false;
        const next = rotate ? `refresh-token-${counter}-rotated-abcdefghijklmnop` : undefined;
        if (next) {
          refreshTokens.delete(old);
          refreshTokens.set(next, g);
        }
        return json({
          access_token: access,
          token_type: 'Bearer',
          expires_in: 600,
          ...(g.scope ? { scope: g.scope } : {}),
          ...(next ? { refresh_token: next } : {}),
        });
      }
      return json({ error: 'unsupported_grant_type' }, 400);
    }
    if (href === `${issuer}/revoke` && method === 'POST' && opts.revocation !== false) {
      const token = new URLSearchParams(body).get('token') ?? '';
      const g = refreshTokens.get(token) ?? grants.get(token);
      if (g) revokedGrants.add(g.grant);
      return new Response(null, { status: 200 });
    }
    return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
  };

  /** What the browser + AS do: check the request, "consent", and redirect back with a code. */
  const authorize = (authorizationUrl: string, decision: 'approve' | 'deny' = 'approve'): URL => {
    const u = new URL(authorizationUrl);
    const p = u.searchParams;
    const clientId = p.get('client_id') ?? '';
    const redirectUri = p.get('redirect_uri') ?? '';
    const registered = clients.get(clientId);
    if (registered && !registered.redirectUris.includes(redirectUri))
      throw new Error('redirect_uri not registered');
    const back = new URL(redirectUri);
    const iss = opts.callbackIss === 'wrong' ? 'https://evil.example.com' : issuer;
    if (opts.callbackIss !== 'missing') back.searchParams.set('iss', iss);
    back.searchParams.set('state', p.get('state') ?? '');
    if (decision === 'deny') {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user denied the request');
      return back;
    }
    const code = `code-${++counter}-abcdefghijklmnopqrstuvwxyz`;
    codes.set(code, {
      clientId,
      challenge: p.get('code_challenge') ?? '',
      redirectUri,
      ...(p.get('resource') ? { resource: p.get('resource')!, resources: p.getAll('resource') } : {}),
      ...(p.get('scope') ? { scope: p.get('scope')! } : {}),
    });
    back.searchParams.set('code', code);
    return back;
  };

  return {
    fetch,
    log,
    authorize,
    mcpUrl,
    issuer,
    prmUrl,
    metadata,
    revokeTokens: () => {
      state.revoked = true;
    },
    /** Every token issued so far is expired; tokens issued later work (like the demo's /expire-tokens). */
    expireTokens: () => {
      for (const t of accessTokens) expired.add(t);
    },
    /** Revokes every grant so far (refresh tokens and their access tokens); new sign-ins work. */
    revokeGrants: () => {
      for (const g of grants.values()) revokedGrants.add(g.grant);
    },
    forgetSessions: () => sessions.clear(),
  };
}

export type FakeWorld = ReturnType<typeof createFakeWorld>;
