import { describe, expect, it } from 'vitest';
import {
  callTool,
  createFlow,
  type FlowContext,
  type FlowState,
  handleCallback,
  runAccessAudit,
  runUntilPause,
  testAudience,
  testRevocation,
  toView,
} from '../index';
import { at } from '../testing/drive';
import { createFakeWorld, type FakeWorldOptions } from '../testing/fake-world';
import { optionsFor } from '../testing/options';
import { cancelAudienceTest } from './audience';
import { errorProbesFor, OTHER_ACCOUNT } from './probes';

async function connect(opts: FakeWorldOptions = {}) {
  const world = createFakeWorld({ challengeScope: 'files:read', auditTools: true, ...opts });
  const clock = { t: 1_700_000_000_000 };
  const ctx: FlowContext = { fetch: world.fetch, policy: { mode: 'local' }, now: () => (clock.t += 5) };
  const paused = at(await runUntilPause(createFlow(optionsFor(world)), ctx), 'awaiting-callback');
  const next = await handleCallback(paused, world.authorize(paused.authorization.url), ctx);
  const connected = at(await runUntilPause(next, ctx), 'connected');
  return { world, ctx, clock, connected };
}

const audit = (state: FlowState) =>
  Object.fromEntries(
    (state.records.find((r) => r.id === 'tools')?.checks ?? [])
      .filter((c) => c.id.startsWith('audit.'))
      .map((c) => [c.id, c]),
  );
const statuses = (state: FlowState) =>
  Object.fromEntries(Object.entries(audit(state)).map(([id, c]) => [id, c.status]));

describe('errorProbesFor()', () => {
  it('leaves required arguments out, sends wrong types, and well-typed hostile values within the schema’s bounds', () => {
    const probes = errorProbesFor({
      inputSchema: {
        type: 'object',
        properties: {
          query: { type: 'string', minLength: 1 },
          limit: { type: 'integer', minimum: 1, maximum: 20 },
          ratio: { type: 'number' },
          tags: { type: 'array', items: { enum: ['work', 'home'] } },
          sort: { type: 'string', enum: ['relevance', 'newest'] },
          filters: {
            type: 'object',
            properties: { owner: { type: 'string' }, archived: { type: 'boolean' } },
          },
        },
        required: ['query'],
      },
    });
    expect(probes.map((p) => p.label)).toEqual([
      'required arguments left out',
      'every argument of the wrong type',
      'another account’s data, extreme numbers, ids that do not exist',
    ]);
    expect(probes[0]?.args).toEqual({});
    expect(probes[1]?.args).toEqual({
      query: 12345,
      limit: 'not-a-number',
      ratio: 'not-a-number',
      tags: 'not-an-array',
      sort: 12345,
      filters: 'not-an-object',
    });
    expect(probes[2]?.args).toEqual({
      query: 'mcp-auth-inspector-audit-does-not-exist',
      limit: 20,
      ratio: Number.MAX_VALUE,
      tags: ['work'],
      sort: 'relevance',
      filters: { owner: OTHER_ACCOUNT, archived: true },
    });
  });

  it('has nothing to send to a tool without arguments, unless it forbids extra ones', () => {
    expect(errorProbesFor({ inputSchema: { type: 'object', properties: {} } })).toEqual([]);
    expect(errorProbesFor({ inputSchema: { type: 'object', additionalProperties: false } })).toEqual([
      { label: 'an argument the tool does not take', args: { 'mcp-auth-inspector-audit': true } },
    ]);
  });
});

