/**
 * Refresh, reconnect, step-up, disconnect and the access-model audit against the bundled demo: a real
 * oidc-provider authorization server and a real SDK MCP server, switched through the demo admin API.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DemoHandle, startDemo } from '../../demo/index';
import {
  callTool,
  createFlow,
  disconnect,
  type FlowState,
  handleCallback,
  reconnect,
  resumeAfterReauthorization,
  runAccessAudit,
  runUntilPause,
  testAudience,
  testRevocation,
} from './index';
import { MAX_KEPT_CALLS } from './operations';
import type { FlowContext } from './step-run';
import { browseAuthorization, CookieJar } from './testing/browser';

const REDIRECT_URI = 'http://127.0.0.1:9/api/oauth/callback';
const ctx: FlowContext = { policy: { mode: 'local' } };

let demo: DemoHandle;
beforeAll(async () => {
  demo = await startDemo({ host: '127.0.0.1', port: 0, log: () => {} });
});
afterAll(async () => {
  await demo?.close();
});
afterEach(async () => {
  await admin('/reset');
});

async function admin(path: string, body: unknown = {}) {
  const response = await fetch(`${demo.adminUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

function connected(state: FlowState) {
  if (state.step !== 'connected' || 'unprotected' in state) {
    throw new Error(`not connected: ${state.step} ${'error' in state ? JSON.stringify(state.error) : ''}`);
  }
  return state;
}

/** One browser (cookie jar) per test: the second authorization is single sign-on plus consent. */
async function signIn(jar: CookieJar, state: FlowState): Promise<FlowState> {
  if (state.step !== 'awaiting-callback') throw new Error(`not waiting: ${state.step}`);
  const callback = await browseAuthorization(state.authorization.url, REDIRECT_URI, { jar });
  return runUntilPause(await handleCallback(state, callback, ctx), ctx);
}

async function connect(jar = new CookieJar(), serverUrl = demo.mcpUrl) {
  const start = await runUntilPause(
    createFlow({
      serverUrl,
      specVersion: '2025-11-25',
      redirectUri: REDIRECT_URI,
      registration: 'auto',
      clientName: 'MCP Auth Inspector (sessions integration test)',
    }),
    ctx,
  );
  return { jar, state: connected(await signIn(jar, start)) };
}

function scenarioUrl(id: string): string {
  const url = demo.scenarios.find((s) => s.id === id)?.mcpUrl;
  if (!url) throw new Error(`no demo scenario ${id}`);
  return url;
}

const auditChecks = (state: FlowState) =>
  Object.fromEntries(
    (state.records.find((r) => r.id === 'tools')?.checks ?? [])
      .filter((c) => c.id.startsWith('audit.'))
      .map((c) => [c.id, c]),
  );

