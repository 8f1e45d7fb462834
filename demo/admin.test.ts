/** Admin switches change what the demo servers do, observed over real HTTP. */
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DemoHandle, startDemo } from './index';
import {
  type AsMetadata,
  CookieJar,
  connectMcp,
  getJson,
  jsonRpcBody,
  obtainTokens,
  postJson,
  rawInitialize,
  rawModern,
  registerPublicClient,
  type TokenResponse,
  tokenRequest,
} from './test-support';

let demo: DemoHandle;
let metadata: AsMetadata;
let clientId: string;

beforeAll(async () => {
  demo = await startDemo();
  metadata = (await getJson<AsMetadata>(`${demo.issuer}/.well-known/oauth-authorization-server`)).body;
  clientId = await registerPublicClient(metadata.registration_endpoint as string, 'Admin test');
});
afterAll(async () => {
  await demo?.close();
});
afterEach(async () => {
  await postJson(`${demo.adminUrl}/reset`);
});

const admin = (path: string, body: unknown = {}) => postJson(`${demo.adminUrl}${path}`, body);
const fresh = (scope = 'mcp:read', username = 'demo'): Promise<TokenResponse> =>
  obtainTokens({ metadata, clientId, resource: demo.mcpUrl, scope, username, jar: new CookieJar() });
const challenge = (res: Response) => res.headers.get('www-authenticate') ?? '';

/** A 2026-07-28 request the default server answers 200 whenever it accepts the token. */
const probe = (token: string, url = demo.mcpUrl) =>
  rawModern(url, 'server/discover', {}, { authorization: `Bearer ${token}` });

/** One stateless 2026-07-28 tools/call on the default server. */
function callTool(token: string, name: string, args: Record<string, unknown> = {}): Promise<Response> {
  return rawModern(
    demo.mcpUrl,
    'tools/call',
    { name, arguments: args },
    { authorization: `Bearer ${token}` },
  );
}

describe('admin API', () => {
  it('requires a JSON content type on POSTs', async () => {
    const res = await fetch(`${demo.adminUrl}/expire-tokens`, { method: 'POST' });
    expect(res.status).toBe(415);
  });

  it('validates its input', async () => {
    expect((await admin('/require-scope', { tool: 'nope', scope: 'mcp:tools' })).status).toBe(400);
    expect((await admin('/require-scope', { tool: 'echo', scope: 'root' })).status).toBe(400);
    expect((await admin('/break', { row: 'nope', on: true })).status).toBe(400);
    expect((await admin('/token-ttl', { seconds: 'x' })).status).toBe(400);
  });
});

