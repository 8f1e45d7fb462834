import { describe, expect, it } from 'vitest';
import { parseBearerChallenge } from '../../oauth/www-authenticate';
import { runNextStep } from '../engine';
import { createFlow, type FlowState } from '../state';
import { check } from '../testing/drive';
import { json, routes } from '../testing/routes';
import type { FlowOptions, SpecVersion } from '../types';

const MCP = 'https://mcp.example.com/mcp';
const PATH_AWARE = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';
const ROOT = 'https://mcp.example.com/.well-known/oauth-protected-resource';
const HEADER = 'https://meta.example.com/prm';
const AS = 'https://auth.example.com';

function atPrm(
  opts: { header?: string; specVersion?: SpecVersion; index?: number; discovery?: 'matrix' | 'client' } = {},
): FlowState {
  const options: FlowOptions = {
    ...(opts.discovery ? { discovery: opts.discovery } : {}),
    serverUrl: MCP,
    specVersion: opts.specVersion ?? '2025-11-25',
    redirectUri: 'https://inspector.example/cb',
    registration: 'auto',
    clientName: 'test',
    ...(opts.index !== undefined ? { authorizationServerIndex: opts.index } : {}),
  };
  const www = opts.header ? `Bearer resource_metadata="${opts.header}"` : undefined;
  return {
    ...createFlow(options),
    step: 'prm',
    probe: { status: 401, ...(www ? { wwwAuthenticate: www, challenge: parseBearerChallenge(www) } : {}) },
  };
}

const run = async (state: FlowState, table: Parameters<typeof routes>[0]) => {
  const r = routes(table);
  return { state: await runNextStep(state, { fetch: r.fetch, policy: { mode: 'local' } }), seen: r.seen };
};

const doc = (resource: string, extra: Record<string, unknown> = {}) =>
  json({ resource, authorization_servers: [AS], scopes_supported: ['read'], ...extra });

