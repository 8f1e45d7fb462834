import { describe, expect, it } from 'vitest';
import { runNextStep } from '../engine';
import { createFlow, type FlowState } from '../state';
import { check } from '../testing/drive';
import { json, routes } from '../testing/routes';
import type { SpecVersion } from '../types';

const MCP = 'https://mcp.example.com/mcp';
const ISSUER = 'https://auth.example.com/tenant1';
const OAUTH = 'https://auth.example.com/.well-known/oauth-authorization-server/tenant1';
const OIDC_INSERT = 'https://auth.example.com/.well-known/openid-configuration/tenant1';
const OIDC_APPEND = 'https://auth.example.com/tenant1/.well-known/openid-configuration';

function atAs(specVersion: SpecVersion = '2025-11-25', issuer = ISSUER): FlowState {
  return {
    ...createFlow({
      serverUrl: MCP,
      specVersion,
      redirectUri: 'https://i.example/cb',
      registration: 'auto',
      clientName: 't',
    }),
    step: 'as-metadata',
    probe: { status: 401 },
    resource: {
      mode: 'prm',
      metadataUrl: 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
      source: 'path-aware',
      document: { resource: MCP, authorization_servers: [issuer] },
      authorizationServers: [issuer],
      issuer,
    },
  };
}

const md = (over: Record<string, unknown> = {}) => ({
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/authorize`,
  token_endpoint: `${ISSUER}/token`,
  registration_endpoint: `${ISSUER}/register`,
  response_types_supported: ['code'],
  code_challenge_methods_supported: ['S256'],
  authorization_response_iss_parameter_supported: true,
  ...over,
});

const run = async (state: FlowState, table: Parameters<typeof routes>[0]) => {
  const r = routes(table);
  return { state: await runNextStep(state, { fetch: r.fetch, policy: { mode: 'local' } }), seen: r.seen };
};

describe('as-metadata step', () => {
  it('in client mode asks only the spec URLs, in order, and stops at the first usable one', async () => {
    const base = atAs();
    const strict = { ...base, options: { ...base.options, discovery: 'client' as const } };
    const { state, seen } = await run(strict, { [OIDC_INSERT]: json(md()), [OIDC_APPEND]: json(md()) });
    expect(seen.map((s) => s.url)).toEqual([OAUTH, OIDC_INSERT]);
    expect(state.step).toBe('registration');
    expect(check(state, 'as.origin-metadata').status).toBe('skip');
  });

  it('probes the 2025-11-25 URLs and the MCP origin in parallel, and uses RFC 8414 first', async () => {
    const { state, seen } = await run(atAs(), { [OAUTH]: json(md()), [OIDC_INSERT]: json(md()) });
    expect(new Set(seen.map((s) => s.url))).toEqual(
      new Set([
        OAUTH,
        OIDC_INSERT,
        OIDC_APPEND,
        'https://mcp.example.com/.well-known/oauth-authorization-server',
        'https://mcp.example.com/.well-known/openid-configuration',
      ]),
    );
    expect(state.step).toBe('registration');
    if (state.step !== 'registration') return;
    expect(state.authorizationServer).toMatchObject({ issuer: ISSUER, metadataUrl: OAUTH, source: 'oauth' });
    for (const id of [
      'as.found',
      'as.issuer-match',
      'as.pkce-s256',
      'as.response-type-code',
      'as.https-endpoints',
      'as.iss-parameter',
    ]) {
      expect(check(state, id).status).toBe('pass');
    }
    expect(check(state, 'as.origin-metadata').status).toBe('pass');
  });

  it('fails an issuer mismatch with expected and actual, and does not use the metadata', async () => {
    const { state } = await run(atAs(), { [OAUTH]: json(md({ issuer: 'https://evil.example.com' })) });
    expect(state.step).toBe('failed');
    if (state.step !== 'failed') return;
    expect(state.error).toMatchObject({
      code: 'as_metadata_invalid',
      expected: ISSUER,
      actual: 'https://evil.example.com',
    });
    expect(state.error.message).toBe(
      `Metadata at ${OAUTH} claims issuer https://evil.example.com. It must be ${ISSUER}, and clients MUST NOT use it.`,
    );
    expect(check(state, 'as.issuer-match')).toMatchObject({ status: 'fail', expected: ISSUER });
    expect(state.authorizationServer).toBeUndefined();
  });

  it('treats a trailing-slash issuer as a different issuer', async () => {
    const { state } = await run(atAs(), { [OAUTH]: json(md({ issuer: `${ISSUER}/` })) });
    expect(state.step === 'failed' && state.error.actual).toBe(`${ISSUER}/`);
  });

  it('stops when code_challenge_methods_supported is absent under 2025-11-25', async () => {
    const { state } = await run(atAs(), {
      [OAUTH]: json(md({ code_challenge_methods_supported: undefined })),
    });
    expect(state.step).toBe('failed');
    if (state.step !== 'failed') return;
    expect(state.error.code).toBe('as_metadata_invalid');
    expect(state.error.message).toContain('2025-11-25 clients must stop here');
    expect(check(state, 'as.pkce-s256')).toMatchObject({ status: 'fail', actual: '(absent)' });
  });

  it('only warns about absent PKCE metadata under 2025-06-18, and says where revisions differ', async () => {
    const { state } = await run(atAs('2025-06-18'), {
      [OAUTH]: json(md({ code_challenge_methods_supported: undefined })),
    });
    expect(state.step).toBe('registration');
    expect(check(state, 'as.pkce-s256').status).toBe('warn');
    expect(check(state, 'as.pkce-s256').message).toContain('2025-11-25 clients must stop here');
  });

  it('warns when plain is offered next to S256', async () => {
    const { state } = await run(atAs(), {
      [OAUTH]: json(md({ code_challenge_methods_supported: ['plain', 'S256'] })),
    });
    expect(check(state, 'as.pkce-s256').status).toBe('warn');
  });

  it('finds OpenID-only metadata under 2025-11-25 but not under 2025-06-18', async () => {
    const v11 = await run(atAs(), { [OIDC_INSERT]: json(md()) });
    expect(v11.state.step === 'registration' && v11.state.authorizationServer.source).toBe('oidc');
    const v06 = await run(atAs('2025-06-18'), { [OIDC_INSERT]: json(md()) });
    expect(v06.state.step).toBe('failed');
    if (v06.state.step !== 'failed') return;
    expect(v06.state.error.code).toBe('as_metadata_not_found');
    expect(check(v06.state, 'as.found').message).toContain(
      '2025-11-25 clients use but 2025-06-18 clients do not',
    );
  });

  it('fails plain-http endpoints that are not loopback, warns on loopback http', async () => {
    const insecure = await run(atAs(), {
      [OAUTH]: json(md({ token_endpoint: 'http://auth.example.com/token' })),
    });
    expect(insecure.state.step === 'failed' && insecure.state.error.code).toBe('as_metadata_invalid');
    const loopIssuer = 'http://127.0.0.1:4000';
    const loop = await run(atAs('2025-11-25', loopIssuer), {
      'http://127.0.0.1:4000/.well-known/oauth-authorization-server': json(
        md({
          issuer: loopIssuer,
          authorization_endpoint: `${loopIssuer}/auth`,
          token_endpoint: `${loopIssuer}/token`,
          registration_endpoint: `${loopIssuer}/reg`,
        }),
      ),
    });
    expect(loop.state.step).toBe('registration');
    expect(check(loop.state, 'as.https-endpoints').status).toBe('warn');
  });

  it('notes the iss parameter: skip before 2026-07-28, warn under it', async () => {
    const off = md({ authorization_response_iss_parameter_supported: false });
    expect(check((await run(atAs(), { [OAUTH]: json(off) })).state, 'as.iss-parameter').status).toBe('skip');
    expect(
      check((await run(atAs('2026-07-28'), { [OAUTH]: json(off) })).state, 'as.iss-parameter').status,
    ).toBe('warn');
  });

  it('warns when the MCP server’s origin serves metadata for another issuer', async () => {
    const { state } = await run(atAs(), {
      [OAUTH]: json(md()),
      'https://mcp.example.com/.well-known/oauth-authorization-server': json(
        md({ issuer: 'https://mcp.example.com' }),
      ),
    });
    expect(state.step).toBe('registration');
    expect(check(state, 'as.origin-metadata')).toMatchObject({
      status: 'warn',
      expected: ISSUER,
      actual: 'https://mcp.example.com',
    });
  });

  it('uses the 2025-03-26 default endpoints when origin metadata is 404', async () => {
    const legacy: FlowState = {
      ...createFlow({
        serverUrl: MCP,
        specVersion: '2025-03-26',
        redirectUri: 'https://i.example/cb',
        registration: 'auto',
        clientName: 't',
      }),
      step: 'as-metadata',
      probe: { status: 401 },
      resource: {
        mode: 'legacy',
        authorizationBaseUrl: 'https://mcp.example.com',
        issuer: 'https://mcp.example.com',
      },
    };
    const { state, seen } = await run(legacy, {});
    expect(seen.map((s) => s.url)).toEqual([
      'https://mcp.example.com/.well-known/oauth-authorization-server',
    ]);
    expect(seen[0]?.headers.get('mcp-protocol-version')).toBe('2025-03-26');
    expect(state.step).toBe('registration');
    if (state.step !== 'registration') return;
    expect(state.authorizationServer.source).toBe('legacy-fallback');
    expect(state.authorizationServer.metadata).toMatchObject({
      authorization_endpoint: 'https://mcp.example.com/authorize',
      token_endpoint: 'https://mcp.example.com/token',
      registration_endpoint: 'https://mcp.example.com/register',
    });
    expect(check(state, 'as.found').status).toBe('warn');
  });

  it('does not fall back to default endpoints on a 500 (2025-03-26 falls back only on 404)', async () => {
    const legacy: FlowState = {
      ...createFlow({
        serverUrl: MCP,
        specVersion: '2025-03-26',
        redirectUri: 'https://i.example/cb',
        registration: 'auto',
        clientName: 't',
      }),
      step: 'as-metadata',
      probe: { status: 401 },
      resource: {
        mode: 'legacy',
        authorizationBaseUrl: 'https://mcp.example.com',
        issuer: 'https://mcp.example.com',
      },
    };
    const { state } = await run(legacy, {
      'https://mcp.example.com/.well-known/oauth-authorization-server': new Response('boom', { status: 500 }),
    });
    expect(state.step === 'failed' && state.error.code).toBe('as_metadata_not_found');
  });
});