describe('switches', () => {
  it('expire-tokens: earlier tokens get 401 "expired", later ones work', async () => {
    const before = await fresh();
    expect((await probe(before.access_token)).status).toBe(200);
    const { body: state } = await admin('/expire-tokens');
    expect(state.tokensExpiredAt).toBeTruthy();
    const res = await probe(before.access_token);
    expect(res.status).toBe(401);
    expect(challenge(res)).toContain('error="invalid_token"');
    expect(challenge(res)).toContain('error_description="The access token expired"');

    const refreshed = await tokenRequest(metadata.token_endpoint, {
      grant_type: 'refresh_token',
      refresh_token: before.refresh_token,
      client_id: clientId,
      resource: demo.mcpUrl,
    });
    expect(refreshed.status).toBe(200);
    expect((await probe(refreshed.body.access_token)).status).toBe(200);
  });

  it('require-scope: the tool answers 403 insufficient_scope until the token has the scope', async () => {
    const { body: state } = await admin('/require-scope', { tool: 'search_notes', scope: 'mcp:tools' });
    expect(state.requiredScopes.search_notes).toEqual(['mcp:tools']);
    const readOnly = await fresh('mcp:read');
    const res = await callTool(readOnly.access_token, 'search_notes', { query: 'oauth' });
    expect(res.status).toBe(403);
    const header = challenge(res);
    expect(header).toContain('error="insufficient_scope"');
    expect(header).toContain('scope="mcp:read mcp:tools"');
    expect(header).toContain(
      `resource_metadata="${new URL(demo.mcpUrl).origin}/.well-known/oauth-protected-resource/mcp"`,
    );
    // Other tools still work with the same token.
    expect((await callTool(readOnly.access_token, 'echo', { message: 'x' })).status).toBe(200);

    const stepped = await fresh('mcp:read mcp:tools');
    expect((await callTool(stepped.access_token, 'search_notes', { query: 'oauth' })).status).toBe(200);

    const { body: log } = await getJson<{ calls: { tool: string; allowed: boolean }[] }>(
      `${demo.adminUrl}/calls`,
    );
    expect(log.calls.filter((c) => c.tool === 'search_notes').map((c) => c.allowed)).toEqual([false, true]);
  });

  it('delete_note needs mcp:tools by default and is always logged', async () => {
    const readOnly = await fresh('mcp:read');
    expect((await callTool(readOnly.access_token, 'delete_note', { id: 'n-103' })).status).toBe(403);
    const { body: log } = await getJson<{ calls: { tool: string; allowed: boolean }[] }>(
      `${demo.adminUrl}/calls`,
    );
    expect(log.calls).toEqual([
      expect.objectContaining({ tool: 'delete_note', allowed: false, sub: 'demo' }),
    ]);
    await admin('/calls/clear');
    expect((await getJson<{ calls: unknown[] }>(`${demo.adminUrl}/calls`)).body.calls).toEqual([]);
  });

  it('revoke-all: access tokens get 401 "revoked" and refresh fails', async () => {
    const tokens = await fresh();
    await admin('/revoke-all');
    const res = await probe(tokens.access_token);
    expect(res.status).toBe(401);
    expect(challenge(res)).toContain('error="invalid_token"');
    expect(challenge(res)).toMatch(/error_description="[^"]*revoked/);
    const refreshed = await tokenRequest(metadata.token_endpoint, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: clientId,
      resource: demo.mcpUrl,
    });
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');
    // A new authorization (consent again) works.
    const again = await fresh();
    expect((await probe(again.access_token)).status).toBe(200);
  });

  it('revocation endpoint: revoking the refresh token revokes the grant and its access tokens', async () => {
    const tokens = await fresh();
    const res = await fetch(metadata.revocation_endpoint as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refresh_token as string, client_id: clientId }),
    });
    expect(res.status).toBe(200);
    const init = await probe(tokens.access_token);
    expect(init.status).toBe(401);
    expect(challenge(init)).toContain('revoked');
  });

  it('token-ttl: new tokens carry the new lifetime', async () => {
    const { body: state } = await admin('/token-ttl', { seconds: 1 });
    expect(state.accessTokenTtl).toBe(1);
    const tokens = await fresh();
    expect(tokens.expires_in).toBe(1);
    const claims = decodeJwt(tokens.access_token);
    expect((claims.exp as number) - (claims.iat as number)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const res = await probe(tokens.access_token);
    expect(res.status).toBe(401);
    expect(challenge(res)).toContain('The access token expired');
  });

  it('reset restores the defaults', async () => {
    await admin('/token-ttl', { seconds: 5 });
    await admin('/break', { row: 'bad-403', on: true });
    const { body } = await admin('/reset');
    expect(body).toMatchObject({
      accessTokenTtl: 600,
      requiredScopes: { delete_note: ['mcp:tools'] },
      breaks: { 'bad-403': false },
      calls: 0,
    });
    expect((await getJson(`${demo.adminUrl}/state`)).body).toEqual(body);
  });
});

