import type * as oauth from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import { clientAuthentication } from '../../oauth/token';
import { runNextStep } from '../engine';
import { createFlow, type FlowState } from '../state';
import { check } from '../testing/drive';
import { json, refused, routes } from '../testing/routes';

/**
 * Interoperability found by the MCP conformance suite (npm run conformance): answers a client must
 * accept, and values it must send exactly as published.
 */
const ISSUER = 'https://auth.example.com';
const CIMD_URL = 'https://conformance-test.local/client-metadata.json';

function atRegistration(
  opts: { clientMetadataUrl?: string; metadata?: Record<string, unknown>; prmResource?: string } = {},
): FlowState {
  return {
    ...createFlow({
      serverUrl: 'https://mcp.example.com/mcp',
      specVersion: '2025-11-25',
      redirectUri: 'http://127.0.0.1:5555/callback',
      registration: 'auto',
      clientName: 'Inspector',
      ...(opts.clientMetadataUrl ? { clientMetadataUrl: opts.clientMetadataUrl } : {}),
    }),
    step: 'registration',
    probe: { status: 401 },
    resource: {
      mode: 'prm',
      metadataUrl: 'https://mcp.example.com/.well-known/oauth-protected-resource',
      source: 'root',
      document: { resource: opts.prmResource ?? 'https://mcp.example.com/mcp' },
      authorizationServers: [ISSUER],
      issuer: ISSUER,
    },
    authorizationServer: {
      issuer: ISSUER,
      source: 'oauth',
      metadata: {
        issuer: ISSUER,
        authorization_endpoint: `${ISSUER}/authorize`,
        token_endpoint: `${ISSUER}/token`,
        registration_endpoint: `${ISSUER}/register`,
        ...opts.metadata,
      },
    },
  } as FlowState;
}

const ctxFor = (table: Parameters<typeof routes>[0]) => ({
  fetch: routes(table).fetch,
  policy: { mode: 'local' as const },
});

describe('registration step w/ lenient answers', () => {
  it('accepts a client_secret without client_secret_expires_at, with a warning', async () => {
    const next = await runNextStep(
      atRegistration(),
      ctxFor({
        [`POST ${ISSUER}/register`]: json({ client_id: 'c1', client_secret: 'the-secret-value-123' }, 201),
      }),
    );
    expect(next.step).toBe('authorize');
    if (next.step !== 'authorize') return;
    expect(next.client.clientId).toBe('c1');
    expect(next.secrets.clientSecret).toBe('the-secret-value-123');
    expect(check(next, 'registration.dcr')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('client_secret_expires_at'),
    });
  });

  it('uses a CIMD URL it cannot fetch itself (the AS fetches it), with a warning', async () => {
    const next = await runNextStep(
      atRegistration({
        clientMetadataUrl: CIMD_URL,
        metadata: { client_id_metadata_document_supported: true },
      }),
      ctxFor({ [CIMD_URL]: () => refused() }),
    );
    expect(next.step).toBe('authorize');
    if (next.step !== 'authorize') return;
    expect(next.client).toMatchObject({ route: 'cimd', clientId: CIMD_URL });
    expect(check(next, 'registration.cimd')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('could not be fetched from here'),
    });
  });
});

describe('authorize step w/ a pathless resource in the metadata', () => {
  it('sends resource exactly as the protected resource metadata publishes it', async () => {
    const state = await runNextStep(
      atRegistration({ prmResource: 'https://mcp.example.com' }),
      ctxFor({ [`POST ${ISSUER}/register`]: json({ client_id: 'c1' }, 201) }),
    );
    const next = await runNextStep(state, ctxFor({}));
    expect(next.step).toBe('awaiting-callback');
    if (next.step !== 'awaiting-callback') return;
    expect(new URL(next.authorization.url).searchParams.get('resource')).toBe('https://mcp.example.com');
    expect(next.authorization.resource).toBe('https://mcp.example.com');
  });
});

describe('clientAuthentication() w/ client_secret_basic', () => {
  it('form-urlencodes the WHATWG way: "-", "_" and "." stay as they are', () => {
    const headers = new Headers();
    const auth = clientAuthentication('client_secret_basic', 'se cret:%');
    auth(
      { issuer: ISSUER } as oauth.AuthorizationServer,
      { client_id: 'pre-registered_client.v1~x' },
      new URLSearchParams(),
      headers,
    );
    const decoded = atob(headers.get('authorization')?.replace(/^Basic /, '') ?? '');
    expect(decoded).toBe('pre-registered_client.v1%7Ex:se+cret%3A%25');
  });
});
