import { describe, expect, it } from 'vitest';
import { buildAsMetadataCandidates, buildLegacyDiscovery, parseAsMetadataDocument } from './as-metadata';

describe('buildAsMetadataCandidates()', () => {
  it('issuer with a path, 2025-11-25 order (checklist "Ordered discovery URLs")', () => {
    expect(buildAsMetadataCandidates('https://auth.example.com/tenant1', '2025-11-25')).toEqual([
      { url: 'https://auth.example.com/.well-known/oauth-authorization-server/tenant1', kind: 'oauth' },
      { url: 'https://auth.example.com/.well-known/openid-configuration/tenant1', kind: 'oidc' },
      { url: 'https://auth.example.com/tenant1/.well-known/openid-configuration', kind: 'oidc' },
    ]);
  });

  it('issuer without a path, 2025-11-25 and 2026-07-28', () => {
    const expected = [
      { url: 'https://auth.example.com/.well-known/oauth-authorization-server', kind: 'oauth' },
      { url: 'https://auth.example.com/.well-known/openid-configuration', kind: 'oidc' },
    ];
    expect(buildAsMetadataCandidates('https://auth.example.com', '2025-11-25')).toEqual(expected);
    expect(buildAsMetadataCandidates('https://auth.example.com/', '2026-07-28')).toEqual(expected);
  });

  it('2025-06-18 requires only RFC 8414', () => {
    expect(buildAsMetadataCandidates('https://auth.example.com/tenant1', '2025-06-18')).toEqual([
      { url: 'https://auth.example.com/.well-known/oauth-authorization-server/tenant1', kind: 'oauth' },
    ]);
  });

  it('drops a terminating slash from the issuer path', () => {
    expect(buildAsMetadataCandidates('https://auth.example.com/t/', '2025-06-18')[0]?.url).toBe(
      'https://auth.example.com/.well-known/oauth-authorization-server/t',
    );
  });
});

describe('buildLegacyDiscovery()', () => {
  it('uses the origin and the default endpoints (2025-03-26)', () => {
    expect(buildLegacyDiscovery('https://mcp.example.com/mcp')).toEqual({
      authorizationBaseUrl: 'https://mcp.example.com',
      metadataUrl: 'https://mcp.example.com/.well-known/oauth-authorization-server',
      fallback: {
        issuer: 'https://mcp.example.com',
        authorization_endpoint: 'https://mcp.example.com/authorize',
        token_endpoint: 'https://mcp.example.com/token',
        registration_endpoint: 'https://mcp.example.com/register',
      },
    });
  });
});

describe('parseAsMetadataDocument()', () => {
  it('accepts an exactly matching issuer', () => {
    const r = parseAsMetadataDocument(200, '{"issuer":"https://a.example/t"}', 'https://a.example/t');
    expect(r.ok).toBe(true);
  });

  it('rejects a trailing-slash difference and says so', () => {
    const r = parseAsMetadataDocument(200, '{"issuer":"https://a.example/"}', 'https://a.example');
    expect(r).toMatchObject({ ok: false, claimedIssuer: 'https://a.example/' });
    if (!r.ok) expect(r.problem).toContain('differ only by a trailing slash');
  });

  it('rejects another issuer', () => {
    const r = parseAsMetadataDocument(200, '{"issuer":"https://evil.example"}', 'https://a.example');
    expect(r).toMatchObject({ ok: false, claimedIssuer: 'https://evil.example' });
  });
});
