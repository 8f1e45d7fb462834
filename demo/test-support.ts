/**
 * Helpers for the demo's own tests: a plain-fetch OAuth client that walks the login and consent pages with
 * manual redirects and a cookie jar, as a browser would. Deliberately independent of `lib/`.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  Client,
  type ClientCapabilities,
  type ElicitResult,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { DemoStateView } from './state';

export const REDIRECT_URI = 'http://127.0.0.1:9/callback';

interface StoredCookie {
  name: string;
  value: string;
  host: string;
  path: string;
}

/** A minimal cookie jar: host-only cookies, path matching, deletion by Max-Age/Expires. */
export class CookieJar {
  private readonly cookies = new Map<string, StoredCookie>();

  store(url: URL, setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = url.pathname.replace(/\/[^/]*$/, '') || '/';
      let expired = false;
      for (const attribute of attributes) {
        const [key = '', val = ''] = attribute.split('=');
        const lower = key.toLowerCase();
        if (lower === 'path' && val.startsWith('/')) path = val;
        if (lower === 'max-age' && Number(val) <= 0) expired = true;
        if (lower === 'expires' && Date.parse(val) <= Date.now()) expired = true;
      }
      const key = `${url.hostname} ${path} ${name}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, host: url.hostname, path });
    }
  }

  header(url: URL): string {
    return [...this.cookies.values()]
      .filter(
        (c) =>
          c.host === url.hostname &&
          (url.pathname === c.path || url.pathname.startsWith(c.path === '/' ? '/' : `${c.path}/`)),
      )
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  names(): string[] {
    return [...this.cookies.values()].map((c) => c.name);
  }
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface AuthorizeOptions {
  authorizationEndpoint: string;
  clientId: string;
  redirectUri?: string;
  scope?: string;
  resource?: string;
  username?: string;
  password?: string;
  consent?: 'approve' | 'deny';
  jar?: CookieJar;
}

export interface AuthorizeResult {
  /** The redirect back to the client (never fetched). */
  callback: URL;
  codeVerifier: string;
  state: string;
  /** HTML of every page shown on the way (login, consent). */
  pages: string[];
  jar: CookieJar;
}

/** The visible text of a demo page (or the start of any other body), for error messages. */
function pageText(html: string): string {
  const main = /<main>([\s\S]*)<\/main>/.exec(html)?.[1] ?? html;
  return main
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

function formActions(html: string): string[] {
  return [...html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) =>
    (m[1] ?? '').replaceAll('&amp;', '&'),
  );
}

/** Runs the authorization request like a browser: follows redirects, signs in, answers the consent page. */
export async function authorize(options: AuthorizeOptions): Promise<AuthorizeResult> {
  const redirectUri = options.redirectUri ?? REDIRECT_URI;
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(12).toString('base64url');
  const start = new URL(options.authorizationEndpoint);
  start.searchParams.set('response_type', 'code');
  start.searchParams.set('client_id', options.clientId);
  start.searchParams.set('redirect_uri', redirectUri);
  start.searchParams.set('state', state);
  start.searchParams.set('code_challenge', challenge);
  start.searchParams.set('code_challenge_method', 'S256');
  if (options.scope !== undefined) start.searchParams.set('scope', options.scope);
  if (options.resource !== undefined) start.searchParams.set('resource', options.resource);
  const result = await followAuthorization(start, { ...options, redirectUri });
  return { ...result, codeVerifier: verifier, state };
}

/**
 * Opens a ready-made authorization URL like a browser: follows redirects, signs in on the login page and
 * answers the consent page, until the server redirects to `redirectUri`.
 */
export async function followAuthorization(
  start: URL,
  options: Pick<AuthorizeOptions, 'username' | 'password' | 'consent' | 'jar'> & { redirectUri: string },
): Promise<{ callback: URL; pages: string[]; jar: CookieJar }> {
  const jar = options.jar ?? new CookieJar();
  const pages: string[] = [];
  let url = start;
  let init: { method: string; body?: string } = { method: 'GET' };
  for (let hop = 0; hop < 20; hop++) {
    const headers: Record<string, string> = { cookie: jar.header(url) };
    if (init.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    jar.store(url, res.headers.getSetCookie());
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      const next = new URL(res.headers.get('location') ?? '', url);
      if (next.href.startsWith(options.redirectUri)) return { callback: next, pages, jar };
      url = next;
      init = { method: 'GET' };
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`HTTP ${res.status} at ${url.pathname}: ${pageText(html)}`);
    pages.push(html);
    const actions = formActions(html);
    if (html.includes('name="password"')) {
      url = new URL(actions[0] ?? '', url);
      const form = new URLSearchParams({
        username: options.username ?? 'demo',
        password: options.password ?? options.username ?? 'demo',
      });
      init = { method: 'POST', body: form.toString() };
    } else if (html.includes('>Authorize</button>')) {
      url = new URL((options.consent === 'deny' ? actions[1] : actions[0]) ?? '', url);
      init = { method: 'POST', body: '' };
    } else {
      throw new Error(`unexpected page at ${url.pathname}: ${pageText(html)}`);
    }
  }
  throw new Error('too many redirects');
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
  scope?: string;
  id_token?: string;
}

export async function tokenRequest(
  tokenEndpoint: string,
  params: Record<string, string | undefined>,
  basic?: { clientId: string; clientSecret: string },
): Promise<{ status: number; body: TokenResponse & { error?: string; error_description?: string } }> {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) form.set(key, value);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (basic) {
    const credentials = `${encodeURIComponent(basic.clientId)}:${encodeURIComponent(basic.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  const res = await fetch(tokenEndpoint, { method: 'POST', headers, body: form });
  return { status: res.status, body: await res.json() };
}

export async function getJson<T = Record<string, unknown>>(
  url: string,
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(url);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

/** POSTs JSON (the admin API); the body type defaults to the admin state view. */
export async function postJson<T = DemoStateView>(
  url: string,
  body: unknown = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

export interface AsMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  registration_endpoint?: string;
  revocation_endpoint?: string;
  jwks_uri: string;
  code_challenge_methods_supported?: string[];
  [key: string]: unknown;
}

/** Registers a public client with DCR and returns its client_id. */
export async function registerPublicClient(
  registrationEndpoint: string,
  name = 'demo test client',
): Promise<string> {
  const res = await fetch(registrationEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: name,
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
    }),
  });
  const body = (await res.json()) as { client_id: string };
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${JSON.stringify(body)}`);
  return body.client_id;
}

/** The whole flow for a public client: authorize (login + consent), then exchange the code. */
export async function obtainTokens(options: {
  metadata: AsMetadata;
  clientId: string;
  resource?: string;
  scope?: string;
  username?: string;
  clientSecret?: string;
  jar?: CookieJar;
}): Promise<TokenResponse> {
  const auth = await authorize({
    authorizationEndpoint: options.metadata.authorization_endpoint,
    clientId: options.clientId,
    scope: options.scope,
    resource: options.resource,
    username: options.username,
    password: options.username,
    jar: options.jar,
  });
  const code = auth.callback.searchParams.get('code');
  if (!code) throw new Error(`no code: ${auth.callback.href}`);
  const { status, body } = await tokenRequest(
    options.metadata.token_endpoint,
    {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: auth.codeVerifier,
      client_id: options.clientSecret ? undefined : options.clientId,
      resource: options.resource,
    },
    options.clientSecret ? { clientId: options.clientId, clientSecret: options.clientSecret } : undefined,
  );
  if (status !== 200) throw new Error(`token request failed: ${status} ${JSON.stringify(body)}`);
  return body;
}

export interface ConnectOptions {
  /**
   * Answers `elicitation/create` (on 2026-07-28: the `inputRequests` of an `input_required` result, which the
   * v2 client fulfils and retries by itself). Given, the client declares form elicitation.
   */
  elicit?: (message: string, requestedSchema: unknown) => ElicitResult | Promise<ElicitResult>;
}

/**
 * Connects the MCP SDK's current client (v2, `@modelcontextprotocol/client`) the way a dual-era client does:
 * `versionNegotiation: 'auto'` probes with `server/discover` and falls back to `initialize` for a 2025-era
 * server. `client.getProtocolEra()` tells which one it got.
 */
export async function connectMcp(
  mcpUrl: string,
  accessToken: string,
  options: ConnectOptions = {},
): Promise<Client> {
  const capabilities: ClientCapabilities = options.elicit ? { elicitation: { form: {} } } : {};
  const client = new Client(
    { name: 'demo-test', version: '1.0.0' },
    { versionNegotiation: { mode: 'auto' }, capabilities },
  );
  const { elicit } = options;
  if (elicit) {
    client.setRequestHandler('elicitation/create', async (request) => {
      const params = request.params as { message: string; requestedSchema?: unknown };
      return elicit(params.message, params.requestedSchema);
    });
  }
  await client.connect(
    new StreamableHTTPClientTransport(new URL(mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${accessToken}` } },
    }),
  );
  return client;
}