describe('broken access-model rows', () => {
  it('query-token: accepts ?access_token=', async () => {
    const { access_token: token } = await fresh();
    expect((await rawModern(`${demo.mcpUrl}?access_token=${token}`, 'server/discover')).status).toBe(401);
    await admin('/break', { row: 'query-token', on: true });
    expect((await rawModern(`${demo.mcpUrl}?access_token=${token}`, 'server/discover')).status).toBe(200);
  });

  it('session-without-auth: a session id alone is enough (on the 2025-11-25 wire with sessions)', async () => {
    const legacyUrl = demo.scenarios.find((sc) => sc.id === 'legacy-2025-11-25')?.mcpUrl as string;
    const { access_token: token } = await obtainTokens({
      metadata,
      clientId,
      resource: legacyUrl,
      jar: new CookieJar(),
    });
    const init = await rawInitialize(legacyUrl, { authorization: `Bearer ${token}` });
    const sessionId = init.headers.get('mcp-session-id') as string;
    expect(sessionId).toBeTruthy();
    await init.body?.cancel();
    const listTools = () =>
      fetch(legacyUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': sessionId,
          'mcp-protocol-version': '2025-11-25',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      });
    expect((await listTools()).status).toBe(401);
    await admin('/break', { row: 'session-without-auth', on: true });
    const res = await listTools();
    expect(res.status).toBe(200);
    expect(JSON.stringify(await jsonRpcBody(res))).toContain('whoami');
  });

  it('session-without-auth has nothing to act on over 2026-07-28: there are no sessions', async () => {
    const { access_token: token } = await fresh();
    await admin('/break', { row: 'session-without-auth', on: true });
    const res = await probe(token);
    expect(res.status).toBe(200);
    expect(res.headers.get('mcp-session-id')).toBeNull();
    await res.body?.cancel();
    const bare = await rawModern(demo.mcpUrl, 'tools/list', {}, { 'mcp-session-id': 'anything' });
    expect(bare.status).toBe(401);
  });

  it('no-header-check: an Mcp-Method header that contradicts the body gets through', async () => {
    const { access_token: token } = await fresh();
    const contradicting = () =>
      rawModern(demo.mcpUrl, 'tools/list', {}, { authorization: `Bearer ${token}`, 'mcp-method': 'ping' });
    const refused = await contradicting();
    expect(refused.status).toBe(400);
    expect((await jsonRpcBody(refused)).error?.code).toBe(-32020);

    const { body: state } = await admin('/break', { row: 'no-header-check', on: true });
    expect(state.breaks['no-header-check']).toBe(true);
    const accepted = await contradicting();
    expect(accepted.status).toBe(200);
    const { result } = await jsonRpcBody(accepted);
    expect(((result?.tools ?? []) as { name: string }[]).map((t) => t.name)).toContain('whoami');
    // Mcp-Name is taken from the body too: a tools/call naming another tool in the header runs the body's.
    const call = await rawModern(
      demo.mcpUrl,
      'tools/call',
      { name: 'echo', arguments: { message: 'body wins' } },
      { authorization: `Bearer ${token}`, 'mcp-method': 'tools/list', 'mcp-name': 'get_logo' },
    );
    expect(call.status).toBe(200);
    expect(JSON.stringify((await jsonRpcBody(call)).result?.content)).toContain('body wins');
  });

  it('no-audience-check: accepts a token for another resource', async () => {
    const other = `${new URL(demo.mcpUrl).origin}/another-api`;
    const foreign = await obtainTokens({ metadata, clientId, resource: other, jar: new CookieJar() });
    expect((await probe(foreign.access_token)).status).toBe(401);
    await admin('/break', { row: 'no-audience-check', on: true });
    expect((await probe(foreign.access_token)).status).toBe(200);
  });

  it('leak-internals: tool errors carry a stack trace, file path and internal host', async () => {
    const { access_token: token } = await fresh();
    await admin('/break', { row: 'leak-internals', on: true });
    const client = await connectMcp(demo.mcpUrl, token);
    try {
      const result = await client.callTool({
        name: 'search_notes',
        arguments: { query: 'x', filters: { owner: 'alex' } },
      });
      expect(result.isError).toBe(true);
      const text = JSON.stringify(result.content);
      expect(text).toMatch(/at .*tools\.ts/);
      expect(text).toContain('internal');
    } finally {
      await client.close();
    }
  });

  it('no-revocation-check: revoked tokens keep working', async () => {
    const { access_token: token } = await fresh();
    await admin('/break', { row: 'no-revocation-check', on: true });
    await admin('/revoke-all');
    expect((await probe(token)).status).toBe(200);
  });

  it('bad-403: insufficient scope answers 403 without error or scope', async () => {
    const { access_token: token } = await fresh('mcp:read');
    await admin('/break', { row: 'bad-403', on: true });
    const res = await callTool(token, 'delete_note', { id: 'n-101' });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBeNull();
  });
});