describe('sessions against the demo', () => {
  it(`keeps the latest ${MAX_KEPT_CALLS} tool calls and their exchanges, and counts the earlier ones it dropped`, async () => {
    let state: FlowState = (await connect()).state;
    const tools = (s: FlowState) => s.records.find((r) => r.id === 'tools')!;
    const listing = tools(state).exchanges.map((x) => x.id);
    const calls = MAX_KEPT_CALLS + 5;
    const firstCalls: string[] = [];
    let sizeAtLimit = 0;
    for (let i = 0; i < calls; i++) {
      const r = await callTool(state, ctx, 'echo', { message: `call ${i}` });
      expect(r.result.isError).toBe(false);
      state = r.state;
      if (i < 5)
        firstCalls.push(
          ...tools(state)
            .exchanges.slice(-1)
            .map((x) => x.id),
        );
      if (i === MAX_KEPT_CALLS - 1) sizeAtLimit = JSON.stringify(state).length;
    }
    const record = tools(state);
    const rows = record.facts?.calls as Array<{ exchangeIds: string[] }>;
    expect(rows).toHaveLength(MAX_KEPT_CALLS);
    expect(record.facts?.earlierCallsDropped).toBe(5);
    const ids = record.exchanges.map((x) => x.id);
    // The listing stays; the first five calls' exchanges are gone; every kept row's exchanges are there.
    for (const id of listing) expect(ids).toContain(id);
    for (const id of firstCalls) expect(ids).not.toContain(id);
    for (const row of rows) for (const id of row.exchangeIds) expect(ids).toContain(id);
    expect(ids).toHaveLength(listing.length + rows.flatMap((row) => row.exchangeIds).length);
    // The session no longer grows with every call.
    expect(JSON.stringify(state).length).toBeLessThan(sizeAtLimit * 1.05);
  }, 60_000);

  it('refreshes after /expire-tokens, reconnects after /revoke-all, and steps up after /require-scope', async () => {
    const { jar, state } = await connect();

    await admin('/expire-tokens');
    const refreshed = await callTool(state, ctx, 'echo', { message: 'after expiry' });
    expect(refreshed.result.isError).toBe(false);
    const token = refreshed.state.records.find((r) => r.id === 'token');
    expect(token?.checks.find((c) => c.id === 'token.refresh-rotation')?.status).toBe('pass');

    await admin('/revoke-all');
    const revoked = await callTool(refreshed.state, ctx, 'echo', { message: 'after revocation' });
    expect(revoked.state.step).toBe('failed');
    expect(revoked.state.recovery).toMatchObject({
      action: 'reconnect',
      reason: 'revoked',
      refresh: 'failed',
    });
    const back = await resumeAfterReauthorization(
      await signIn(jar, await reconnect(revoked.state, ctx)),
      ctx,
    );
    expect(back.result?.content[0]).toEqual({ type: 'text', text: 'after revocation' });

    await admin('/require-scope', { tool: 'search_notes', scope: 'mcp:admin' });
    const denied = await callTool(back.state, ctx, 'search_notes', { query: '*' });
    expect(denied.result.error?.code).toBe('insufficient_scope');
    expect(denied.state.recovery).toMatchObject({ action: 'step-up', scope: 'mcp:read mcp:admin' });
    const stepped = await resumeAfterReauthorization(
      await signIn(jar, await reconnect(denied.state, ctx)),
      ctx,
    );
    expect(stepped.state.step, JSON.stringify((stepped.state as { error?: unknown }).error)).toBe(
      'connected',
    );
    expect(stepped.result?.isError).toBe(false);
    expect(connected(stepped.state).token.scope).toContain('mcp:admin');
  });

  it('disconnect revokes at the authorization server: the MCP server rejects the old token', async () => {
    const { state } = await connect();
    const old = state.secrets.accessToken!;
    const after = await disconnect(state, ctx);
    expect(after.step).toBe('disconnected');
    const check = after.records.flatMap((r) => r.checks).find((c) => c.id === 'token.revocation');
    expect(check?.status).toBe('pass');
    const response = await fetch(demo.mcpUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${old}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('revoked');
  });

  it('the audit passes on the demo (audience and revocation included)', async () => {
    const { jar, state } = await connect();
    await admin('/require-scope', { tool: 'whoami', scope: 'mcp:admin' });
    const denied = await callTool(state, ctx, 'whoami', {});
    const probed = await resumeAfterReauthorization(
      await signIn(jar, await testAudience(denied.state, ctx)),
      ctx,
    );
    expect(auditChecks(probed.state)['audit.audience-restricted']?.status).toBe('pass');
    const audited = connected(await runAccessAudit(probed.state, ctx));
    const checks = auditChecks(audited);
    const failing = Object.values(checks).filter((c) => c.status === 'fail');
    expect(failing.map((c) => `${c.id}: ${c.message}`)).toEqual([]);
    expect(checks['audit.error-no-leak']?.status).toBe('pass');
    expect(checks['audit.invalid-token-401']?.status).toBe('pass');
    expect(checks['audit.insufficient-scope-challenge']?.status).toBe('pass');
    // The default demo server speaks 2026-07-28 only: the wire rows apply, the session row does not.
    expect(checks['audit.unsupported-version-rejected']).toMatchObject({
      status: 'pass',
      actual: expect.stringContaining('400 code -32022 supported ["2026-07-28"]'),
    });
    expect(checks['audit.mcp-method-mismatch-rejected']).toMatchObject({
      status: 'pass',
      actual: '400 code -32020',
    });
    expect(checks['audit.session-without-auth-rejected']?.message).toMatch(
      /Not applicable: stateless server/,
    );
    const revoked = await testRevocation(audited, ctx);
    expect(auditChecks(revoked)['audit.revoked-token-rejected']?.status).toBe('pass');
  });

  it.each([
    ['query-token', 'audit.query-token-rejected', /accepted a token from the URL query/],
    ['session-without-auth', 'audit.session-without-auth-rejected', /treats the session as a credential/],
    [
      'leak-internals',
      'audit.error-no-leak',
      /search_notes .*stack trace .*internal host name “notes-db\.internal\.corp”/,
    ],
    [
      'bad-403',
      'audit.insufficient-scope-challenge',
      /lack WWW-Authenticate: Bearer error="insufficient_scope"/,
    ],
    [
      'no-revocation-check',
      'audit.revoked-token-rejected',
      /still accepted the access token after it was revoked/,
    ],
    ['no-audience-check', 'audit.audience-restricted', /accepted a token issued for another resource/],
    [
      'no-header-check',
      'audit.mcp-method-mismatch-rejected',
      /Mcp-Method header \(tools\/call\) contradicts/,
    ],
  ] as const)('the audit fails the %s row with the right message', async (row, id, message) => {
    // Sessions exist only on the stateful 2025-11-25 wire.
    const url = row === 'session-without-auth' ? scenarioUrl('legacy-2025-11-25') : demo.mcpUrl;
    const { jar, state } = await connect(new CookieJar(), url);
    await admin('/break', { row, on: true });
    let current: FlowState = state;
    if (row === 'bad-403') {
      await admin('/require-scope', { tool: 'whoami', scope: 'mcp:admin' });
      current = (await callTool(current, ctx, 'whoami', {})).state;
    }
    if (row === 'no-audience-check') {
      current = (await resumeAfterReauthorization(await signIn(jar, await testAudience(current, ctx)), ctx))
        .state;
    }
    current = await runAccessAudit(current, ctx);
    if (row === 'no-revocation-check') current = await testRevocation(current, ctx);
    const checks = auditChecks(current);
    expect(checks[id]).toMatchObject({ status: 'fail', message: expect.stringMatching(message) });
    expect(
      Object.values(checks)
        .filter((c) => c.status === 'fail')
        .map((c) => c.id),
    ).toEqual([id]);
  });
});
