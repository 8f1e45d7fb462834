/**
 * Interoperability: the MCP SDK's own OAuth clients (auth(), driven by StreamableHTTPClientTransport on a 401)
 * connect to every scenario that is meant to connect. The current client (v2, `@modelcontextprotocol/client`,
 * version negotiation `auto`) connects everywhere and lands on the era the server speaks; the previous one
 * (v1, `@modelcontextprotocol/sdk`, 2025-11-25 `initialize` only) connects to the servers that still speak
 * 2025-11-25 and is refused by the 2026-07-28-only ones. The browser part (login, consent) is walked with fetch.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Client,
  type OAuthClientInformationMixed,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthTokens,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from '@modelcontextprotocol/client';
import {
  type OAuthClientProvider as V1OAuthClientProvider,
  UnauthorizedError as V1UnauthorizedError,
} from '@modelcontextprotocol/sdk/client/auth.js';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoHandle, startDemo } from './index';
import { followAuthorization, REDIRECT_URI } from './test-support';

/** One in-memory provider that satisfies both SDK generations' OAuthClientProvider. */
class MemoryOAuthProvider implements OAuthClientProvider, V1OAuthClientProvider {
  authorizationUrl?: URL;
  private info?: OAuthClientInformationMixed;
  private tokenSet?: OAuthTokens;
  private verifier = '';

  constructor(preRegistered?: OAuthClientInformationMixed) {
    this.info = preRegistered;
  }
  get redirectUrl() {
    return REDIRECT_URI;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'SDK interop client',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.tokenSet;
  }
  saveTokens(tokens: OAuthTokens) {
    this.tokenSet = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

/** v2: connect → 401 → authorize in "the browser" → finishAuth → connect again; returns the era it got. */
async function connectWithSdk(
  mcpUrl: string,
  provider: MemoryOAuthProvider,
): Promise<{ tokens: OAuthTokens; era: string | undefined; version: string | undefined }> {
  const newClient = () =>
    new Client({ name: 'interop', version: '2' }, { versionNegotiation: { mode: 'auto' } });
  const first = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider });
  await expect(newClient().connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
  expect(provider.authorizationUrl).toBeDefined();
  const { callback } = await followAuthorization(provider.authorizationUrl as URL, {
    redirectUri: REDIRECT_URI,
  });
  await first.finishAuth(callback.searchParams);

  const client = newClient();
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }));
  try {
    const who = await client.callTool({ name: 'whoami', arguments: {} });
    expect(who.structuredContent).toMatchObject({ sub: 'demo' });
    return {
      tokens: provider.tokens() as OAuthTokens,
      era: client.getProtocolEra(),
      version: client.getNegotiatedProtocolVersion(),
    };
  } finally {
    await client.close();
  }
}

/** The same dance with the v1 client (2025-11-25 `initialize`); resolves with the negotiated version. */
async function connectWithV1Sdk(mcpUrl: string, provider: MemoryOAuthProvider): Promise<string | undefined> {
  const first = new V1StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider });
  await expect(new V1Client({ name: 'interop', version: '1' }).connect(first)).rejects.toBeInstanceOf(
    V1UnauthorizedError,
  );
  const { callback } = await followAuthorization(provider.authorizationUrl as URL, {
    redirectUri: REDIRECT_URI,
  });
  await first.finishAuth(callback.searchParams.get('code') as string);

  const client = new V1Client({ name: 'interop', version: '1' });
  const transport = new V1StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider });
  await client.connect(transport);
  try {
    const who = await client.callTool({ name: 'whoami', arguments: {} });
    expect(who.structuredContent).toMatchObject({ sub: 'demo' });
    return transport.protocolVersion;
  } finally {
    await client.close();
  }
}

let demo: DemoHandle;
let documentServer: Server;
let documentBase: string;