describe('prm step', () => {
  it('probes every candidate in parallel and uses the header URL first', async () => {
    const { state, seen } = await run(atPrm({ header: HEADER }), {
      [HEADER]: doc(MCP),
      [PATH_AWARE]: doc(MCP),
    });
    expect(seen.map((s) => s.url).sort()).toEqual([HEADER, PATH_AWARE, ROOT].sort());
    expect(state.step).toBe('as-metadata');
    if (state.step !== 'as-metadata' || state.resource.mode !== 'prm') return;
    expect(state.resource).toMatchObject({
      metadataUrl: HEADER,
      source: 'header',
      issuer: AS,
      scopesSupported: ['read'],
    });
    expect(check(state, 'prm.found').status).toBe('pass');
    expect(check(state, 'prm.resource-match')).toMatchObject({ status: 'pass', expected: MCP, actual: MCP });
    const probes = state.records.find((r) => r.id === 'prm')?.facts?.probes as Array<{
      url: string;
      used: boolean;
      status: number;
    }>;
    expect(probes.map((p) => [p.url, p.status, p.used])).toEqual([
      [HEADER, 200, true],
      [PATH_AWARE, 200, false],
      [ROOT, 404, false],
    ]);
  });

  it('in client mode asks in priority order and never requests a URL below the one that answered', async () => {
    const { state, seen } = await run(atPrm({ discovery: 'client' }), {
      [PATH_AWARE]: doc(MCP),
      [ROOT]: doc('https://mcp.example.com'),
    });
    expect(seen.map((s) => s.url)).toEqual([PATH_AWARE]);
    expect(state.step).toBe('as-metadata');
    const probes = state.records.find((r) => r.id === 'prm')?.facts?.probes as Array<{
      url: string;
      why: string;
    }>;
    expect(probes.map((p) => p.url)).toEqual([PATH_AWARE, ROOT]);
    expect(probes[1]?.why).toContain('not requested');

    const fallback = await run(atPrm({ discovery: 'client', header: HEADER }), {
      [ROOT]: doc('https://mcp.example.com'),
    });
    expect(fallback.seen.map((s) => s.url)).toEqual([HEADER, PATH_AWARE, ROOT]);
    expect(fallback.state.step).toBe('as-metadata');
  });

  it('falls back to the path-aware URL without a header', async () => {
    const { state } = await run(atPrm(), { [PATH_AWARE]: doc(MCP) });
    expect(state.step === 'as-metadata' && state.resource.mode === 'prm' && state.resource.source).toBe(
      'path-aware',
    );
  });

  it('fails when the resource does not match, and does not use the document', async () => {
    const { state } = await run(atPrm(), { [PATH_AWARE]: doc('https://other.example.com/mcp') });
    expect(state.step).toBe('failed');
    if (state.step !== 'failed') return;
    expect(state.error).toMatchObject({
      code: 'prm_invalid',
      expected: MCP,
      actual: 'https://other.example.com/mcp',
    });
    const c = check(state, 'prm.resource-match');
    expect(c).toMatchObject({ status: 'fail', expected: MCP, actual: 'https://other.example.com/mcp' });
    expect(c.message).toContain('Strict clients will discard it');
  });

  it('skips a mismatching header document for a matching well-known one, and says so', async () => {
    const { state } = await run(atPrm({ header: HEADER }), {
      [HEADER]: doc('https://wrong.example.com'),
      [PATH_AWARE]: doc(MCP),
    });
    expect(state.step === 'as-metadata' && state.resource.mode === 'prm' && state.resource.metadataUrl).toBe(
      PATH_AWARE,
    );
    expect(check(state, 'prm.found').status).toBe('warn');
    expect(check(state, 'prm.resource-match').status).toBe('warn');
    expect(check(state, 'prm.resource-match').message).toContain('Discarded');
  });

  it('warns on a prefix-only resource (the SDK accepts it, strict clients do not)', async () => {
    const { state } = await run(atPrm(), { [PATH_AWARE]: doc('https://mcp.example.com') });
    expect(state.step).toBe('as-metadata');
    expect(check(state, 'prm.resource-match')).toMatchObject({
      status: 'warn',
      expected: MCP,
      actual: 'https://mcp.example.com',
    });
    expect(check(state, 'prm.resource-match').message).toContain('prefix');
  });

  it('warns when the root document names the server URL rather than the origin', async () => {
    const { state } = await run(atPrm(), { [ROOT]: doc(MCP) });
    expect(state.step).toBe('as-metadata');
    expect(check(state, 'prm.resource-match')).toMatchObject({
      status: 'warn',
      expected: 'https://mcp.example.com',
    });
  });

  it('fails with prm_not_found listing every URL tried (2025-11-25)', async () => {
    const { state } = await run(atPrm({ header: HEADER }), {});
    expect(state.step).toBe('failed');
    if (state.step !== 'failed') return;
    expect(state.error.code).toBe('prm_not_found');
    for (const url of [HEADER, PATH_AWARE, ROOT]) expect(state.error.message).toContain(url);
    expect(state.error.hint).toContain('2025-03-26');
  });

  it('says a server only supports 2025-03-26-style discovery when its origin serves AS metadata, and goes on that way', async () => {
    const legacyMetadata = 'https://mcp.example.com/.well-known/oauth-authorization-server';
    const { state, seen } = await run(atPrm({ specVersion: '2026-07-28' }), {
      [legacyMetadata]: json({
        issuer: 'https://mcp.example.com',
        authorization_endpoint: 'https://mcp.example.com/authorize',
        token_endpoint: 'https://mcp.example.com/token',
        response_types_supported: ['code'],
      }),
    });
    expect(seen.map((s) => s.url)).toContain(legacyMetadata);
    // The verdict against 2026-07-28 stays a failure; the walkthrough goes on as dual-era clients do.
    expect(check(state, 'prm.found').status).toBe('fail');
    expect(check(state, 'prm.legacy-mode')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/only supports 2025-03-26-style discovery.*goes on the 2025-03-26 way/),
      actual: expect.stringContaining(legacyMetadata),
    });
    expect(state.step).toBe('as-metadata');
    expect(state.step === 'as-metadata' && state.resource.mode).toBe('legacy');
  });

  it('does not claim 2025-03-26 support when the 401 named metadata that is not there', async () => {
    const { state } = await run(atPrm({ header: HEADER }), {});
    expect(state.step === 'failed' && state.error.code).toBe('prm_not_found');
    expect(state.step === 'failed' && state.error.message).not.toMatch(/2025-03-26-style/);
    expect(state.records.find((r) => r.id === 'prm')?.checks.map((c) => c.id)).toEqual(['prm.found']);
  });

  it('takes a server with no metadata at all and a 401 naming none for a 2025-03-26 server (default endpoints)', async () => {
    const { state } = await run(atPrm({ specVersion: '2026-07-28' }), {});
    expect(check(state, 'prm.found').status).toBe('fail');
    expect(check(state, 'prm.legacy-mode')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/looks like a 2025-03-26 server.*default endpoints/),
    });
    expect(state.step).toBe('as-metadata');
  });

  it('goes to 2025-03-26 legacy mode when there is no PRM under that revision', async () => {
    const { state } = await run(atPrm({ specVersion: '2025-03-26' }), {});
    expect(state.step).toBe('as-metadata');
    if (state.step !== 'as-metadata') return;
    expect(state.resource).toEqual({
      mode: 'legacy',
      authorizationBaseUrl: 'https://mcp.example.com',
      issuer: 'https://mcp.example.com',
    });
    expect(check(state, 'prm.legacy-mode').message).toContain('Newer clients require PRM');
  });

  it('fails when authorization_servers is empty', async () => {
    const { state } = await run(atPrm(), {
      [PATH_AWARE]: json({ resource: MCP, authorization_servers: [] }),
    });
    expect(state.step === 'failed' && state.error.code).toBe('prm_invalid');
    expect(check(state, 'prm.authorization-servers').status).toBe('fail');
  });

  it('warns about missing scopes_supported', async () => {
    const { state } = await run(atPrm(), {
      [PATH_AWARE]: json({ resource: MCP, authorization_servers: [AS] }),
    });
    expect(check(state, 'prm.scopes-supported').status).toBe('warn');
  });

  it('uses the authorization server the user picked, and refuses an index out of range', async () => {
    const two = {
      [PATH_AWARE]: json({ resource: MCP, authorization_servers: [AS, 'https://other-as.example.com'] }),
    };
    const picked = await run(atPrm({ index: 1 }), two);
    expect(picked.state.step === 'as-metadata' && picked.state.resource.issuer).toBe(
      'https://other-as.example.com',
    );
    expect(check(picked.state, 'prm.authorization-server-choice').message).toContain('2 of 2');
    const bad = await run(atPrm({ index: 5 }), two);
    expect(bad.state.step === 'failed' && bad.state.error.code).toBe('invalid_options');
  });
});