describe('runAccessAudit() against the fake server', () => {
  it('passes a server that keeps the access model, with evidence for each row', async () => {
    const { world, ctx, connected } = await connect();
    const state = at(await runAccessAudit(connected, ctx), 'connected');
    expect(statuses(state)).toEqual({
      'audit.read-only-annotations': 'warn', // delete_file and mystery are not read-only
      'audit.non-read-only-never-called': 'pass',
      'audit.invalid-token-401': 'pass',
      'audit.no-token-challenge': 'pass',
      'audit.query-token-rejected': 'pass',
      'audit.session-without-auth-rejected': 'pass',
      'audit.error-no-leak': 'pass',
      'audit.insufficient-scope-challenge': 'skip',
      'audit.audience-as-restricted': 'skip',
      'audit.audience-restricted': 'skip',
      'audit.revoked-token-rejected': 'skip',
      // The fake server speaks 2025-11-25: the 2026-07-28 wire rules do not apply to it.
      'audit.unsupported-version-rejected': 'skip',
      'audit.mcp-method-mismatch-rejected': 'skip',
      // The fake server's tokens are not DPoP-bound.
      'audit.dpop-binding-enforced': 'skip',
      'audit.assertion-replay': 'skip',
    });
    const checks = audit(state);
    expect(checks['audit.unsupported-version-rejected']?.message).toContain('Not applicable');
    expect(checks['audit.read-only-annotations']?.message).toContain(
      'delete_file (readOnlyHint: false, destructive)',
    );
    const ids = new Set(state.records.flatMap((r) => r.exchanges.map((e) => e.id)));
    for (const c of Object.values(checks)) for (const id of c.exchangeIds) expect(ids).toContain(id);
    for (const id of [
      'audit.invalid-token-401',
      'audit.query-token-rejected',
      'audit.session-without-auth-rejected',
      'audit.error-no-leak',
    ]) {
      expect(checks[id]?.exchangeIds.length, id).toBeGreaterThan(0);
    }
    // The forged-signature token and the query-string token never appear in the trace.
    const trace = JSON.stringify(toView(state));
    expect(trace).not.toContain(connected.secrets.accessToken!);
    expect(trace).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
    expect(trace).toContain('access_token=eyJh');
    // Only read-only tools were called, and only find_records takes arguments.
    const called = world.log
      .filter((r) => r.body?.includes('"tools/call"'))
      .map((r) => (JSON.parse(r.body!) as { params: { name: string } }).params.name);
    expect(new Set(called)).toEqual(new Set(['find_records']));
    expect(state.records.find((r) => r.id === 'tools')?.facts?.audit).toMatchObject({
      probes: expect.arrayContaining([
        expect.objectContaining({ tool: 'find_records', outcome: 'tool-error' }),
      ]),
    });
  });

  it.each([
    ['queryToken', 'audit.query-token-rejected', /accepted a token from the URL query/],
    ['sessionWithoutAuth', 'audit.session-without-auth-rejected', /only the Mcp-Session-Id, without a token/],
    [
      'leakInternals',
      'audit.error-no-leak',
      /stack trace “at findRecords \(\/srv\/app\/src\/records\.js:42:13\)”.*internal host name “db\.internal\.corp”.*private or loopback address “10\.1\.2\.3”/,
    ],
  ] as const)('fails %s with the right message', async (row, id, message) => {
    const { ctx, connected } = await connect({ breaks: { [row]: true } });
    const state = await runAccessAudit(connected, ctx);
    expect(audit(state)[id]).toMatchObject({ status: 'fail', message: expect.stringMatching(message) });
    expect(Object.values(audit(state)).filter((c) => c.status === 'fail')).toHaveLength(1);
  });

  it('judges the 403s seen in the session: a challenge with the scope passes, a bare 403 fails', async () => {
    const good = await connect();
    const afterGood = await callTool(good.connected, good.ctx, 'write_scope_probe', {});
    expect(
      statuses(await runAccessAudit(afterGood.state, good.ctx))['audit.insufficient-scope-challenge'],
    ).toBe('pass');

    const bad = await connect({ breaks: { bad403: true } });
    const afterBad = await callTool(bad.connected, bad.ctx, 'write_scope_probe', {});
    const state = await runAccessAudit(afterBad.state, bad.ctx);
    expect(audit(state)['audit.insufficient-scope-challenge']).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('(no WWW-Authenticate)'),
    });
  });

  it('refreshes an expired token first, so the rejections it sees are about how the token is sent', async () => {
    const { world, ctx, connected } = await connect();
    world.expireTokens();
    const state = at(await runAccessAudit(connected, ctx), 'connected');
    expect(
      state.records.find((r) => r.id === 'token')?.checks.find((c) => c.id === 'token.refresh')?.status,
    ).toBe('pass');
    expect(statuses(state)['audit.query-token-rejected']).toBe('pass');
  });

  it('only runs when connected', async () => {
    const world = createFakeWorld();
    await expect(
      runAccessAudit(createFlow(optionsFor(world)), { fetch: world.fetch, policy: { mode: 'local' } }),
    ).rejects.toMatchObject({ code: 'invalid_state' });
  });
});

