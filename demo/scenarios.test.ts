/** Each scenario's distinctive property, and a full connection where the scenario is meant to connect. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCert } from '../scripts/hosting-process';
import { type DemoHandle, type DemoScenario, startDemo } from './index';
import {
  type AsMetadata,
  authorize,
  CookieJar,
  connectMcp,
  getJson,
  jsonRpcBody,
  obtainTokens,
  postJson,
  REDIRECT_URI,
  rawInitialize,
  rawModern,
  registerPublicClient,
} from './test-support';

let demo: DemoHandle;

beforeAll(async () => {
  demo = await startDemo();
});
afterAll(async () => {
  await demo?.close();
});

function scenario(id: string): DemoScenario {
  const found = demo.scenarios.find((s) => s.id === id);
  if (!found) throw new Error(`no scenario ${id}`);
  return found;
}
const originOf = (url: string) => new URL(url).origin;

async function challengeOf(mcpUrl: string): Promise<string> {
  const res = await rawInitialize(mcpUrl);
  expect(res.status).toBe(401);
  await res.body?.cancel();
  return res.headers.get('www-authenticate') ?? '';
}

function resourceMetadataUrl(challenge: string): string | undefined {
  return /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
}

/** Connects with the SDK client and checks that the token reached the tools as the demo user. */
async function expectConnects(mcpUrl: string, accessToken: string): Promise<void> {
  const client = await connectMcp(mcpUrl, accessToken);
  try {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(['echo', 'add_numbers', 'search_notes', 'get_logo', 'whoami', 'delete_note']),
    );
    const who = await client.callTool({ name: 'whoami', arguments: {} });
    expect(who.structuredContent).toMatchObject({ sub: 'demo' });
  } finally {
    await client.close();
  }
}

async function status(url: string): Promise<number> {
  const res = await fetch(url);
  await res.body?.cancel();
  return res.status;
}

