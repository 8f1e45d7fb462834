import { describe, expect, it } from 'vitest';
import {
  callTool,
  createFlow,
  disconnect,
  type FlowContext,
  type FlowState,
  handleCallback,
  listTools,
  MAX_STEP_UP_ATTEMPTS,
  reconnect,
  resumeAfterReauthorization,
  runUntilPause,
  toView,
} from './index';
import { forbiddenOffer, missingScopes, reasonFromChallenge, unionScopes } from './recovery';
import { at } from './testing/drive';
import { createFakeWorld, type FakeWorldOptions } from './testing/fake-world';
import { optionsFor } from './testing/options';

/** A context whose clock the test moves (the fake AS issues 600 s tokens). */
function clockFor(world: ReturnType<typeof createFakeWorld>) {
  const clock = { t: 1_700_000_000_000 };
  const ctx: FlowContext = { fetch: world.fetch, policy: { mode: 'local' }, now: () => (clock.t += 5) };
  return { clock, ctx };
}

async function connect(opts: FakeWorldOptions = {}) {
  const world = createFakeWorld({ challengeScope: 'files:read', ...opts });
  const { clock, ctx } = clockFor(world);
  const paused = at(await runUntilPause(createFlow(optionsFor(world)), ctx), 'awaiting-callback');
  const next = await handleCallback(paused, world.authorize(paused.authorization.url), ctx);
  const connected = at(await runUntilPause(next, ctx), 'connected');
  return { world, clock, ctx, connected };
}

/** The browser part of a (re-)authorization: the AS consents and redirects back. */
async function signInAgain(world: ReturnType<typeof createFakeWorld>, state: FlowState, ctx: FlowContext) {
  const waiting = at(await reconnect(state, ctx), 'awaiting-callback');
  const callback = world.authorize(waiting.authorization.url);
  const connected = at(await runUntilPause(await handleCallback(waiting, callback, ctx), ctx), 'connected');
  return { waiting, connected, ...(await resumeAfterReauthorization(connected, ctx)) };
}

const exchanges = (state: FlowState, stepId: string) =>
  state.records.find((r) => r.id === stepId)?.exchanges ?? [];
const checkOf = (state: FlowState, id: string) =>
  state.records.flatMap((r) => r.checks).find((c) => c.id === id);

describe('refresh (RFC 6749 §6)', () => {
  it('refreshes after a 401 invalid_token, keeps the rotated refresh token and retries once', async () => {
    const { world, ctx, connected } = await connect();
    const oldRefresh = connected.secrets.refreshToken;
    world.expireTokens();
    const { state, result } = await callTool(connected, ctx, 'get_time', {});
    expect(result.isError).toBe(false);
    const after = at(state, 'connected');
    expect(after.secrets.refreshToken).not.toBe(oldRefresh);
    expect(after.secrets.accessToken).not.toBe(connected.secrets.accessToken);

    const refresh = exchanges(after, 'token').filter((e) => e.purpose?.startsWith('RFC 6749 §6'));
    expect(refresh).toHaveLength(1);
    expect(refresh[0]?.purpose).toContain('the MCP server rejected the access token');
    expect(refresh[0]?.request.body).toContain('grant_type=refresh_token');
    expect(refresh[0]?.request.body).toContain(`resource=${encodeURIComponent(world.mcpUrl)}`);
    expect(JSON.stringify(after.records)).not.toContain(oldRefresh);
    expect(checkOf(after, 'token.refresh')?.status).toBe('pass');
    expect(checkOf(after, 'token.refresh-rotation')).toMatchObject({
      status: 'pass',
      exchangeIds: [refresh[0]?.id],
    });
    // The first tools/call got 401, the second (after the refresh) succeeded.
    const calls = exchanges(after, 'tools').filter((e) => e.request.body?.includes('tools/call'));
    expect(calls.map((e) => e.response?.status)).toEqual([401, 200]);
    expect(toView(after).token).toMatchObject({
      refreshCount: 1,
      refreshRotated: true,
      hasRefreshToken: true,
    });
  });

  it('refreshes before the call when the token is past its expiry, without a rejected request', async () => {
    const { world, clock, ctx, connected } = await connect();
    clock.t += 601_000;
    const { state, result } = await callTool(connected, ctx, 'get_time', {});
    expect(result.isError).toBe(false);
    const refresh = exchanges(state, 'token').filter((e) => e.purpose?.startsWith('RFC 6749 §6'));
    expect(refresh[0]?.purpose).toContain('expired');
    expect(world.log.filter((r) => r.url === world.mcpUrl && r.body?.includes('tools/call'))).toHaveLength(1);
  });

  it('judges a refresh token that does not rotate as a failure for a public client', async () => {
    const { world, ctx, connected } = await connect({ rotateRefreshTokens: false });
    world.expireTokens();
    const { state } = await callTool(connected, ctx, 'get_time', {});
    expect(state.step).toBe('connected');
    expect(checkOf(state, 'token.refresh-rotation')).toMatchObject({ status: 'fail', actual: '(absent)' });
    expect(state.secrets.refreshToken).toBe(connected.secrets.refreshToken);
  });

  it('refreshes before re-listing the tools too', async () => {
    const { world, ctx, connected } = await connect();
    world.expireTokens();
    const state = at(await listTools(connected, ctx), 'connected');
    expect(checkOf(state, 'token.refresh')?.status).toBe('pass');
    expect(checkOf(state, 'mcp.tools-listed')?.status).toBe('pass');
  });
});

