import { describe, expect, it } from 'vitest';
import { runNextStep } from '../engine';
import { createFlow, type FlowState } from '../state';
import { check, driveTo } from '../testing/drive';
import { createFakeWorld } from '../testing/fake-world';
import { contextFor, optionsFor } from '../testing/options';
import { json, routes } from '../testing/routes';
import type { FlowOptions } from '../types';

const ISSUER = 'https://auth.example.com';

function atRegistration(
  options: Partial<FlowOptions>,
  metadata: Record<string, unknown> = {},
  secret?: string,
): FlowState {
  return {
    ...createFlow(
      {
        serverUrl: 'https://mcp.example.com/mcp',
        specVersion: '2025-11-25',
        redirectUri: 'https://inspector.example/api/oauth/callback',
        registration: 'auto',
        clientName: 'Inspector',
        ...options,
      },
      secret ? { clientSecret: secret } : {},
    ),
    step: 'registration',
    probe: { status: 401 },
    resource: {
      mode: 'prm',
      metadataUrl: 'x',
      source: 'path-aware',
      document: { resource: 'https://mcp.example.com/mcp' },
      authorizationServers: [ISSUER],
      issuer: ISSUER,
      scopesSupported: ['files:read'],
    },
    authorizationServer: {
      issuer: ISSUER,
      source: 'oauth',
      metadata: {
        issuer: ISSUER,
        authorization_endpoint: `${ISSUER}/authorize`,
        token_endpoint: `${ISSUER}/token`,
        ...metadata,
      },
    },
  };
}

const run = async (state: FlowState, table: Parameters<typeof routes>[0] = {}) => {
  const r = routes(table);
  return { state: await runNextStep(state, { fetch: r.fetch, policy: { mode: 'local' } }), seen: r.seen };
};