describe('runAccessAudit(): the token rows against servers that break them', () => {
  it('fails a server that answers an unknown token with 500 instead of 401', async () => {
    const { ctx, connected } = await connect({ breaks: { badToken500: true } });
    const state = await runAccessAudit(connected, ctx);
    expect(audit(state)['audit.invalid-token-401']).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(
        /not with 401 and error="invalid_token" \(a made-up token: 500; a JWT with a forged signature: 500\)/,
      ),
    });
  });

  it('judges tokens on tools/list when initialize is open by design, never failing the open handshake', async () => {
    const { ctx, connected } = await connect({ openInitialize: true });
    const state = at(await runAccessAudit(connected, ctx), 'connected');
    expect(state.probe.handshakeOpen).toBe(true);
    const s = statuses(state);
    expect(s['audit.invalid-token-401']).toBe('pass');
    expect(s['audit.no-token-challenge']).toBe('pass');
    expect(s['audit.query-token-rejected']).toBe('pass');
    // Revocation, later, also judges on tools/list: the open initialize is not a revoked token accepted.
    const revoked = await testRevocation(state, ctx);
    expect(statuses(revoked)['audit.revoked-token-rejected']).toBe('pass');
  });

  it('warns when the 401 to a request without any token carries an error code', async () => {
    const { ctx, connected } = await connect({ breaks: { noTokenErrorCode: true } });
    const state = await runAccessAudit(connected, ctx);
    expect(audit(state)['audit.no-token-challenge']).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('SHOULD NOT get an error code'),
    });
  });
});

