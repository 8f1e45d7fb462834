/**
 * The engine against the bundled demo: real oidc-provider authorization servers and real SDK MCP
 * servers on loopback. The "browser" part (login and consent) is scripted over HTTP.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoHandle, type DemoScenario, startDemo } from '../../demo/index';
import {
  callTool,
  createFlow,
  type FlowState,
  handleCallback,
  runNextStep,
  runUntilPause,
  selectAuthorizationServer,
  toView,
} from './index';
import type { FlowContext } from './step-run';
import { browseAuthorization } from './testing/browser';
import type { FlowOptions } from './types';

const REDIRECT_URI = 'http://127.0.0.1:9/api/oauth/callback';
const ctx: FlowContext = { policy: { mode: 'local' } };

let demo: DemoHandle;
let cimdServer: Server;
let cimdUrl: string;

beforeAll(async () => {
  demo = await startDemo({ host: '127.0.0.1', port: 0, log: () => {} });
  // The inspector's own Client ID Metadata Document, as the web app would serve it.
  cimdServer = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        client_id: cimdUrl,
        client_name: 'MCP Auth Inspector (integration test)',
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      }),
    );
  });
  await new Promise<void>((resolve) => cimdServer.listen(0, '127.0.0.1', resolve));
  cimdUrl = `http://127.0.0.1:${(cimdServer.address() as AddressInfo).port}/oauth/client-metadata.json`;
});

afterAll(async () => {
  await demo?.close();
  await new Promise((resolve) => cimdServer?.close(resolve));
});

function optionsFor(scenario: DemoScenario, over: Partial<FlowOptions> = {}): FlowOptions {
  return {
    serverUrl: scenario.mcpUrl,
    specVersion: scenario.specVersion ?? '2025-11-25',
    redirectUri: REDIRECT_URI,
    registration: 'auto',
    clientName: 'MCP Auth Inspector (integration test)',
    ...(scenario.preRegistered
      ? {
          preRegistered: {
            clientId: scenario.preRegistered.clientId,
            tokenEndpointAuthMethod: scenario.preRegistered.tokenEndpointAuthMethod,
          },
          clientSecret: scenario.preRegistered.clientSecret,
          clientPrivateKey: scenario.preRegistered.privateKeyPem,
        }
      : {}),
    ...(scenario.idp ? { idp: scenario.idp } : {}),
    ...(scenario.id === 'cimd' ? { clientMetadataUrl: cimdUrl } : {}),
    ...(scenario.grant ? { grant: scenario.grant } : {}),
    ...(scenario.dpop ? { dpop: true } : {}),
    ...over,
  };
}

async function runScenario(scenario: DemoScenario, over: Partial<FlowOptions> = {}): Promise<FlowState> {
  // Workload identity: the workload's token comes from its platform, as it would in production.
  const assertion = scenario.workload
    ? ((await (await fetch(scenario.workload.assertionUrl)).json()) as { token: string }).token
    : undefined;
  let state = await runUntilPause(
    createFlow({ ...optionsFor(scenario, over), ...(assertion ? { assertion } : {}) }),
    ctx,
  );
  if (state.step === 'awaiting-callback') {
    const callback = await browseAuthorization(state.authorization.url, REDIRECT_URI);
    state = await runUntilPause(await handleCallback(state, callback, ctx), ctx);
  }
  return state;
}

const scenario = (id: string) => {
  const s = demo.scenarios.find((x) => x.id === id);
  if (!s) throw new Error(`no demo scenario ${id}`);
  return s;
};

const failures = (state: FlowState) =>
  toView(state)
    .steps.flatMap((s) => s.checks)
    .filter((c) => c.status === 'fail')
    .map((c) => `${c.id}: ${c.message}`);

describe('engine against the demo servers', () => {
  it('connects to the default scenario with every check passing, and runs only read-only tools', async () => {
    const state = await runScenario(scenario('default'));
    expect(state.step, state.step === 'failed' ? JSON.stringify(state.error) : '').toBe('connected');
    if (state.step !== 'connected') return;
    expect(failures(state)).toEqual([]);
    const view = toView(state);
    expect(view.token?.claims?.aud).toContain(demo.mcpUrl);
    expect(view.token?.hasRefreshToken).toBe(true);
    expect(view.steps.every((s) => s.status !== 'pending')).toBe(true);
    const byName = Object.fromEntries(state.tools.map((t) => [t.name, t.readOnly]));
    expect(byName).toMatchObject({ echo: true, whoami: true, delete_note: false });

    const echo = await callTool(state, ctx, 'echo', { message: 'hello', uppercase: true });
    expect(echo.result.isError).toBe(false);
    expect(echo.result.content[0]).toEqual({ type: 'text', text: expect.stringContaining('HELLO') });
    const whoami = await callTool(echo.state, ctx, 'whoami', {});
    expect(JSON.stringify(whoami.result)).toContain('demo');

    await fetch(`${demo.adminUrl}/calls/clear`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const refused = await callTool(whoami.state, ctx, 'delete_note', { id: '1' });
    expect(refused.result.error?.code).toBe('tool_not_read_only');
    const calls = (await (await fetch(`${demo.adminUrl}/calls`)).json()) as {
      calls: Array<{ tool: string }>;
    };
    expect(calls.calls.map((c) => c.tool)).not.toContain('delete_note');
    expect(JSON.stringify(toView(refused.state))).not.toContain(state.secrets.accessToken!);
  });

  it('answers an expired token (401 invalid_token) by refreshing and retrying the tool call', async () => {
    const state = await runScenario(scenario('default'));
    if (state.step !== 'connected') throw new Error(state.step);
    await fetch(`${demo.adminUrl}/expire-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const { state: after, result } = await callTool(state, ctx, 'echo', { message: 'x' });
    expect(result.isError).toBe(false);
    expect(after.step).toBe('connected');
    expect(after.secrets.refreshToken).not.toBe(state.secrets.refreshToken);
    const token = after.records.find((r) => r.id === 'token');
    expect(token?.checks.find((c) => c.id === 'token.refresh')?.status).toBe('pass');
    expect(token?.checks.find((c) => c.id === 'token.refresh-rotation')?.status).toBe('pass');
    await fetch(`${demo.adminUrl}/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
  });

  it('reports 403 insufficient_scope with the scope the server asks for', async () => {
    await fetch(`${demo.adminUrl}/require-scope`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tool: 'echo', scope: 'mcp:tools' }),
    });
    try {
      const state = await runScenario(scenario('default'));
      if (state.step !== 'connected') throw new Error(state.step);
      const { result } = await callTool(state, ctx, 'echo', { message: 'x' });
      expect(result.error?.code).toBe('insufficient_scope');
      expect(result.error?.message).toContain('mcp:tools');
    } finally {
      await fetch(`${demo.adminUrl}/reset`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
    }
  });

  it('ends with access_denied when the user presses Deny', async () => {
    const paused = await runUntilPause(createFlow(optionsFor(scenario('default'))), ctx);
    if (paused.step !== 'awaiting-callback') throw new Error(paused.step);
    const callback = await browseAuthorization(paused.authorization.url, REDIRECT_URI, { consent: 'deny' });
    const state = await handleCallback(paused, callback, ctx);
    expect(state.step === 'failed' && state.error.code).toBe('authorization_denied');
  });

  it('connects to a 2025-03-26 server under the latest revision the 2025-03-26 way, failing prm for it', async () => {
    const state = await runScenario(scenario('legacy-2025-03-26'), { specVersion: '2026-07-28' });
    expect(state.step, failures(state).join('; ')).toBe('connected');
    const prm = state.records.find((r) => r.id === 'prm');
    expect(prm?.status).toBe('failed');
    expect(prm?.checks.find((c) => c.id === 'prm.found')?.status).toBe('fail');
    expect(prm?.checks.find((c) => c.id === 'prm.legacy-mode')?.message).toMatch(
      /only supports 2025-03-26-style discovery/,
    );
  });

  it('multiple-as: connects through the second authorization server, chosen before or during the flow', async () => {
    const s = scenario('multiple-as');
    const viaOption = await runScenario(s, { authorizationServerIndex: 1 });
    expect(viaOption.step, failures(viaOption).join('; ')).toBe('connected');

    let paused = createFlow(optionsFor(s));
    while (paused.step !== 'as-metadata' && paused.step !== 'failed') paused = await runNextStep(paused, ctx);
    if (paused.step !== 'as-metadata' || paused.resource.mode !== 'prm') throw new Error(paused.step);
    expect(paused.resource.authorizationServers).toEqual([
      `${new URL(s.mcpUrl).origin}/retired-as`,
      demo.issuer,
    ]);
    let state = await runUntilPause(selectAuthorizationServer(paused, 1), ctx);
    if (state.step !== 'awaiting-callback') throw new Error(state.step);
    const callback = await browseAuthorization(state.authorization.url, REDIRECT_URI);
    state = await runUntilPause(await handleCallback(state, callback, ctx), ctx);
    expect(state.step).toBe('connected');
  });

  it('meets every scenario’s stated expectation', async () => {
    const outcomes: string[] = [];
    for (const s of demo.scenarios) {
      const state = await runScenario(s);
      const got =
        state.step === 'connected'
          ? 'connected'
          : state.step === 'failed'
            ? `failed at ${state.failedStep} (${state.error.code}: ${state.error.message})`
            : state.step;
      if (s.expect.outcome === 'connected') {
        outcomes.push(`${s.id}: ${got === 'connected' ? 'ok' : got}`);
      } else {
        const expected = s.expect;
        const failedCheck = state.records
          .flatMap((r) => r.checks)
          .find((c) => c.id === expected.checkId && c.status === 'fail');
        const ok = state.step === 'failed' && state.failedStep === expected.step && failedCheck;
        outcomes.push(`${s.id}: ${ok ? 'ok' : `${got}; expected ${expected.step} ${expected.checkId}`}`);
      }
    }
    expect(outcomes).toEqual(demo.scenarios.map((s) => `${s.id}: ok`));
  });
});