/** The previous MCP SDK's client (v1, 2025-11-25 `initialize` only), for interoperability checks. */
export async function connectMcpV1(mcpUrl: string, accessToken: string): Promise<V1Client> {
  const client = new V1Client({ name: 'demo-test-v1', version: '1.0.0' });
  await client.connect(
    new V1StreamableHTTPClientTransport(new URL(mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${accessToken}` } },
    }),
  );
  return client;
}

export const MODERN_VERSION = '2026-07-28';

/** The `_meta` every 2026-07-28 request carries. */
export function modernMeta(capabilities: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'io.modelcontextprotocol/protocolVersion': MODERN_VERSION,
    'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
    'io.modelcontextprotocol/clientCapabilities': capabilities,
  };
}

/**
 * A raw 2026-07-28 request: `_meta` in the params and the standard headers (`MCP-Protocol-Version`,
 * `Mcp-Method`, `Mcp-Name` for tools/call), which `headers` can override or (with '') leave out.
 */
export async function rawModern(
  mcpUrl: string,
  method: string,
  params: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  capabilities: Record<string, unknown> = {},
): Promise<Response> {
  const name = method === 'tools/call' ? params.name : undefined;
  const all: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': MODERN_VERSION,
    'mcp-method': method,
    ...(typeof name === 'string' ? { 'mcp-name': name } : {}),
    ...headers,
  };
  return fetch(mcpUrl, {
    method: 'POST',
    headers: Object.fromEntries(Object.entries(all).filter(([, value]) => value !== '')),
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method,
      params: { ...params, _meta: { ...modernMeta(capabilities), ...(params._meta as object) } },
    }),
  });
}

/** A JSON-RPC answer (JSON or a one-message SSE stream) as an object. */
export async function jsonRpcBody(res: Response): Promise<{
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: Record<string, unknown> };
}> {
  const text = await res.text();
  if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const data = text
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => line.slice(6))
      .at(-1);
    return JSON.parse(data ?? '{}');
  }
  return JSON.parse(text);
}

/** A raw MCP initialize POST, for status and header assertions. */
export async function rawInitialize(mcpUrl: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(mcpUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
}
