import { describe, expect, it } from 'vitest';
import { authorizationServerChange, beginMigration, migrationOffer } from './migration';
import type { FlowState, SignedIn } from './state';
import { StepRun } from './step-run';
import { routes } from './testing/routes';

const PRM_URL = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';
const AS1 = 'https://as1.example.com';
const AS2 = 'https://as2.example.com';

const signedIn = {
  step: 'connected',
  options: {
    serverUrl: 'https://mcp.example.com/mcp',
    specVersion: '2026-07-28',
    redirectUri: 'http://127.0.0.1:3000/api/oauth/callback',
    registration: 'pre-registered',
    preRegistered: { clientId: 'as1-client' },
    clientName: 'test',
  },
  records: [],
  seq: 4,
  secrets: { accessToken: 'as1-token', refreshToken: 'as1-refresh', clientSecret: 'as1-secret' },
  probe: { status: 401 },
  resource: {
    mode: 'prm',
    metadataUrl: PRM_URL,
    source: 'header',
    document: { resource: 'https://mcp.example.com/mcp', authorization_servers: [AS1] },
    authorizationServers: [AS1],
    issuer: AS1,
  },
  authorizationServer: { issuer: AS1, source: 'oauth', metadata: { issuer: AS1 } },
} as unknown as SignedIn;

function runWith(prm: unknown) {
  const { fetch, seen } = routes({
    [PRM_URL]: new Response(JSON.stringify(prm), { headers: { 'content-type': 'application/json' } }),
  });
  return { run: new StepRun('tools', { fetch, policy: { mode: 'local' } }, {}, 0), seen };
}

describe('authorizationServerChange()', () => {
  it('says nothing when the metadata still lists the issuer the session used', async () => {
    const { run, seen } = runWith({
      resource: 'https://mcp.example.com/mcp',
      authorization_servers: [AS1, AS2],
    });
    expect(await authorizationServerChange(run, signedIn)).toBeUndefined();
    expect(seen.map((r) => r.url)).toEqual([PRM_URL]);
  });

  it('names the new issuer and warns when the metadata no longer lists the old one', async () => {
    const { run } = runWith({ resource: 'https://mcp.example.com/mcp', authorization_servers: [AS2] });
    const change = await authorizationServerChange(run, signedIn);
    expect(change).toMatchObject({
      from: AS1,
      to: AS2,
      resource: { issuer: AS2, authorizationServers: [AS2] },
    });
    expect(run.record.checks[0]).toMatchObject({ id: 'prm.authorization-server-binding', status: 'warn' });
  });
});

describe('beginMigration()', () => {
  it('goes back to the new server’s metadata with nothing the old one issued', async () => {
    const { run } = runWith({ resource: 'https://mcp.example.com/mcp', authorization_servers: [AS2] });
    const change = (await authorizationServerChange(run, signedIn))!;
    const state = beginMigration({
      ...signedIn,
      step: 'failed',
      error: { code: 'unauthorized', message: '401' },
      failedStep: 'tools',
      recovery: migrationOffer(change, { operation: { kind: 'list-tools' } }),
    } as FlowState);
    expect(state.step).toBe('as-metadata');
    expect(state.resource).toMatchObject({ issuer: AS2 });
    expect(state.secrets).toEqual({});
    expect(state.options.preRegistered).toBeUndefined();
    expect(state.options.registration).toBe('auto');
    expect(JSON.stringify(state)).not.toMatch(/as1-(client|token|refresh|secret)/);
    expect(state.reauth).toMatchObject({
      reason: 'authorization-server-changed',
      operation: { kind: 'list-tools' },
    });
  });
});