beforeAll(async () => {
  demo = await startDemo();
  documentServer = createServer((req, res) => {
    const clientId = `${documentBase}${req.url}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        client_id: clientId,
        client_name: 'SDK interop client (CIMD)',
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      }),
    );
  });
  await new Promise<void>((resolve) => documentServer.listen(0, '127.0.0.1', resolve));
  documentBase = `http://127.0.0.1:${(documentServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  documentServer?.closeAllConnections();
  await new Promise((resolve) => documentServer?.close(resolve));
  await demo?.close();
});

const mcpUrlOf = (id: string) => demo.scenarios.find((s) => s.id === id)?.mcpUrl as string;

describe('the MCP SDK client (v2, version negotiation auto) connects', () => {
  it.each([
    ['default', 'modern', '2026-07-28'],
    ['prm-root-only', 'modern', '2026-07-28'],
    ['prm-header-only', 'modern', '2026-07-28'],
    ['issuer-path-oidc-only', 'modern', '2026-07-28'],
    ['dual-era', 'modern', '2026-07-28'],
    ['input-required', 'modern', '2026-07-28'],
    ['x-mcp-header', 'modern', '2026-07-28'],
    ['legacy-2025-11-25', 'legacy', '2025-11-25'],
    ['legacy-2025-03-26', 'legacy', '2025-11-25'],
  ])('%s (DCR): %s era, %s', async (id, era, version) => {
    const result = await connectWithSdk(mcpUrlOf(id), new MemoryOAuthProvider());
    expect(result.era).toBe(era);
    expect(result.version).toBe(version);
    expect(result.tokens.refresh_token).toBeTruthy();
  });

  it('no-dcr-preregistered (pre-registered client)', async () => {
    const scenario = demo.scenarios.find((s) => s.id === 'no-dcr-preregistered');
    const provider = new MemoryOAuthProvider({
      client_id: scenario?.preRegistered?.clientId as string,
    });
    expect((await connectWithSdk(scenario?.mcpUrl as string, provider)).era).toBe('modern');
  });

  it('cimd (client id metadata document)', async () => {
    // The SDK only offers CIMD for https client ids, so hand it the loopback URL as a known client id; the
    // authorization server still resolves it through the metadata document.
    const clientId = `${documentBase}/sdk-client.json`;
    const { tokens } = await connectWithSdk(
      mcpUrlOf('cimd'),
      new MemoryOAuthProvider({ client_id: clientId }),
    );
    expect(decodeJwt(tokens.access_token).client_id).toBe(clientId);
  });
});

describe('the previous MCP SDK client (v1, initialize only)', () => {
  it.each(['dual-era', 'legacy-2025-11-25', 'legacy-2025-03-26'])(
    'connects to %s, which still speaks 2025-11-25',
    async (id) => {
      expect(await connectWithV1Sdk(mcpUrlOf(id), new MemoryOAuthProvider())).toBe('2025-11-25');
    },
  );

  it('is refused by a 2026-07-28-only server: initialize gets 400 naming 2026-07-28', async () => {
    const provider = new MemoryOAuthProvider();
    const first = new V1StreamableHTTPClientTransport(new URL(demo.mcpUrl), { authProvider: provider });
    await expect(new V1Client({ name: 'interop', version: '1' }).connect(first)).rejects.toBeInstanceOf(
      V1UnauthorizedError,
    );
    const { callback } = await followAuthorization(provider.authorizationUrl as URL, {
      redirectUri: REDIRECT_URI,
    });
    await first.finishAuth(callback.searchParams.get('code') as string);
    const client = new V1Client({ name: 'interop', version: '1' });
    const error = await client
      .connect(new V1StreamableHTTPClientTransport(new URL(demo.mcpUrl), { authProvider: provider }))
      .then(
        () => null,
        (e: unknown) => e as { code?: number; message: string },
      );
    expect(error?.code).toBe(400);
    expect(error?.message).toMatch(/-32022[\s\S]*"supported":\["2026-07-28"\]/);
  });
});
