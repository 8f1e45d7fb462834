/** The default (spec-compliant) scenario end to end over real HTTP: discovery, DCR, code flow, MCP, refresh. */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoHandle, startDemo } from './index';
import {
  type AsMetadata,
  authorize,
  CookieJar,
  connectMcp,
  getJson,
  jsonRpcBody,
  obtainTokens,
  postJson,
  REDIRECT_URI,
  rawInitialize,
  registerPublicClient,
  tokenRequest,
} from './test-support';

let demo: DemoHandle;
let metadata: AsMetadata;

beforeAll(async () => {
  demo = await startDemo();
  metadata = (await getJson<AsMetadata>(`${demo.issuer}/.well-known/oauth-authorization-server`)).body;
});
afterAll(async () => {
  await demo?.close();
});

const origin = () => new URL(demo.mcpUrl).origin;
const legacyMcpUrl = () => demo.scenarios.find((s) => s.id === 'legacy-2025-11-25')?.mcpUrl as string;

describe('unauthenticated probe', () => {
  it('answers 401 with resource_metadata and scope, readable from browsers', async () => {
    const res = await rawInitialize(demo.mcpUrl);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${origin()}/.well-known/oauth-protected-resource/mcp", scope="mcp:read"`,
    );
    expect(res.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('answers GET /mcp without a token with 401 too', async () => {
    const res = await fetch(demo.mcpUrl, { headers: { accept: 'text/event-stream' } });
    expect(res.status).toBe(401);
    await res.body?.cancel();
  });

  it('rejects a garbage token with invalid_token', async () => {
    const res = await rawInitialize(demo.mcpUrl, { authorization: 'Bearer not-a-jwt' });
    expect(res.status).toBe(401);
    const header = res.headers.get('www-authenticate') ?? '';
    expect(header).toContain('error="invalid_token"');
    expect(header).toContain('error_description="');
    expect(header).toContain('resource_metadata="');
  });

  it('answers preflight requests', async () => {
    const res = await fetch(demo.mcpUrl, {
      method: 'OPTIONS',
      headers: { origin: 'http://example.test', 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/mcp-protocol-version/i);
  });
});

describe('metadata', () => {
  it('serves RFC 9728 protected resource metadata at the path-aware URL', async () => {
    const { status, body, headers } = await getJson(`${origin()}/.well-known/oauth-protected-resource/mcp`);
    expect(status).toBe(200);
    expect(headers.get('access-control-allow-origin')).toBe('*');
    expect(body).toMatchObject({
      resource: demo.mcpUrl,
      authorization_servers: [demo.issuer],
      scopes_supported: ['mcp:read', 'mcp:tools', 'mcp:admin'],
      bearer_methods_supported: ['header'],
    });
    expect((await fetch(`${origin()}/.well-known/oauth-protected-resource`)).status).toBe(404);
  });

  it('serves the same AS metadata at the RFC 8414 and OpenID routes', async () => {
    const oidc = await getJson<AsMetadata>(`${demo.issuer}/.well-known/openid-configuration`);
    expect(oidc.status).toBe(200);
    expect(metadata).toEqual(oidc.body);
    expect(metadata.issuer).toBe(demo.issuer);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
    expect(metadata.registration_endpoint).toBe(`${demo.issuer}/reg`);
    expect(metadata.revocation_endpoint).toBeTruthy();
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['mcp:read', 'mcp:tools', 'mcp:admin']));
    expect(metadata.response_types_supported).toEqual(['code']);
  });
});

describe('registration', () => {
  it('registers a public client (201) and answers CORS preflight', async () => {
    const res = await fetch(`${demo.issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Inspector',
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        application_type: 'web',
      }),
    });
    const body = await res.json();
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(body.client_id).toBeTruthy();
    expect(body.client_secret).toBeUndefined();
    expect(body.token_endpoint_auth_method).toBe('none');

    const preflight = await fetch(`${demo.issuer}/reg`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
  });

  it('rejects a registration without redirect_uris', async () => {
    const res = await fetch(`${demo.issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'x', token_endpoint_auth_method: 'none' }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/invalid_(client_metadata|redirect_uri)/);
  });
});

describe('authorization code flow', () => {
  it('signs in, consents and returns code, state and iss; the token is a JWT for the MCP URL', async () => {
    const clientId = await registerPublicClient(metadata.registration_endpoint as string, 'Flow test');
    const auth = await authorize({
      authorizationEndpoint: metadata.authorization_endpoint,
      clientId,
      scope: 'mcp:read',
      resource: demo.mcpUrl,
    });
    expect(auth.pages).toHaveLength(2);
    const [login, consent] = auth.pages as [string, string];
    expect(login).toContain('Username: demo, Password: demo');
    expect(login).toMatch(/<label for="username">Username<\/label>/);
    expect(login).toMatch(/<label for="password">Password<\/label>/);
    expect(login).toContain('>Sign in</button>');
    expect(consent).toContain('Flow test');
    expect(consent).toContain('mcp:read');
    expect(consent).toContain(demo.mcpUrl);
    expect(consent).toContain('>Deny</button>');
    expect(
      auth.jar.names().some((name) => ['_session', '_interaction', '_interaction_resume'].includes(name)),
    ).toBe(false);

    expect(auth.callback.searchParams.get('state')).toBe(auth.state);
    expect(auth.callback.searchParams.get('iss')).toBe(demo.issuer);
    const code = auth.callback.searchParams.get('code') as string;

    const wrongVerifier = await tokenRequest(metadata.token_endpoint, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: 'x'.repeat(43),
      client_id: clientId,
      resource: demo.mcpUrl,
    });
    expect(wrongVerifier.status).toBe(400);
    expect(wrongVerifier.body.error).toBe('invalid_grant');
  });

  it('requires PKCE', async () => {
    const clientId = await registerPublicClient(metadata.registration_endpoint as string);
    const url = new URL(metadata.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'mcp:read',
      state: 's',
    }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location') as string);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('redirects access_denied when the user denies consent', async () => {
    const clientId = await registerPublicClient(metadata.registration_endpoint as string);
    const auth = await authorize({
      authorizationEndpoint: metadata.authorization_endpoint,
      clientId,
      resource: demo.mcpUrl,
      consent: 'deny',
    });
    expect(auth.callback.searchParams.get('error')).toBe('access_denied');
    expect(auth.callback.searchParams.get('state')).toBe(auth.state);
  });

  it('issues a JWT access token, connects over MCP, refreshes with rotation', async () => {
    const clientId = await registerPublicClient(metadata.registration_endpoint as string);
    const tokens = await obtainTokens({ metadata, clientId, resource: demo.mcpUrl, scope: 'mcp:read' });
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.expires_in).toBe(600);
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const claims = decodeJwt(tokens.access_token);
    expect(claims.aud).toBe(demo.mcpUrl);
    expect(claims.iss).toBe(demo.issuer);
    expect(claims.sub).toBe('demo');
    expect(claims.scope).toBe('mcp:read');
    expect(tokens.refresh_token).toBeTruthy();

    const client = await connectMcp(demo.mcpUrl, tokens.access_token);
    try {
      expect(client.getProtocolEra()).toBe('modern');
      expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      expect(client.getServerVersion()?.name).toBe('mcp-auth-inspector-demo');
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(
        [
          'add_numbers',
          'delete_note',
          'echo',
          'get_logo',
          'get_temperature',
          'search_notes',
          'whoami',
        ].sort(),
      );
      const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
      expect(byName.echo?.annotations?.readOnlyHint).toBe(true);
      expect(byName.get_temperature?.annotations?.readOnlyHint).toBe(true);
      expect(byName.delete_note?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
      expect(byName.add_numbers?.outputSchema).toBeTruthy();
      const search = byName.search_notes?.inputSchema as {
        required?: string[];
        properties: Record<string, { description?: string; type?: string; properties?: object }>;
      };
      expect(search.required).toEqual(['query']);
      for (const field of ['query', 'limit', 'tags', 'filters', 'sort']) {
        expect(search.properties[field]?.description, field).toBeTruthy();
      }
      expect(search.properties.limit).toMatchObject({ type: 'integer', minimum: 1, maximum: 20, default: 5 });
      expect(search.properties.filters?.properties).toBeTruthy();

      const echo = await client.callTool({ name: 'echo', arguments: { message: 'hi', uppercase: true } });
      expect(echo.content).toEqual([{ type: 'text', text: 'HI' }]);

      const sum = await client.callTool({ name: 'add_numbers', arguments: { a: 2, b: 40 } });
      expect(sum.structuredContent).toEqual({ sum: 42 });

      const notes = await client.callTool({ name: 'search_notes', arguments: { query: '*', limit: 20 } });
      const found = (notes.structuredContent as { notes: { owner: string }[] }).notes;
      expect(found.length).toBeGreaterThan(0);
      expect(found.every((note) => note.owner === 'demo')).toBe(true);

      const foreign = await client.callTool({
        name: 'search_notes',
        arguments: { query: 'roadmap', filters: { owner: 'alex' } },
      });
      expect(foreign.isError).toBe(true);
      expect(JSON.stringify(foreign.content)).not.toMatch(/\.ts:|at /);

      const logo = await client.callTool({ name: 'get_logo', arguments: {} });
      const image = (logo.content as { type: string; data?: string; mimeType?: string }[])[0];
      expect(image?.type).toBe('image');
      expect(image?.mimeType).toBe('image/png');
      expect(
        Buffer.from(image?.data ?? '', 'base64')
          .subarray(1, 4)
          .toString(),
      ).toBe('PNG');

      const who = await client.callTool({ name: 'whoami', arguments: {} });
      expect(who.structuredContent).toMatchObject({
        sub: 'demo',
        scopes: ['mcp:read'],
        audience: [demo.mcpUrl],
        clientId,
        issuer: demo.issuer,
      });
    } finally {
      await client.close();
    }

    const { body: log } = await getJson<{ calls: { tool: string; sub: string; allowed: boolean }[] }>(
      `${demo.adminUrl}/calls`,
    );
    expect(log.calls.map((c) => c.tool)).toEqual(
      expect.arrayContaining(['echo', 'add_numbers', 'search_notes', 'get_logo', 'whoami']),
    );
    expect(log.calls.every((c) => c.sub === 'demo' && c.allowed)).toBe(true);
    expect(log.calls.some((c) => c.tool === 'delete_note')).toBe(false);

    // Refresh: a new refresh token each time (rotation), the old one is spent.
    const refreshed = await tokenRequest(metadata.token_endpoint, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: clientId,
      resource: demo.mcpUrl,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).toBeTruthy();
    expect(refreshed.body.refresh_token).not.toBe(tokens.refresh_token);
    expect(decodeJwt(refreshed.body.access_token).aud).toBe(demo.mcpUrl);
    const replay = await tokenRequest(metadata.token_endpoint, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: clientId,
      resource: demo.mcpUrl,
    });
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    // Replaying a spent refresh token revokes the whole grant (RFC 9700 §4.14.2), new tokens included.
    const afterReplay = await rawInitialize(demo.mcpUrl, {
      authorization: `Bearer ${refreshed.body.access_token}`,
    });
    expect(afterReplay.status).toBe(401);
    expect(afterReplay.headers.get('www-authenticate')).toContain('revoked');
  });
});