describe('testAudience()', () => {
  async function begin(opts: FakeWorldOptions = {}) {
    const { world, ctx, connected } = await connect(opts);
    const waiting = at(await testAudience(connected, ctx), 'awaiting-callback');
    return { world, ctx, connected, waiting, url: new URL(waiting.authorization.url) };
  }
  async function probe(opts: FakeWorldOptions = {}) {
    const { world, ctx, connected, waiting, url } = await begin(opts);
    const state = at(
      await handleCallback(waiting, world.authorize(waiting.authorization.url), ctx),
      'connected',
    );
    return { connected, url, state };
  }
  /** The session the test started from is the one it ends with: same token, MCP session, tools, request. */
  function expectKept(state: FlowState, connected: FlowState) {
    const s = at(state, 'connected');
    const c = at(connected, 'connected');
    expect(s.secrets.accessToken).toBe(c.secrets.accessToken);
    expect(s.secrets.refreshToken).toBe(c.secrets.refreshToken);
    expect(s.token).toEqual(c.token);
    expect(s.mcp).toEqual(c.mcp);
    expect(s.tools).toEqual(c.tools);
    expect(s.authorization).toEqual(c.authorization);
    expect(s.reauth).toBeUndefined();
    expect(s.audienceTest).toBeUndefined();
    expect(s.secrets.codeVerifier).toBeUndefined();
  }

  it('asks for the made-up resource alone, and the token for it is refused', async () => {
    const { connected, url, state } = await probe();
    expect(url.searchParams.getAll('resource')).toEqual([
      'https://mcp.example.com/mcp-auth-inspector-audit-audience',
    ]);
    expect(url.searchParams.get('client_id')).toBe(connected.client.clientId);
    expect(url.searchParams.get('scope')).toBe(connected.authorization.scope ?? null);
    expect(audit(state)['audit.audience-as-restricted']?.status).toBe('pass');
    expect(audit(state)['audit.audience-restricted']).toMatchObject({
      status: 'pass',
      actual: '401 error="invalid_token" for aud https://mcp.example.com/mcp-auth-inspector-audit-audience',
    });
    expect(audit(state)['audit.audience-restricted']?.exchangeIds).toHaveLength(2);
    expectKept(state, connected);
    // The walkthrough's own callback and token steps are untouched.
    expect(state.records.find((r) => r.id === 'callback')).toEqual(
      connected.records.find((r) => r.id === 'callback'),
    );
    expect(JSON.stringify(toView(state))).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });

  it('fails a server that accepts a token issued for another resource', async () => {
    const { state } = await probe({ breaks: { noAudienceCheck: true } });
    expect(audit(state)['audit.audience-restricted']).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('accepted a token issued for another resource (audience not checked)'),
    });
  });

  it('passes an authorization server that refuses the resource with invalid_target, never failing the callback', async () => {
    const { ctx, connected, waiting } = await begin();
    const back = new URL(waiting.authorization.redirectUri);
    back.searchParams.set('error', 'invalid_target');
    back.searchParams.set('error_description', 'unknown resource');
    back.searchParams.set('state', waiting.secrets.state!);
    back.searchParams.set('iss', waiting.authorizationServer.issuer);
    const state = at(await handleCallback(waiting, back, ctx), 'connected');
    expect(audit(state)['audit.audience-as-restricted']).toMatchObject({
      status: 'pass',
      message: expect.stringMatching(
        /invalid_target at the authorization endpoint \(“unknown resource”\): it restricts audiences/,
      ),
    });
    expect(audit(state)['audit.audience-restricted']).toMatchObject({
      status: 'skip',
      message: expect.stringMatching(/^Not testable with this authorization server/),
    });
    // No advice to register anything, no failed callback.
    expect(JSON.stringify(state.records)).not.toMatch(/register the resource|ask (the|its) operator/i);
    expect(state.records.find((r) => r.id === 'callback')?.status).not.toBe('failed');
    expectKept(state, connected);
  });

  it('does not judge the server when the authorization server ignores the resource', async () => {
    const { connected, state } = await probe({ tokenAudience: 'https://mcp.example.com/mcp' });
    expect(audit(state)['audit.audience-as-restricted']?.status).toBe('warn');
    expect(audit(state)['audit.audience-restricted']).toMatchObject({
      status: 'skip',
      message: expect.stringMatching(
        /^Not testable: the authorization server issued a token for this server/,
      ),
    });
    expectKept(state, connected);
  });

  it('only warns when an opaque token is accepted (its audience cannot be read)', async () => {
    const { state } = await probe({ opaqueToken: true, breaks: { noAudienceCheck: true } });
    expect(audit(state)['audit.audience-as-restricted']?.status).toBe('skip');
    expect(audit(state)['audit.audience-restricted']).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/an opaque token/),
    });
  });

  it('uses no response that is not its own, and keeps the session', async () => {
    const { world, ctx, connected, waiting } = await begin();
    const forged = world.authorize(waiting.authorization.url);
    forged.searchParams.set('state', 'not-the-state');
    const state = at(await handleCallback(waiting, forged, ctx), 'connected');
    expect(audit(state)['audit.audience-restricted']?.message).toMatch(/^Not testable/);
    expectKept(state, connected);
  });

  it('gives the session back when the sign-in never completes', async () => {
    const { ctx, connected, waiting } = await begin();
    const state = at(cancelAudienceTest(waiting, ctx, 'the browser did not come back.'), 'connected');
    expect(audit(state)['audit.audience-restricted']).toMatchObject({
      status: 'skip',
      message: 'Not tested: the browser did not come back.',
    });
    expectKept(state, connected);
  });
});

describe('testRevocation()', () => {
  it('revokes at the AS, sees the old token rejected, and leaves the session disconnected', async () => {
    const { ctx, connected } = await connect();
    const audited = await runAccessAudit(connected, ctx);
    const state = at(await testRevocation(audited, ctx), 'disconnected');
    expect(audit(state)['audit.revoked-token-rejected']).toMatchObject({
      status: 'pass',
      actual: '401 error="invalid_token"',
    });
    expect(audit(state)['audit.revoked-token-rejected']?.exchangeIds).toHaveLength(3);
    expect(state.disconnected).toMatchObject({ by: 'audit', revocation: 'revoked' });
    expect(state.secrets).toEqual({});
    // The rest of the audit is still there.
    expect(statuses(state)['audit.query-token-rejected']).toBe('pass');
  });

  it('fails when the MCP server keeps accepting a revoked token', async () => {
    const { ctx, connected } = await connect({ breaks: { noRevocationCheck: true } });
    const state = await testRevocation(connected, ctx);
    expect(audit(state)['audit.revoked-token-rejected']).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('still accepted the access token after it was revoked'),
    });
  });

  it('skips when the AS has no revocation endpoint', async () => {
    const { ctx, connected } = await connect({ revocation: false });
    const state = await testRevocation(connected, ctx);
    expect(audit(state)['audit.revoked-token-rejected']?.status).toBe('skip');
  });
});