describe('registration step', () => {
  it('registers a public client by DCR with the RFC 7591 fields and 201', async () => {
    const world = createFakeWorld();
    const ctx = contextFor(world);
    const state = await driveTo(optionsFor(world), ctx, 'registration');
    const next = await runNextStep(state, ctx);
    expect(next.step).toBe('authorize');
    if (next.step !== 'authorize') return;
    expect(next.client).toMatchObject({
      route: 'dcr',
      clientId: 'client-1',
      tokenEndpointAuthMethod: 'none',
      issuer: world.issuer,
    });
    const body = JSON.parse(world.log.find((r) => r.url.endsWith('/register'))?.body ?? '{}');
    expect(body).toEqual({
      redirect_uris: ['http://127.0.0.1:3000/api/oauth/callback'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      client_name: 'MCP Auth Inspector (test)',
      application_type: 'native', // http loopback redirect
      scope: 'files:read',
    });
    expect(check(next, 'registration.dcr')).toMatchObject({
      status: 'pass',
      actual: '201 client_id=client-1',
    });
    expect(check(next, 'registration.route-available').message).toContain('Dynamic Client Registration');
  });

  it('registers application_type web for an https redirect URI', async () => {
    const { seen } = await run(atRegistration({}, { registration_endpoint: `${ISSUER}/register` }), {
      [`POST ${ISSUER}/register`]: json({ client_id: 'c1' }, 201),
    });
    expect(JSON.parse(seen[0]?.body ?? '{}').application_type).toBe('web');
  });

  it('reports a DCR error as “Registration failed: {error}: {error_description}”', async () => {
    const { state } = await run(atRegistration({}, { registration_endpoint: `${ISSUER}/register` }), {
      [`POST ${ISSUER}/register`]: json(
        { error: 'invalid_redirect_uri', error_description: 'only https please' },
        400,
      ),
    });
    expect(state.step).toBe('failed');
    if (state.step !== 'failed') return;
    expect(state.error).toMatchObject({
      code: 'registration_failed',
      message: 'Registration failed: invalid_redirect_uri: only https please.',
    });
    expect(state.error.hint).toContain('redirect URI');
    expect(check(state, 'registration.dcr')).toMatchObject({
      status: 'fail',
      expected: '201 with client_id',
    });
  });

  it('keeps a client secret the AS assigns in the secrets only', async () => {
    const { state } = await run(atRegistration({}, { registration_endpoint: `${ISSUER}/register` }), {
      [`POST ${ISSUER}/register`]: json(
        {
          client_id: 'c1',
          client_secret: 'super-secret-value-123456',
          client_secret_expires_at: 0,
          token_endpoint_auth_method: 'client_secret_basic',
        },
        201,
      ),
    });
    expect(state.step).toBe('authorize');
    if (state.step !== 'authorize') return;
    expect(state.secrets.clientSecret).toBe('super-secret-value-123456');
    expect(JSON.stringify(state.client)).not.toContain('super-secret-value-123456');
    expect(JSON.stringify(state.records)).not.toContain('super-secret-value-123456');
    expect(check(state, 'registration.dcr').status).toBe('warn');
  });

  it('prefers pre-registered credentials over DCR, and moves the secret out of the options', async () => {
    const state = atRegistration(
      { preRegistered: { clientId: 'pre-1' }, clientSecret: 'pre-registered-secret-xyz' },
      { registration_endpoint: `${ISSUER}/register` },
    );
    expect(state.options.clientSecret).toBeUndefined();
    const { state: next, seen } = await run(state);
    expect(seen).toHaveLength(0);
    expect(next.step === 'authorize' && next.client).toMatchObject({
      route: 'pre-registered',
      clientId: 'pre-1',
      tokenEndpointAuthMethod: 'client_secret_basic',
      hasClientSecret: true,
    });
  });

  it('uses a Client ID Metadata Document when the AS supports it, after linting it', async () => {
    const url = 'https://inspector.example/oauth/client-metadata.json';
    const { state } = await run(
      atRegistration(
        { clientMetadataUrl: url },
        { client_id_metadata_document_supported: true, registration_endpoint: `${ISSUER}/register` },
      ),
      {
        [url]: json({
          client_id: url,
          client_name: 'Inspector',
          redirect_uris: ['https://inspector.example/api/oauth/callback'],
          token_endpoint_auth_method: 'none',
        }),
      },
    );
    expect(state.step === 'authorize' && state.client).toMatchObject({ route: 'cimd', clientId: url });
    expect(check(state, 'registration.cimd').status).toBe('pass');
  });

  it('falls back from a broken CIMD document to DCR in auto mode', async () => {
    const url = 'https://inspector.example/oauth/client-metadata.json';
    const { state } = await run(
      atRegistration(
        { clientMetadataUrl: url },
        { client_id_metadata_document_supported: true, registration_endpoint: `${ISSUER}/register` },
      ),
      {
        [url]: json({ client_id: 'https://elsewhere.example/x', client_name: 'I', redirect_uris: [] }),
        [`POST ${ISSUER}/register`]: json({ client_id: 'dcr-1' }, 201),
      },
    );
    expect(state.step === 'authorize' && state.client.route).toBe('dcr');
    expect(check(state, 'registration.cimd').status).toBe('fail');
    expect(check(state, 'registration.route-available').message).toContain(
      'Dynamic Client Registration is tried next',
    );
  });

  it('fails with registration_unavailable and says what to do when no route exists', async () => {
    const { state } = await run(atRegistration({}));
    expect(state.step).toBe('failed');
    if (state.step !== 'failed') return;
    expect(state.error.code).toBe('registration_unavailable');
    expect(state.error.hint).toContain('Ask the authorization server’s operator for a client id');
    expect(state.error.hint).toContain('https://inspector.example/api/oauth/callback');
  });

  it('fails a forced route that the AS does not offer', async () => {
    const { state } = await run(atRegistration({ registration: 'dcr', preRegistered: { clientId: 'x' } }));
    expect(state.step === 'failed' && state.error.code).toBe('registration_unavailable');
    expect(check(state, 'registration.route-available')).toMatchObject({
      status: 'fail',
      expected: 'dcr',
      actual: 'pre-registered',
    });
  });

  it('fails a redirect URI that is neither https nor localhost', async () => {
    const { state } = await run(
      atRegistration({ redirectUri: 'http://inspector.example/cb', preRegistered: { clientId: 'x' } }),
    );
    expect(check(state, 'registration.redirect-uri').status).toBe('fail');
  });
});
