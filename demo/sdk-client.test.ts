/**
 * Interoperability: the MCP SDK's own OAuth client (auth(), driven by StreamableHTTPClientTransport on a 401)
 * connects to every scenario that is meant to connect. The browser part (login, consent) is walked with fetch.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type OAuthClientProvider, UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoHandle, startDemo } from './index';
import { followAuthorization, REDIRECT_URI } from './test-support';

class MemoryOAuthProvider implements OAuthClientProvider {
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

/** The whole dance: connect → 401 → authorize in "the browser" → finishAuth → connect again. */
async function connectWithSdk(mcpUrl: string, provider: MemoryOAuthProvider): Promise<OAuthTokens> {
  const first = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider });
  await expect(new Client({ name: 'interop', version: '1' }).connect(first)).rejects.toBeInstanceOf(
    UnauthorizedError,
  );
  expect(provider.authorizationUrl).toBeDefined();
  const { callback } = await followAuthorization(provider.authorizationUrl as URL, {
    redirectUri: REDIRECT_URI,
  });
  await first.finishAuth(callback.searchParams.get('code') as string);

  const client = new Client({ name: 'interop', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }));
  try {
    const who = await client.callTool({ name: 'whoami', arguments: {} });
    expect(who.structuredContent).toMatchObject({ sub: 'demo' });
  } finally {
    await client.close();
  }
  return provider.tokens() as OAuthTokens;
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

describe('the MCP SDK client connects', () => {
  it.each(['default', 'prm-root-only', 'prm-header-only', 'issuer-path-oidc-only', 'legacy-2025-03-26'])(
    '%s (DCR)',
    async (id) => {
      const tokens = await connectWithSdk(mcpUrlOf(id), new MemoryOAuthProvider());
      expect(tokens.refresh_token).toBeTruthy();
    },
  );

  it('no-dcr-preregistered (pre-registered client)', async () => {
    const scenario = demo.scenarios.find((s) => s.id === 'no-dcr-preregistered');
    const provider = new MemoryOAuthProvider({
      client_id: scenario?.preRegistered?.clientId as string,
    });
    await connectWithSdk(scenario?.mcpUrl as string, provider);
  });

  it('cimd (client id metadata document)', async () => {
    // The SDK only offers CIMD for https client ids, so hand it the loopback URL as a known client id; the
    // authorization server still resolves it through the metadata document.
    const clientId = `${documentBase}/sdk-client.json`;
    const tokens = await connectWithSdk(mcpUrlOf('cimd'), new MemoryOAuthProvider({ client_id: clientId }));
    expect(decodeJwt(tokens.access_token).client_id).toBe(clientId);
  });
});
