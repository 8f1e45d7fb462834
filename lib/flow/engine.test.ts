import { describe, expect, it } from 'vitest';
import { callTool, createFlow, handleCallback, listTools, runNextStep, runUntilPause, toView } from './index';
import { at } from './testing/drive';
import { createFakeWorld } from './testing/fake-world';
import { contextFor, optionsFor } from './testing/options';

async function connect(world = createFakeWorld(), overrides = {}) {
  const ctx = contextFor(world);
  const paused = at(await runUntilPause(createFlow(optionsFor(world, overrides)), ctx), 'awaiting-callback');
  const afterCallback = await handleCallback(paused, world.authorize(paused.authorization.url), ctx);
  const connected = at(await runUntilPause(afterCallback, ctx), 'connected');
  return { world, ctx, paused, connected };
}

describe('engine happy path (fake AS + RS)', () => {
  it('walks probe → connected, one step at a time, with every check passing or explained', async () => {
    const world = createFakeWorld({ challengeScope: 'files:read' });
    const ctx = contextFor(world);
    let state = createFlow(optionsFor(world));
    const seen: string[] = [state.step];
    while (state.step !== 'awaiting-callback' && state.step !== 'failed') {
      state = await runNextStep(state, ctx);
      seen.push(state.step);
    }
    expect(seen).toEqual(['probe', 'prm', 'as-metadata', 'registration', 'authorize', 'awaiting-callback']);
    const paused = at(state, 'awaiting-callback');
    const view = toView(paused);
    expect(view.authorizationUrl).toBe(paused.authorization.url);
    expect(view.steps.map((s) => [s.id, s.status])).toEqual([
      ['probe', 'passed'],
      ['prm', 'passed'],
      ['as-metadata', 'passed'],
      ['registration', 'passed'],
      ['authorize', 'passed'],
      ['callback', 'waiting'],
      ['token', 'pending'],
      ['mcp-init', 'pending'],
      ['tools', 'pending'],
    ]);
    const url = new URL(paused.authorization.url);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'client-1',
      code_challenge_method: 'S256',
      resource: 'https://mcp.example.com/mcp',
      scope: 'files:read',
    });

    state = await handleCallback(paused, world.authorize(paused.authorization.url), ctx);
    expect(state.step).toBe('token');
    state = await runNextStep(state, ctx);
    expect(state.step).toBe('mcp-init');
    state = await runNextStep(state, ctx);
    expect(state.step).toBe('tools');
    state = await runNextStep(state, ctx);
    const connected = at(state, 'connected');

    expect(connected.mcp).toMatchObject({
      serverInfo: { name: 'fake-mcp', version: '1.2.3' },
      sessionId: 'session-1',
    });
    expect(connected.tools.map((t) => [t.name, t.readOnly])).toEqual([
      ['get_time', true],
      ['delete_file', false],
      ['mystery', false],
      ['write_scope_probe', true],
    ]);
    const final = toView(connected);
    expect(final.token).toMatchObject({
      tokenType: 'Bearer',
      scope: 'files:read',
      scopeRequested: 'files:read',
      hasRefreshToken: true,
      claims: { aud: 'https://mcp.example.com/mcp', iss: 'https://auth.example.com', client_id: 'client-1' },
    });
    expect(final.summary.fail).toBe(0);
    const checks = final.steps.flatMap((s) => s.checks);
    const byId = Object.fromEntries(checks.map((c) => [c.id, c.status]));
    expect(byId).toMatchObject({
      'probe.unauthorized': 'pass',
      'probe.resource-metadata-param': 'pass',
      'prm.resource-match': 'pass',
      'as.issuer-match': 'pass',
      'as.pkce-s256': 'pass',
      'callback.state-match': 'pass',
      'callback.iss-match': 'pass',
      'token.audience': 'pass',
      'token.refresh-token': 'pass',
      'mcp.initialize': 'pass',
      'mcp.tools-listed': 'pass',
      'tools.read-only-annotations': 'pass', // annotations are optional: unannotated tools are listed, not run
    });
    // Every check names exchanges that exist.
    const ids = new Set(final.steps.flatMap((s) => s.exchanges.map((e) => e.id)));
    expect(ids.size).toBe(final.steps.flatMap((s) => s.exchanges).length);
    for (const c of checks) for (const id of c.exchangeIds) expect(ids).toContain(id);
  });

  it('never lets a secret reach the view', async () => {
    const { connected } = await connect(createFakeWorld());
    const text = JSON.stringify(toView(connected));
    const secrets = Object.values(connected.secrets).filter((v): v is string => typeof v === 'string');
    expect(secrets.length).toBeGreaterThan(0);
    for (const s of secrets) expect(text).not.toContain(s);
    expect(text).not.toMatch(/eyJ[\w-]+\.eyJ/); // no JWT
  });

  it('is JSON-serialisable at every step (it is sealed into a session)', async () => {
    const { connected } = await connect();
    expect(JSON.parse(JSON.stringify(connected))).toEqual(connected);
  });

  it('reuses the MCP session for tools/list and tools/call (no second initialize)', async () => {
    const { world, ctx, connected } = await connect();
    const initializes = () => world.log.filter((r) => r.body?.includes('"initialize"')).length;
    // The fake server speaks 2025-11-25: the unauthenticated probe (server/discover) got its 401, and
    // mcp-init fell back from server/discover to initialize once.
    expect(initializes()).toBe(1);
    const { state, result } = await callTool(connected, ctx, 'get_time', {});
    expect(initializes()).toBe(1);
    expect(result).toMatchObject({
      tool: 'get_time',
      isError: false,
      content: [
        { type: 'text', text: '2026-01-01T00:00:00Z' },
        { type: 'image', mimeType: 'image/png', data: 'iVBORw0KGgo=' },
        { type: 'resource_link', uri: 'file:///x', name: 'x' },
      ],
      structuredContent: { now: '2026-01-01T00:00:00Z' },
    });
    const call = world.log.find((r) => r.body?.includes('tools/call'));
    expect(call?.headers['mcp-session-id']).toBe('session-1');
    expect(call?.headers.authorization).toMatch(/^Bearer /);
    expect(call?.url).not.toContain('access_token');
    expect(state.step).toBe('connected');
    const tools = toView(state).steps.find((s) => s.id === 'tools');
    expect(tools?.facts?.calls).toHaveLength(1);
  });

  it('initialises a new session when the server forgot the stored one', async () => {
    const { world, ctx, connected } = await connect();
    world.forgetSessions();
    const { state, result } = await callTool(connected, ctx, 'get_time', {});
    expect(result.isError).toBe(false);
    expect(at(state, 'connected').mcp.sessionId).toBe('session-2');
  });

  it('re-lists tools when asked', async () => {
    const { ctx, connected } = await connect();
    const again = at(await listTools(connected, ctx), 'connected');
    expect(again.tools).toHaveLength(4);
  });
});