describe('reconnect', () => {
  it('a revoked grant: refresh fails (invalid_grant), the flow offers Reconnect, and reconnecting repeats the call', async () => {
    const { world, ctx, connected } = await connect();
    world.revokeGrants();
    const { state, result } = await callTool(connected, ctx, 'get_time', { zone: 'UTC' });
    expect(result.error?.code).toBe('unauthorized');
    expect(result.error?.message).toMatch(/revoked.*Refreshing failed \(400 invalid_grant/s);
    const failed = at(state, 'failed');
    expect(failed.failedStep).toBe('tools');
    expect(failed.secrets.refreshToken).toBeUndefined();
    expect(failed.recovery).toMatchObject({
      action: 'reconnect',
      reason: 'revoked',
      refresh: 'failed',
      operation: { kind: 'call-tool', tool: 'get_time', args: { zone: 'UTC' } },
    });
    expect(checkOf(failed, 'token.refresh')?.status).toBe('warn');
    const view = toView(failed);
    expect(view.recovery?.operation).toEqual({ kind: 'call-tool', tool: 'get_time' });
    expect(JSON.stringify(view.recovery)).not.toContain('UTC');

    const { waiting, connected: back, state: resumed, result: again } = await signInAgain(world, failed, ctx);
    // Same registration, a new PKCE challenge and state, the previous scope.
    const url = new URL(waiting.authorization.url);
    expect(url.searchParams.get('client_id')).toBe(connected.client.clientId);
    expect(url.searchParams.get('scope')).toBe('files:read');
    expect(url.searchParams.get('state')).not.toBe(
      new URL(connected.authorization.url).searchParams.get('state'),
    );
    expect(toView(waiting).reauth).toMatchObject({ action: 'reconnect', reason: 'revoked' });
    expect(back.reauth).toBeDefined();
    expect(again?.isError).toBe(false);
    const done = at(resumed, 'connected');
    expect(done.reauth).toBeUndefined();
    expect(done.recovery).toBeUndefined();
    expect(toView(done).resumed?.tool).toBe('get_time');
    // The trace keeps the whole story: the 401, the refused refresh, the second sign-in, the retry.
    const calls = (done.records.find((r) => r.id === 'tools')?.facts?.calls ?? []) as Array<{
      isError: boolean;
    }>;
    expect(calls.map((c) => c.isError)).toEqual([true, false]);
    expect(exchanges(done, 'token').map((e) => e.response?.status)).toEqual([200, 400, 200]);
    expect(new Set(done.records.flatMap((r) => r.exchanges.map((e) => e.id))).size).toBe(
      done.records.flatMap((r) => r.exchanges).length,
    );
  });

  it('offers Reconnect without trying when there is no refresh token', async () => {
    const { world, ctx, connected } = await connect({ refreshToken: false });
    world.expireTokens();
    const { state } = await callTool(connected, ctx, 'get_time', {});
    expect(at(state, 'failed').recovery).toMatchObject({ reason: 'expired', refresh: 'not-possible' });
    expect(exchanges(state, 'token').filter((e) => e.purpose?.startsWith('RFC 6749 §6'))).toHaveLength(0);
  });

  it('refuses to reconnect when there is nothing to recover', async () => {
    const { ctx, connected } = await connect();
    await expect(reconnect(connected, ctx)).rejects.toMatchObject({ code: 'invalid_state' });
    await expect(reconnect(createFlow(optionsFor(createFakeWorld())), ctx)).rejects.toMatchObject({
      code: 'invalid_state',
    });
  });
});

describe('step-up (MCP 2025-11-25 §Scope Challenge Handling)', () => {
  it('a 403 insufficient_scope keeps the session and offers granted ∪ required; re-authorizing repeats the call', async () => {
    const { world, ctx, connected } = await connect();
    const { state, result } = await callTool(connected, ctx, 'write_scope_probe', {});
    expect(result.error).toMatchObject({ code: 'insufficient_scope', actual: '403 insufficient_scope' });
    expect(result.error?.hint).toContain('Re-authorize with more scopes (files:read files:write)');
    const still = at(state, 'connected');
    expect(still.recovery).toMatchObject({
      action: 'step-up',
      reason: 'insufficient-scope',
      requiredScope: 'files:read files:write',
      grantedScope: 'files:read',
      scope: 'files:read files:write',
      attempts: 0,
    });
    expect(still.recovery?.message).toContain('files:write');
    // Other tools still work, and the next call clears the offer.
    const other = await callTool(still, ctx, 'get_time', {});
    expect(other.result.isError).toBe(false);
    expect(other.state.recovery).toBeUndefined();

    const { waiting, state: resumed, result: again } = await signInAgain(world, still, ctx);
    expect(new URL(waiting.authorization.url).searchParams.get('scope')).toBe('files:read files:write');
    expect(checkOf(waiting, 'authorize.scope-selection')?.message).toContain('step-up (attempt 1 of 3)');
    expect(again?.isError).toBe(false);
    const done = at(resumed, 'connected');
    expect(done.token.scope).toBe('files:read files:write');
    expect(toView(done).resumed?.tool).toBe('write_scope_probe');
  });

  it('stops offering step-up after three attempts for the same operation', async () => {
    const { ctx, connected } = await connect();
    const { state, result } = await callTool(
      connected,
      ctx,
      'write_scope_probe',
      {},
      {
        stepUpAttempts: MAX_STEP_UP_ATTEMPTS,
      },
    );
    expect(state.recovery).toBeUndefined();
    expect(result.error?.hint).toMatch(/Still refused after 3 step-up authorizations/);
  });

  it('refuses a fourth step-up authorization for the same operation', async () => {
    const { ctx, connected } = await connect();
    const { state } = await callTool(connected, ctx, 'write_scope_probe', {}, { stepUpAttempts: 2 });
    expect(state.recovery).toMatchObject({ action: 'step-up', attempts: 2 });
    const third = at(await reconnect(state, ctx), 'awaiting-callback');
    expect(third.reauth?.attempts).toBe(3);
    // A denied consent leaves the offer (attempt 3 used) in place; it cannot be accepted again.
    const denied = await handleCallback(
      third,
      new URL(
        `${third.authorization.redirectUri}?error=access_denied&state=${third.secrets.state}&iss=${encodeURIComponent(third.authorizationServer.issuer)}`,
      ),
      ctx,
    );
    expect(at(denied, 'failed').recovery?.attempts).toBe(3);
    await expect(reconnect(denied, ctx)).rejects.toMatchObject({ code: 'invalid_state' });
  });

  it('a 403 without a challenge offers Reconnect, not step-up', async () => {
    const { ctx, connected } = await connect({ breaks: { bad403: true } });
    const { state, result } = await callTool(connected, ctx, 'write_scope_probe', {});
    expect(result.error?.code).toBe('mcp_failed');
    expect(at(state, 'connected').recovery).toMatchObject({ action: 'reconnect', reason: 'forbidden' });
  });
});

describe('recovery offers (pure)', () => {
  it.each([
    [undefined, 'unauthorized'],
    [{ error: 'invalid_token', errorDescription: 'The access token expired', params: {} }, 'expired'],
    [{ error: 'invalid_token', errorDescription: 'Token has been REVOKED', params: {} }, 'revoked'],
    [{ error: 'invalid_token', params: {} }, 'invalid'],
  ] as const)('reads %j as %s', (challenge, reason) => {
    expect(reasonFromChallenge(challenge)).toBe(reason);
  });

  it('unions and diffs scopes', () => {
    expect(unionScopes('a b', 'b c', undefined)).toBe('a b c');
    expect(unionScopes(undefined, '')).toBeUndefined();
    expect(missingScopes('a b c', 'b')).toEqual(['a', 'c']);
  });

  it('counts step-up attempts and gives up at the limit', () => {
    const failure = {
      kind: 'insufficient_scope' as const,
      status: 403 as const,
      message: '403',
      challenge: { error: 'insufficient_scope', scope: 'admin', params: {} },
    };
    expect(forbiddenOffer({ failure, grantedScope: 'read', attempts: 2 })).toMatchObject({
      action: 'step-up',
      scope: 'read admin',
      attempts: 2,
    });
    expect(forbiddenOffer({ failure, grantedScope: 'read', attempts: 3 })).toBeUndefined();
  });
});

describe('disconnect (RFC 7009)', () => {
  it('ends the MCP session, revokes the refresh and access tokens, forgets them, and can reconnect', async () => {
    const { world, ctx, connected } = await connect();
    const oldAccess = connected.secrets.accessToken!;
    const state = at(await disconnect(connected, ctx), 'disconnected');
    expect(state.secrets).toEqual({});
    expect(state.disconnected).toMatchObject({ by: 'user', revocation: 'revoked' });
    const revocations = exchanges(state, 'token').filter((e) => e.purpose?.startsWith('RFC 7009'));
    expect(revocations.map((e) => e.request.body?.match(/token_type_hint=(\w+)/)?.[1])).toEqual([
      'refresh_token',
      'access_token',
    ]);
    expect(JSON.stringify(state.records)).not.toContain(oldAccess);
    expect(checkOf(state, 'token.revocation')?.status).toBe('pass');
    expect(exchanges(state, 'mcp-init').some((e) => e.request.method === 'DELETE')).toBe(true);
    const view = toView(state);
    expect(view.step).toBe('disconnected');
    expect(view.token).toBeUndefined();
    expect(view.recovery).toMatchObject({ action: 'reconnect', reason: 'disconnected' });

    // The MCP server now rejects the old token.
    const probe = await world.fetch(world.mcpUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${oldAccess}`, 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(probe.status).toBe(401);
    expect(probe.headers.get('www-authenticate')).toContain('revoked');

    const { connected: back } = await signInAgain(world, state, ctx);
    expect(back.client.clientId).toBe(connected.client.clientId);
  });

  it('without a revocation endpoint it only forgets the tokens, and says so', async () => {
    const { ctx, connected } = await connect({ revocation: false });
    const state = at(await disconnect(connected, ctx), 'disconnected');
    expect(state.disconnected.revocation).toBe('no-endpoint');
    expect(checkOf(state, 'token.revocation')).toMatchObject({ status: 'warn', actual: '(absent)' });
    expect(state.disconnected.message).toContain('stay valid until they expire');
  });

  it('only disconnects a connected session', async () => {
    const world = createFakeWorld();
    const { ctx } = clockFor(world);
    await expect(disconnect(createFlow(optionsFor(world)), ctx)).rejects.toMatchObject({
      code: 'invalid_state',
    });
  });
});
