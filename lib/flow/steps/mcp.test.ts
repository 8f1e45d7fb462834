import { describe, expect, it } from 'vitest';
import { handleCallback, runNextStep, runUntilPause } from '../engine';
import { createFlow, type FlowState } from '../state';
import { check } from '../testing/drive';
import { createFakeWorld } from '../testing/fake-world';
import { contextFor, optionsFor } from '../testing/options';

async function atMcpInit(world = createFakeWorld()) {
  const ctx = contextFor(world);
  const paused = await runUntilPause(createFlow(optionsFor(world)), ctx);
  if (paused.step !== 'awaiting-callback') throw new Error(paused.step);
  const token = await runNextStep(
    await handleCallback(paused, world.authorize(paused.authorization.url), ctx),
    ctx,
  );
  if (token.step !== 'mcp-init') throw new Error(token.step);
  return { world, ctx, state: token as FlowState };
}

describe('mcp-init and tools steps', () => {
  it('initialises with the token in the Authorization header only and keeps the session id', async () => {
    const { world, ctx, state } = await atMcpInit();
    const next = await runNextStep(state, ctx);
    expect(next.step).toBe('tools');
    if (next.step !== 'tools') return;
    expect(next.mcp).toMatchObject({
      sessionId: 'session-1',
      protocolVersion: '2025-11-25',
      serverInfo: { name: 'fake-mcp' },
    });
    const mcpRequests = world.log.filter((r) => r.url === world.mcpUrl && r.headers.authorization);
    // 2026-07-28 first; the fake 2025-11-25 server's 400 makes the client fall back to initialize.
    expect(mcpRequests.map((r) => JSON.parse(r.body ?? '{}').method)).toEqual([
      'server/discover',
      'initialize',
      'notifications/initialized',
    ]);
    expect(next.mcp.era).toBe('legacy');
    for (const r of mcpRequests) {
      expect(r.headers.authorization).toBe(`Bearer ${next.secrets.accessToken}`);
      expect(r.url).not.toContain('token');
    }
    // The optional standalone GET stream is not opened.
    expect(world.log.some((r) => r.method === 'GET' && r.url === world.mcpUrl)).toBe(false);
    const record = next.records.find((r) => r.id === 'mcp-init');
    expect(record?.exchanges.map((e) => e.purpose)).toEqual([
      expect.stringContaining('server/discover at 2026-07-28 with the token'),
      expect.stringContaining('initialize with the access token'),
      expect.stringContaining('initialized notification'),
    ]);
    expect(record?.exchanges[0]?.request.headers.authorization).toMatch(/^Bearer .+…/);
    expect(JSON.stringify(record)).not.toContain(next.secrets.accessToken!);
    expect(check(next, 'mcp.initialize').status).toBe('pass');
    expect(check(next, 'mcp.session').message).toContain('reuse');
  });

  it('reports a 401 at initialize as unauthorized with the server’s error', async () => {
    const { world, ctx, state } = await atMcpInit();
    world.revokeTokens();
    const next = await runNextStep(state, ctx);
    expect(next.step).toBe('failed');
    if (next.step !== 'failed') return;
    expect(next.failedStep).toBe('mcp-init');
    expect(next.error).toMatchObject({ code: 'unauthorized', actual: '401 error="invalid_token"' });
    expect(next.error.message).toContain('The access token has expired');
    expect(check(next, 'mcp.initialize').status).toBe('fail');
  });

  it('lists all pages of tools with the stored session and marks read-only ones', async () => {
    const { world, ctx, state } = await atMcpInit();
    const connected = await runNextStep(await runNextStep(state, ctx), ctx);
    expect(connected.step).toBe('connected');
    if (connected.step !== 'connected') return;
    const lists = world.log.filter((r) => r.body?.includes('tools/list'));
    expect(lists).toHaveLength(2);
    for (const l of lists) expect(l.headers['mcp-session-id']).toBe('session-1');
    expect(connected.tools.find((t) => t.name === 'delete_file')).toMatchObject({
      readOnly: false,
      refusal: expect.stringContaining('readOnlyHint: false'),
      annotations: { readOnlyHint: false, destructiveHint: true },
    });
    expect(check(connected, 'mcp.tools-listed').message).toBe('4 tool(s) in 2 page(s).');
    expect(check(connected, 'tools.read-only-annotations').message).toContain('mystery');
  });
});