describe('scenario list', () => {
  it('has every scenario once, each on its own origin', () => {
    const ids = demo.scenarios.map((s) => s.id);
    expect(ids).toEqual([
      'default',
      'prm-root-only',
      'prm-header-only',
      'issuer-path-oidc-only',
      'no-dcr-preregistered',
      'no-dcr-confidential',
      'client-credentials',
      'dpop',
      'client-credentials-replay',
      'workload-identity',
      'workload-wrong-audience',
      'enterprise-managed',
      'enterprise-wrong-audience',
      'cimd',
      'dual-era',
      'legacy-2025-11-25',
      'input-required',
      'x-mcp-header',
      'legacy-2025-03-26',
      'issuer-mismatch',
      'no-s256',
      'resource-mismatch',
      'no-401',
      'not-mcp',
      'multiple-as',
    ]);
    expect(new Set(demo.scenarios.map((s) => originOf(s.mcpUrl))).size).toBe(ids.length);
    expect(scenario('default').mcpUrl).toBe(demo.mcpUrl);
    for (const s of demo.scenarios) {
      expect(s.mcpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      expect(s.title).toBeTruthy();
      expect(s.description).toMatch(/\.$/);
    }
    expect(scenario('issuer-mismatch').expect).toEqual({
      outcome: 'failed',
      step: 'as-metadata',
      checkId: 'as.issuer-match',
    });
    expect(demo.scenarios.filter((s) => s.specVersion).map((s) => [s.id, s.specVersion])).toEqual([
      ['legacy-2025-03-26', '2025-03-26'],
    ]);
    for (const id of [
      'dual-era',
      'legacy-2025-11-25',
      'input-required',
      'x-mcp-header',
      'client-credentials',
    ]) {
      expect(scenario(id).expect, id).toEqual({ outcome: 'connected' });
    }
    expect(demo.scenarios.filter((s) => s.grant).map((s) => [s.id, s.grant])).toEqual([
      ['client-credentials', 'client_credentials'],
      ['dpop', 'client_credentials'],
      ['client-credentials-replay', 'client_credentials'],
      ['workload-identity', 'jwt_bearer'],
      ['workload-wrong-audience', 'jwt_bearer'],
      ['enterprise-managed', 'id_jag'],
      ['enterprise-wrong-audience', 'id_jag'],
    ]);
    const wires = Object.fromEntries(demo.scenarios.map((s) => [s.id, s.wire]));
    expect(wires).toEqual({
      default: 'modern',
      'prm-root-only': 'modern',
      'prm-header-only': 'modern',
      'issuer-path-oidc-only': 'modern',
      'no-dcr-preregistered': 'modern',
      'no-dcr-confidential': 'modern',
      'client-credentials-replay': 'modern',
      'workload-identity': 'modern',
      'workload-wrong-audience': 'modern',
      'enterprise-managed': 'modern',
      'enterprise-wrong-audience': 'modern',
      'client-credentials': 'modern',
      dpop: 'modern',
      cimd: 'modern',
      'dual-era': 'dual',
      'legacy-2025-11-25': 'legacy',
      'input-required': 'modern',
      'x-mcp-header': 'modern',
      'legacy-2025-03-26': 'legacy',
      'issuer-mismatch': 'modern',
      'no-s256': 'modern',
      'resource-mismatch': 'modern',
      'no-401': 'modern',
      'not-mcp': undefined,
      'multiple-as': 'modern',
    });
  });
});

/** The ids in the scenario table of a README section (rows that start with `| \`id\` |`). */
function tableIds(path: URL, heading: string): string[] {
  const readme = readFileSync(path, 'utf8');
  const from = readme.indexOf(heading);
  expect(from, heading).toBeGreaterThan(0);
  const next = readme.indexOf('\n## ', from + 1);
  const section = readme.slice(from, next < 0 ? undefined : next);
  return [...section.matchAll(/^\| `([a-z0-9-]+)` +\|/gm)].map((m) => m[1] as string);
}

describe('the READMEs', () => {
  it('demo/README.md lists every scenario in its "Scenarios" table, in order', () => {
    expect(tableIds(new URL('./README.md', import.meta.url), '## Scenarios')).toEqual(
      demo.scenarios.map((s) => s.id),
    );
  });

  it('the project README lists every scenario in its "Demo scenarios" table, in order', () => {
    expect(tableIds(new URL('../README.md', import.meta.url), '## Demo scenarios')).toEqual(
      demo.scenarios.map((s) => s.id),
    );
  });
});

describe('multiple-as', () => {
  it('lists a retired authorization server first and a working one second', async () => {
    const { mcpUrl } = scenario('multiple-as');
    const prm = await getJson<{ resource: string; authorization_servers: string[] }>(
      resourceMetadataUrl(await challengeOf(mcpUrl)) as string,
    );
    expect(prm.body.resource).toBe(mcpUrl);
    const [retired, working] = prm.body.authorization_servers as [string, string];
    expect(prm.body.authorization_servers).toHaveLength(2);
    expect(retired).toBe(`${originOf(mcpUrl)}/retired-as`);
    const { origin, pathname } = new URL(retired);
    for (const url of [
      `${origin}/.well-known/oauth-authorization-server${pathname}`,
      `${origin}/.well-known/openid-configuration${pathname}`,
      `${retired}/.well-known/openid-configuration`,
    ]) {
      expect(await status(url), url).toBe(404);
    }
    expect(working).toBe(demo.issuer);
  });

  it('connects through the second authorization server', async () => {
    const { mcpUrl } = scenario('multiple-as');
    const metadata = (await getJson<AsMetadata>(`${demo.issuer}/.well-known/oauth-authorization-server`))
      .body;
    const clientId = await registerPublicClient(metadata.registration_endpoint as string);
    const tokens = await obtainTokens({ metadata, clientId, resource: mcpUrl });
    expect(decodeJwt(tokens.access_token).aud).toContain(mcpUrl);
    await expectConnects(mcpUrl, tokens.access_token);
  });
});

describe('prm-root-only', () => {
  it('names no resource_metadata and serves PRM only at the root, for the origin', async () => {
    const { mcpUrl } = scenario('prm-root-only');
    const challenge = await challengeOf(mcpUrl);
    expect(challenge).toBe('Bearer scope="mcp:read"');
    expect(await status(`${originOf(mcpUrl)}/.well-known/oauth-protected-resource/mcp`)).toBe(404);
    const prm = await getJson(`${originOf(mcpUrl)}/.well-known/oauth-protected-resource`);
    expect(prm.status).toBe(200);
    expect(prm.body).toMatchObject({ resource: originOf(mcpUrl), authorization_servers: [demo.issuer] });
  });

  it('connects with a token for the origin or for the MCP URL', async () => {
    const { mcpUrl } = scenario('prm-root-only');
    const metadata = (await getJson<AsMetadata>(`${demo.issuer}/.well-known/oauth-authorization-server`))
      .body;
    const clientId = await registerPublicClient(metadata.registration_endpoint as string);
    const jar = new CookieJar();
    for (const resource of [originOf(mcpUrl), mcpUrl]) {
      const tokens = await obtainTokens({ metadata, clientId, resource, jar });
      expect(decodeJwt(tokens.access_token).aud).toBe(resource);
      await expectConnects(mcpUrl, tokens.access_token);
    }
  });
});

describe('prm-header-only', () => {
  it('serves PRM only at the custom URL named in the challenge', async () => {
    const { mcpUrl } = scenario('prm-header-only');
    const url = resourceMetadataUrl(await challengeOf(mcpUrl));
    expect(url).toBe(`${originOf(mcpUrl)}/meta/resource.json`);
    expect((await getJson(url as string)).body).toMatchObject({
      resource: mcpUrl,
      authorization_servers: [demo.issuer],
    });
    expect(await status(`${originOf(mcpUrl)}/.well-known/oauth-protected-resource/mcp`)).toBe(404);
    expect(await status(`${originOf(mcpUrl)}/.well-known/oauth-protected-resource`)).toBe(404);
  });

  it('connects', async () => {
    const { mcpUrl } = scenario('prm-header-only');
    const metadata = (await getJson<AsMetadata>(`${demo.issuer}/.well-known/oauth-authorization-server`))
      .body;
    const clientId = await registerPublicClient(metadata.registration_endpoint as string);
    await expectConnects(mcpUrl, (await obtainTokens({ metadata, clientId, resource: mcpUrl })).access_token);
  });
});

describe('issuer-path-oidc-only', () => {
  it('has an issuer with a path and serves only OpenID discovery inside it', async () => {
    const { mcpUrl } = scenario('issuer-path-oidc-only');
    const prm = await getJson<{ authorization_servers: string[] }>(
      resourceMetadataUrl(await challengeOf(mcpUrl)) as string,
    );
    const [issuer] = prm.body.authorization_servers as [string];
    const { origin, pathname } = new URL(issuer);
    expect(pathname).toBe('/tenant1');
    expect(await status(`${origin}/.well-known/oauth-authorization-server/tenant1`)).toBe(404);
    expect(await status(`${origin}/.well-known/openid-configuration/tenant1`)).toBe(404);
    expect(await status(`${origin}/.well-known/oauth-authorization-server`)).toBe(404);
    const oidc = await getJson<AsMetadata>(`${issuer}/.well-known/openid-configuration`);
    expect(oidc.status).toBe(200);
    expect(oidc.body.issuer).toBe(issuer);
    expect(oidc.body.authorization_endpoint).toBe(`${issuer}/auth`);
    expect(oidc.body.code_challenge_methods_supported).toEqual(['S256']);
  });

  it('connects, with iss on the callback equal to the issuer with its path', async () => {
    const { mcpUrl } = scenario('issuer-path-oidc-only');
    const prm = await getJson<{ authorization_servers: string[] }>(
      `${originOf(mcpUrl)}/.well-known/oauth-protected-resource/mcp`,
    );
    const issuer = prm.body.authorization_servers[0] as string;
    const metadata = (await getJson<AsMetadata>(`${issuer}/.well-known/openid-configuration`)).body;
    const clientId = await registerPublicClient(metadata.registration_endpoint as string);
    const auth = await authorize({
      authorizationEndpoint: metadata.authorization_endpoint,
      clientId,
      resource: mcpUrl,
    });
    expect(auth.callback.searchParams.get('iss')).toBe(issuer);
    expect(auth.jar.names().every((name) => name.startsWith('demo_as_tenant1_'))).toBe(true);
    const tokens = await obtainTokens({ metadata, clientId, resource: mcpUrl, jar: auth.jar });
    expect(decodeJwt(tokens.access_token).iss).toBe(issuer);
    await expectConnects(mcpUrl, tokens.access_token);
  });
});

async function asMetadataFor(mcpUrl: string): Promise<AsMetadata> {
  const prm = await getJson<{ authorization_servers: string[] }>(
    `${originOf(mcpUrl)}/.well-known/oauth-protected-resource/mcp`,
  );
  const issuer = prm.body.authorization_servers[0] as string;
  return (await getJson<AsMetadata>(`${issuer}/.well-known/oauth-authorization-server`)).body;
}

describe('no-dcr-preregistered / no-dcr-confidential', () => {
  it('has no registration endpoint', async () => {
    const metadata = await asMetadataFor(scenario('no-dcr-preregistered').mcpUrl);
    expect(metadata.registration_endpoint).toBeUndefined();
    const res = await fetch(`${metadata.issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [REDIRECT_URI] }),
    });
    expect(res.status).toBe(404);
  });

  it('connects with the pre-registered public client and any loopback redirect URI', async () => {
    const { mcpUrl, preRegistered } = scenario('no-dcr-preregistered');
    expect(preRegistered).toEqual({ clientId: 'demo-public-client', tokenEndpointAuthMethod: 'none' });
    const metadata = await asMetadataFor(mcpUrl);
    const tokens = await obtainTokens({
      metadata,
      clientId: preRegistered?.clientId as string,
      resource: mcpUrl,
    });
    await expectConnects(mcpUrl, tokens.access_token);
  });

  it('refuses a non-loopback redirect URI without redirecting', async () => {
    const { mcpUrl, preRegistered } = scenario('no-dcr-preregistered');
    const metadata = await asMetadataFor(mcpUrl);
    await expect(
      authorize({
        authorizationEndpoint: metadata.authorization_endpoint,
        clientId: preRegistered?.clientId as string,
        redirectUri: 'https://evil.example/callback',
        resource: mcpUrl,
      }),
    ).rejects.toThrow(/HTTP 400 .*invalid_redirect_uri/);
  });

  it('connects with the confidential client and its secret', async () => {
    const { mcpUrl, preRegistered } = scenario('no-dcr-confidential');
    expect(preRegistered?.clientSecret).toBeTruthy();
    expect(preRegistered?.tokenEndpointAuthMethod).toBe('client_secret_basic');
    const metadata = await asMetadataFor(mcpUrl);
    const tokens = await obtainTokens({
      metadata,
      clientId: preRegistered?.clientId as string,
      clientSecret: preRegistered?.clientSecret,
      resource: mcpUrl,
    });
    expect(tokens.refresh_token).toBeTruthy();
    await expectConnects(mcpUrl, tokens.access_token);
    await expect(
      obtainTokens({
        metadata,
        clientId: preRegistered?.clientId as string,
        clientSecret: 'wrong',
        resource: mcpUrl,
      }),
    ).rejects.toThrow(/invalid_client/);
  });
});

describe('cimd', () => {
  let documentServer: Server;
  let documents: Record<string, unknown>;
  let cacheControl: Record<string, string>;
  let base: string;

  beforeAll(async () => {
    documents = {};
    cacheControl = {};
    documentServer = createServer((req, res) => {
      const doc = documents[req.url ?? ''];
      const cache = cacheControl[req.url ?? ''];
      res.writeHead(doc ? 200 : 404, {
        'content-type': 'application/json',
        ...(cache ? { 'cache-control': cache } : {}),
      });
      res.end(JSON.stringify(doc ?? { error: 'not_found' }));
    });
    await new Promise<void>((resolve) => documentServer.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(documentServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    documentServer.closeAllConnections();
    await new Promise((resolve) => documentServer.close(resolve));
  });

  function publish(path: string, overrides: Record<string, unknown> = {}): string {
    const clientId = `${base}${path}`;
    documents[path] = {
      client_id: clientId,
      client_name: 'CIMD test client',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...overrides,
    };
    return clientId;
  }

  it('advertises CIMD support and has no DCR', async () => {
    const metadata = await asMetadataFor(scenario('cimd').mcpUrl);
    expect(metadata.client_id_metadata_document_supported).toBe(true);
    expect(metadata.registration_endpoint).toBeUndefined();
  });

  it('connects with a client id URL whose document lists the redirect URI', async () => {
    const { mcpUrl } = scenario('cimd');
    const metadata = await asMetadataFor(mcpUrl);
    const clientId = publish('/oauth/client.json');
    const auth = await authorize({
      authorizationEndpoint: metadata.authorization_endpoint,
      clientId,
      resource: mcpUrl,
    });
    expect(auth.pages[1]).toContain('CIMD test client');
    const tokens = await obtainTokens({ metadata, clientId, resource: mcpUrl, jar: auth.jar });
    expect(decodeJwt(tokens.access_token).client_id).toBe(clientId);
    await expectConnects(mcpUrl, tokens.access_token);
  });

  it('refuses a document whose client_id differs, and a redirect URI it does not list', async () => {
    const { mcpUrl } = scenario('cimd');
    const metadata = await asMetadataFor(mcpUrl);
    const mismatched = publish('/oauth/mismatch.json', {
      client_id: 'https://elsewhere.example/client.json',
    });
    await expect(
      authorize({
        authorizationEndpoint: metadata.authorization_endpoint,
        clientId: mismatched,
        resource: mcpUrl,
      }),
    ).rejects.toThrow(/HTTP 400 .*invalid_client_metadata/);
    const good = publish('/oauth/strict.json');
    await expect(
      authorize({
        authorizationEndpoint: metadata.authorization_endpoint,
        clientId: good,
        redirectUri: 'http://127.0.0.1:9/other',
        resource: mcpUrl,
      }),
    ).rejects.toThrow(/HTTP 400 .*invalid_redirect_uri/);
  });
  it('fetches a document once while its Cache-Control max-age lasts, and at every lookup when no-store', async () => {
    const { mcpUrl } = scenario('cimd');
    const metadata = await asMetadataFor(mcpUrl);
    const kept = publish('/oauth/kept.json');
    cacheControl['/oauth/kept.json'] = 'public, max-age=300';
    const fresh = publish('/oauth/fresh.json');
    cacheControl['/oauth/fresh.json'] = 'no-store';
    await postJson(`${demo.adminUrl}/reset`);
    for (const clientId of [kept, kept, fresh]) {
      await authorize({ authorizationEndpoint: metadata.authorization_endpoint, clientId, resource: mcpUrl });
    }
    const { fetches } = (
      await getJson<{ fetches: Array<{ clientId: string; error: string | null }> }>(
        `${demo.adminUrl}/cimd-fetches`,
      )
    ).body;
    expect(fetches.filter((f) => f.clientId === kept)).toHaveLength(1);
    // One authorization looks its client up more than once: each lookup fetches a no-store document.
    expect(fetches.filter((f) => f.clientId === fresh).length).toBeGreaterThan(1);
    expect(fetches.every((f) => f.error === null)).toBe(true);
  });
});

describe('cimd over https with a private certificate', () => {
  let documentServer: HttpsServer;
  let cert: string;
  let base: string;
  const fetches = async () =>
    (
      await getJson<{ fetches: Array<{ clientId: string; error: string | null }> }>(
        `${demo.adminUrl}/cimd-fetches`,
      )
    ).body.fetches;

  beforeAll(async () => {
    // A certificate for this test only, as an inspector behind a private CA would have.
    const dir = mkdtempSync(join(tmpdir(), 'demo-cimd-'));
    try {
      const files = await selfSignedCert(dir);
      cert = readFileSync(files.cert, 'utf8');
      const key = readFileSync(files.key, 'utf8');
      documentServer = createHttpsServer({ cert, key }, (req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            client_id: `${base}${req.url}`,
            client_name: 'CIMD https client',
            redirect_uris: [REDIRECT_URI],
            token_endpoint_auth_method: 'none',
          }),
        );
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await new Promise<void>((resolve) => documentServer.listen(0, '127.0.0.1', resolve));
    base = `https://127.0.0.1:${(documentServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await demo.trustCa(undefined);
    documentServer.closeAllConnections();
    await new Promise((resolve) => documentServer.close(resolve));
  });

  it('is refused until the demo trusts its CA, then connects; trusting nothing again refuses it again', async () => {
    const { mcpUrl } = scenario('cimd');
    const metadata = await asMetadataFor(mcpUrl);
    const attempt = (clientId: string) =>
      authorize({ authorizationEndpoint: metadata.authorization_endpoint, clientId, resource: mcpUrl });
    await postJson(`${demo.adminUrl}/reset`);

    // Each attempt uses a new document URL: an accepted document is cached for a few seconds.
    const untrusted = `${base}/oauth/untrusted.json`;
    await expect(attempt(untrusted)).rejects.toThrow(/invalid_client/);

    await demo.trustCa(cert);
    const trusted = `${base}/oauth/trusted.json`;
    const auth = await attempt(trusted);
    expect(auth.pages[1]).toContain('CIMD https client');
    const tokens = await obtainTokens({ metadata, clientId: trusted, resource: mcpUrl, jar: auth.jar });
    expect(decodeJwt(tokens.access_token).client_id).toBe(trusted);

    await demo.trustCa(undefined);
    const again = `${base}/oauth/again.json`;
    await expect(attempt(again)).rejects.toThrow(/invalid_client/);

    // The admin API tells each fetch and its outcome, the certificate error included.
    const byUrl = new Map((await fetches()).map((f) => [f.clientId, f.error]));
    expect(byUrl.get(untrusted)).toMatch(/could not be fetched: fetch failed: .*self-signed certificate/);
    expect(byUrl.get(trusted)).toBeNull();
    expect(byUrl.get(again)).toMatch(/self-signed certificate/);
    expect(byUrl.size).toBe(3);
  });
});

describe('legacy-2025-03-26', () => {
  it('has no PRM; its own origin is the authorization server with fallback paths', async () => {
    const { mcpUrl } = scenario('legacy-2025-03-26');
    const origin = originOf(mcpUrl);
    const challenge = await challengeOf(mcpUrl);
    expect(challenge).not.toContain('resource_metadata');
    expect(await status(`${origin}/.well-known/oauth-protected-resource/mcp`)).toBe(404);
    expect(await status(`${origin}/.well-known/oauth-protected-resource`)).toBe(404);
    const { body } = await getJson<AsMetadata>(`${origin}/.well-known/oauth-authorization-server`);
    expect(body).toMatchObject({
      issuer: origin,
      authorization_endpoint: `${origin}/authorize`,
      token_endpoint: `${origin}/token`,
      registration_endpoint: `${origin}/register`,
      code_challenge_methods_supported: ['S256'],
    });
  });

  it('connects without a resource parameter (the token is still for the MCP URL)', async () => {
    const { mcpUrl } = scenario('legacy-2025-03-26');
    const origin = originOf(mcpUrl);
    const metadata = (await getJson<AsMetadata>(`${origin}/.well-known/oauth-authorization-server`)).body;
    const clientId = await registerPublicClient(`${origin}/register`);
    const tokens = await obtainTokens({ metadata, clientId });
    expect(decodeJwt(tokens.access_token).aud).toBe(mcpUrl);
    await expectConnects(mcpUrl, tokens.access_token);
  });
});

describe('failing scenarios', () => {
  it('issuer-mismatch: the metadata claims an issuer other than the URL it came from', async () => {
    const { mcpUrl } = scenario('issuer-mismatch');
    const prm = await getJson<{ authorization_servers: string[] }>(
      resourceMetadataUrl(await challengeOf(mcpUrl)) as string,
    );
    const asUrl = prm.body.authorization_servers[0] as string;
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const { status: code, body } = await getJson<AsMetadata>(`${asUrl}${path}`);
      expect(code).toBe(200);
      expect(body.issuer).not.toBe(asUrl);
      expect(body.issuer).toMatch(/^http:\/\/localhost:\d+$/);
    }
  });

  it('no-s256: neither metadata document lists code_challenge_methods_supported', async () => {
    const { mcpUrl } = scenario('no-s256');
    const metadata = await asMetadataFor(mcpUrl);
    expect(metadata.code_challenge_methods_supported).toBeUndefined();
    expect(metadata.issuer).toBeTruthy();
    const oidc = await getJson<AsMetadata>(`${metadata.issuer}/.well-known/openid-configuration`);
    expect(oidc.body.code_challenge_methods_supported).toBeUndefined();
  });

  it('resource-mismatch: the PRM describes another resource', async () => {
    const { mcpUrl } = scenario('resource-mismatch');
    const prm = await getJson<{ resource: string }>(resourceMetadataUrl(await challengeOf(mcpUrl)) as string);
    expect(prm.body.resource).toBe('https://mcp.example.com/mcp');
    expect(prm.body.resource).not.toBe(mcpUrl);
  });

  it('no-401: 2026-07-28 requests succeed without a token', async () => {
    const { mcpUrl } = scenario('no-401');
    const discover = await rawModern(mcpUrl, 'server/discover');
    expect(discover.status).toBe(200);
    expect((await jsonRpcBody(discover)).result?.supportedVersions).toEqual(['2026-07-28']);
    const who = await rawModern(mcpUrl, 'tools/call', { name: 'whoami', arguments: {} });
    expect(who.status).toBe(200);
    expect((await jsonRpcBody(who)).result?.structuredContent).toMatchObject({ sub: 'anonymous' });
    // A 2026-07-28-only server: initialize is refused, even without a token.
    const init = await rawInitialize(mcpUrl);
    expect(init.status).toBe(400);
    expect((await jsonRpcBody(init)).error?.code).toBe(-32022);
  });

  it('not-mcp: an HTML page answers 200 to everything', async () => {
    const { mcpUrl } = scenario('not-mcp');
    const res = await rawInitialize(mcpUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('not an MCP server');
    expect(await status(`${originOf(mcpUrl)}/.well-known/oauth-protected-resource/mcp`)).toBe(200);
  });
});