describe('callTool() guards', () => {
  it('refuses a tool that is not read-only before sending anything', async () => {
    const { world, ctx, connected } = await connect();
    const before = world.log.length;
    const { state, result } = await callTool(connected, ctx, 'delete_file', { path: '/etc/passwd' });
    expect(world.log.length).toBe(before);
    expect(state).toBe(connected);
    expect(result).toMatchObject({
      tool: 'delete_file',
      isError: true,
      refused: true,
      error: { code: 'tool_not_read_only', expected: 'annotations.readOnlyHint: true', actual: 'false' },
    });
    expect(result.error?.message).toContain('readOnlyHint: false');
  });

  it('calls a tool that is not read-only only with the explicit opt-in', async () => {
    const { world, ctx, connected } = await connect();
    const before = world.log.length;
    const { result } = await callTool(
      connected,
      ctx,
      'delete_file',
      { path: '/tmp/x' },
      { allowNonReadOnly: true },
    );
    expect(result.refused).toBeUndefined();
    expect(world.log.length).toBeGreaterThan(before);
  });

  it('refuses an unannotated tool and an unknown tool without sending anything', async () => {
    const { world, ctx, connected } = await connect();
    const before = world.log.length;
    const a = await callTool(connected, ctx, 'mystery', {});
    const b = await callTool(connected, ctx, 'nope', {});
    expect(world.log.length).toBe(before);
    expect(a.result.error?.code).toBe('tool_not_read_only');
    expect(a.result.error?.message).toContain('no annotations');
    expect(b.result.error?.code).toBe('tool_unknown');
  });

  it('throws invalid_state when not connected', async () => {
    const world = createFakeWorld();
    await expect(
      callTool(createFlow(optionsFor(world)), contextFor(world), 'get_time', {}),
    ).rejects.toMatchObject({
      code: 'invalid_state',
    });
  });

  it('turns a 403 insufficient_scope into a precise error with the required scope, and stays connected', async () => {
    const { ctx, connected } = await connect();
    const { state, result } = await callTool(connected, ctx, 'write_scope_probe', {});
    expect(result.error).toMatchObject({ code: 'insufficient_scope', actual: '403 insufficient_scope' });
    expect(result.error?.message).toContain('"files:read files:write"');
    // Other tools still work with this token; the flow offers step-up (see session.test.ts).
    const still = at(state, 'connected');
    expect(still.recovery).toMatchObject({ action: 'step-up', requiredScope: 'files:read files:write' });
    expect(still.secrets.refreshToken).toBeDefined();
    expect(still.tools).toHaveLength(4);
  });

  it('turns a 401 invalid_token into unauthorized and says the token expired', async () => {
    const { world, ctx, connected } = await connect();
    world.revokeTokens();
    const { state, result } = await callTool(connected, ctx, 'get_time', {});
    expect(result.error).toMatchObject({ code: 'unauthorized', actual: '401 error="invalid_token"' });
    expect(result.error?.message).toContain('expired');
    expect(at(state, 'failed').error.code).toBe('unauthorized');
  });
});