describe('access model', () => {
  let clientId: string;
  let token: string;
  beforeAll(async () => {
    clientId = await registerPublicClient(metadata.registration_endpoint as string);
    token = (await obtainTokens({ metadata, clientId, resource: demo.mcpUrl })).access_token;
  });

  it('defaults the scope to mcp:read when the client sends none', () => {
    expect(decodeJwt(token).scope).toBe('mcp:read');
  });

  it('never takes the token from the query string', async () => {
    const res = await rawInitialize(`${demo.mcpUrl}?access_token=${token}`);
    expect(res.status).toBe(401);
  });

  it('speaks 2026-07-28 only: initialize gets 400 UnsupportedProtocolVersion naming 2026-07-28', async () => {
    const res = await rawInitialize(demo.mcpUrl, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(400);
    expect(res.headers.get('mcp-session-id')).toBeNull();
    expect((await jsonRpcBody(res)).error).toMatchObject({
      code: -32022,
      data: { supported: ['2026-07-28'], requested: '2025-11-25' },
    });
  });

  it('does not treat a session id as authentication (legacy-2025-11-25, the server with sessions)', async () => {
    const legacyUrl = legacyMcpUrl();
    const legacyToken = (
      await obtainTokens({ metadata, clientId, resource: legacyUrl, jar: new CookieJar() })
    ).access_token;
    const init = await rawInitialize(legacyUrl, { authorization: `Bearer ${legacyToken}` });
    expect(init.status).toBe(200);
    const sessionId = init.headers.get('mcp-session-id') as string;
    expect(sessionId).toBeTruthy();
    await init.body?.cancel();
    const res = await fetch(legacyUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
  });

  it('rejects a token issued for another resource', async () => {
    const other = `${origin()}/another-api`;
    const foreign = await obtainTokens({ metadata, clientId, resource: other, jar: new CookieJar() });
    expect(decodeJwt(foreign.access_token).aud).toBe(other);
    const res = await rawInitialize(demo.mcpUrl, { authorization: `Bearer ${foreign.access_token}` });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(
      /error="invalid_token".*not issued for this resource/,
    );
  });

  it('binds a session to its subject: another account cannot use it (legacy-2025-11-25)', async () => {
    const legacyUrl = legacyMcpUrl();
    const demoToken = (await obtainTokens({ metadata, clientId, resource: legacyUrl, jar: new CookieJar() }))
      .access_token;
    const init = await rawInitialize(legacyUrl, { authorization: `Bearer ${demoToken}` });
    const sessionId = init.headers.get('mcp-session-id') as string;
    expect(sessionId).toBeTruthy();
    await init.body?.cancel();
    const alexToken = (
      await obtainTokens({
        metadata,
        clientId,
        resource: legacyUrl,
        username: 'alex',
        jar: new CookieJar(),
      })
    ).access_token;
    const res = await fetch(legacyUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${alexToken}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(res.status).toBe(404);
  });

  it('keeps other accounts’ notes out of reach', async () => {
    const alexToken = (
      await obtainTokens({
        metadata,
        clientId,
        resource: demo.mcpUrl,
        username: 'alex',
        jar: new CookieJar(),
      })
    ).access_token;
    const client = await connectMcp(demo.mcpUrl, alexToken);
    try {
      const result = await client.callTool({ name: 'search_notes', arguments: { query: '*', limit: 20 } });
      const notes = (result.structuredContent as { notes: { owner: string; id: string }[] }).notes;
      expect(notes.map((n) => n.id).sort()).toEqual(['n-201', 'n-202']);
    } finally {
      await client.close();
    }
  });

  it('lets the admin API read the state', async () => {
    const { status, body } = await getJson(`${demo.adminUrl}/state`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ accessTokenTtl: 600, breaks: { 'query-token': false } });
    expect((await postJson(`${demo.adminUrl}/token-ttl`, { seconds: 0 })).status).toBe(400);
  });
});
