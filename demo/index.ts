/**
 * The bundled demo: real authorization servers (oidc-provider) and real MCP servers (the v2 MCP server SDK,
 * Streamable HTTP: 2026-07-28 stateless, dual-era, or 2025-11-25 with sessions) on loopback, one origin per
 * scenario. It stands for other people's servers, so it never imports the inspector's code (`lib/`): the two
 * only talk HTTP.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientMetadata } from 'oidc-provider';
import { createAdminHandler } from './admin';
import { createDocumentFetcher } from './as/cimd';
import { JWT_BEARER_GRANT } from './as/jwt-bearer';
import { type AuthorizationServer, createAuthorizationServer } from './as/server';
import { TOKEN_EXCHANGE_GRANT } from './as/token-exchange';
import { type Handler, type Listening, type Logger, listen, notFound, readBody, sendHtml } from './http';
import { createTokenVerifier } from './mcp/auth';
import {
  createMcpEndpoint,
  type McpAuthConfig,
  type McpEndpoint,
  type McpEndpointOptions,
  type McpWire,
  type ProtectedResourceConfig,
} from './mcp/server';
import { createWorkloadPlatform } from './platform';
import { DemoState } from './state';

export interface DemoScenario {
  id: string;
  title: string;
  description: string;
  expect: { outcome: 'connected' } | { outcome: 'failed'; step: string; checkId: string };
  mcpUrl: string;
  /**
   * The MCP wire the server speaks: `modern` (2026-07-28 only, stateless), `dual` (2026-07-28 and, for
   * clients that send `initialize`, 2025-11-25 statelessly) or `legacy` (2025-11-25 with `Mcp-Session-Id`).
   * Absent for `not-mcp`.
   */
  wire?: McpWire;
  /**
   * The MCP spec revision the server implements, when a client must judge it against an older one than
   * the latest to connect (the 2025-03-26 server has no protected resource metadata).
   */
  specVersion?: '2025-03-26' | '2025-06-18' | '2025-11-25' | '2026-07-28';
  preRegistered?: {
    clientId: string;
    clientSecret?: string;
    /** The client's private key (PKCS#8 PEM) for private_key_jwt; the AS holds its public key. */
    privateKeyPem?: string;
    /** How the client authenticates at the token endpoint. */
    tokenEndpointAuthMethod?: 'none' | 'client_secret_basic' | 'private_key_jwt';
  };
  /**
   * The grant its client uses: `client_credentials` needs no user (the OAuth client credentials
   * extension); `jwt_bearer` presents the workload's platform token (workload identity federation);
   * `id_jag` signs the user in at the enterprise IdP and redeems an ID-JAG (enterprise-managed).
   */
  grant?: 'authorization_code' | 'client_credentials' | 'jwt_bearer' | 'id_jag';
  /** Workload identity: where the workload asks its platform for its identity token (server-side only). */
  workload?: { assertionUrl: string };
  /** Enterprise-managed: the IdP the user signs in at, and the client there. */
  idp?: { issuer: string; clientId: string };
  /** Its MCP server takes DPoP-bound tokens (RFC 9449): clients should ask for one. */
  dpop?: boolean;
}

export interface DemoHandle {
  /** MCP URL of the default scenario. */
  mcpUrl: string;
  /** Issuer of the default scenario's authorization server. */
  issuer: string;
  /** Base URL of the admin API (e.g. `http://127.0.0.1:4000/admin`). */
  adminUrl: string;
  scenarios: DemoScenario[];
  /**
   * Makes the authorization servers trust `ca` (PEM), besides Node's roots, when they fetch Client ID
   * Metadata Documents, for those fetches only: an inspector behind a private certificate. Undefined
   * goes back to Node's roots. Settable while running because the certificate may be made after the demo
   * started (the e2e hosting stack makes one per test); resolves once fetches use it.
   */
  trustCa(ca: string | undefined): Promise<void>;
  close(): Promise<void>;
}

export interface StartDemoOptions {
  /** Address to bind; default 127.0.0.1. */
  host?: string;
  /** 0 (default): every server picks a free port. N: servers use N, N+1, … (see README for the order). */
  port?: number;
  /** Receives one terse line per request and errors. */
  log?: Logger;
}

export const PRE_REGISTERED_PUBLIC_CLIENT = 'demo-public-client';
export const PRE_REGISTERED_CONFIDENTIAL_CLIENT = 'demo-confidential-client';
export const PRE_REGISTERED_CONFIDENTIAL_SECRET = 'demo-confidential-secret-change-me';
/** A machine client (client credentials grant only) of the `client-credentials` scenario. */
export const MACHINE_CLIENT = 'demo-machine-client';
export const MACHINE_CLIENT_SECRET = 'demo-machine-secret-change-me';
/** A machine client that authenticates with a signed assertion (private_key_jwt). */
export const MACHINE_JWT_CLIENT = 'demo-machine-jwt-client';
/** The workload's client at the authorization servers (workload identity: the assertion is the credential). */
export const WORKLOAD_CLIENT = 'demo-workload';
/** The app's confidential client at the MCP servers' authorization servers (enterprise-managed). */
export const ENTERPRISE_CLIENT = 'demo-enterprise-client';
export const ENTERPRISE_CLIENT_SECRET = 'demo-enterprise-secret-change-me';
/** The same app's public client at the enterprise IdP (sign-in with PKCE, then token exchange). */
export const ENTERPRISE_SSO_CLIENT = 'demo-enterprise-sso';

const MCP_PATH = '/mcp';
const PRM_PATH = '/.well-known/oauth-protected-resource';
const SERVER_NAMES = [
  'default',
  'as-default',
  'prm-root-only',
  'prm-header-only',
  'as-tenant',
  'issuer-path-oidc-only',
  'as-preregistered',
  'no-dcr-preregistered',
  'no-dcr-confidential',
  'as-cimd',
  'cimd',
  'legacy-2025-03-26',
  'as-issuer-mismatch',
  'issuer-mismatch',
  'as-no-s256',
  'no-s256',
  'resource-mismatch',
  'no-401',
  'not-mcp',
  'multiple-as',
  'dual-era',
  'legacy-2025-11-25',
  'input-required',
  'x-mcp-header',
  'as-machine',
  'client-credentials',
  'dpop',
  'as-lax',
  'platform',
  'idp',
  'workload-identity',
  'workload-wrong-audience',
  'enterprise-managed',
  'enterprise-wrong-audience',
  'client-credentials-replay',
] as const;
type ServerName = (typeof SERVER_NAMES)[number];

type Route = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
/** How a scenario's MCP server speaks: the wire (default `modern`) and its extra tools. */
type Wire = Partial<Pick<McpEndpointOptions, 'wire' | 'tools'>>;

function chain(...routes: Route[]): Handler {
  return async (req, res) => {
    for (const route of routes) if (await route(req, res)) return;
    notFound(res);
  };
}

/** The same server under another loopback name: what a misconfigured issuer looks like. */
function claimedIssuer(reachedAt: string): string {
  const url = new URL(reachedAt);
  url.hostname = url.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
  return url.origin;
}

const NOT_MCP_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme Corp</title></head>
<body><h1>Welcome to Acme Corp</h1><p>This is a marketing site, not an MCP server.</p></body></html>`;

export async function startDemo(options: StartDemoOptions = {}): Promise<DemoHandle> {
  const host = options.host ?? '127.0.0.1';
  const basePort = options.port ?? 0;
  const { log } = options;
  const state = new DemoState();
  const documents = createDocumentFetcher();

  const settled = await Promise.allSettled(
    SERVER_NAMES.map((name, index) => listen(name, host, basePort ? basePort + index : 0, log)),
  );
  const listening = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(listening.map((l) => l.close()));
    throw failed.reason;
  }
  const servers = Object.fromEntries(SERVER_NAMES.map((name, i) => [name, listening[i]])) as Record<
    ServerName,
    Listening
  >;
  const endpoints: McpEndpoint[] = [];

  try {
    const origin = (name: ServerName) => servers[name].origin;
    const mcpUrl = (name: ServerName) => `${origin(name)}${MCP_PATH}`;
    const pathAwarePrm = (name: ServerName) => `${origin(name)}${PRM_PATH}${MCP_PATH}`;

    function protectedMcp(
      name: ServerName,
      as: AuthorizationServer,
      config: {
        prm: ProtectedResourceConfig | null;
        challenge: Omit<McpAuthConfig, 'verify'>;
        audiences?: string[];
      } & Wire,
    ): McpEndpoint {
      const endpoint = createMcpEndpoint({
        scenario: name,
        origin: origin(name),
        path: MCP_PATH,
        state,
        wire: config.wire ?? 'modern',
        tools: config.tools,
        prm: config.prm,
        auth: {
          ...config.challenge,
          verify: createTokenVerifier({
            issuer: as.issuer,
            jwksUri: as.jwksUri,
            audiences: config.audiences ?? [mcpUrl(name)],
            state,
          }),
        },
      });
      endpoints.push(endpoint);
      return endpoint;
    }

    /** The usual shape: path-aware PRM, named in the 401 challenge. */
    function standardMcp(
      name: ServerName,
      as: AuthorizationServer,
      { resource = mcpUrl(name), ...wire }: { resource?: string } & Wire = {},
    ): McpEndpoint {
      return protectedMcp(name, as, {
        prm: { resource, authorizationServers: [as.issuer], paths: [`${PRM_PATH}${MCP_PATH}`] },
        challenge: { resourceMetadataUrl: pathAwarePrm(name), challengeScope: true },
        ...wire,
      });
    }

    // --- authorization servers ------------------------------------------------------------------
    const asDefault = createAuthorizationServer({
      name: 'default',
      origin: origin('as-default'),
      state,
      resources: [
        mcpUrl('default'),
        origin('prm-root-only'),
        mcpUrl('prm-root-only'),
        mcpUrl('prm-header-only'),
        mcpUrl('resource-mismatch'),
        mcpUrl('multiple-as'),
        mcpUrl('dual-era'),
        mcpUrl('legacy-2025-11-25'),
        mcpUrl('input-required'),
        mcpUrl('x-mcp-header'),
      ],
      allowLoopbackResources: true,
      rfc8414: true,
      log,
    });
    const asTenant = createAuthorizationServer({
      name: 'tenant1',
      origin: origin('as-tenant'),
      mountPath: '/tenant1',
      state,
      resources: [mcpUrl('issuer-path-oidc-only')],
      log,
    });
    const asPreregistered = createAuthorizationServer({
      name: 'prereg',
      origin: origin('as-preregistered'),
      state,
      resources: [mcpUrl('no-dcr-preregistered'), mcpUrl('no-dcr-confidential')],
      registration: false,
      rfc8414: true,
      staticClients: [
        {
          client_id: PRE_REGISTERED_PUBLIC_CLIENT,
          client_name: 'Pre-registered public client',
          application_type: 'native',
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: ['http://127.0.0.1/callback'],
        },
        {
          client_id: PRE_REGISTERED_CONFIDENTIAL_CLIENT,
          client_secret: PRE_REGISTERED_CONFIDENTIAL_SECRET,
          client_name: 'Pre-registered confidential client',
          application_type: 'web',
          token_endpoint_auth_method: 'client_secret_basic',
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: ['http://127.0.0.1/callback'],
        },
      ],
      log,
    });
    // --- machine routes: client credentials, workload identity, enterprise-managed ------------------
    const platform = createWorkloadPlatform(origin('platform'));
    const idp = createAuthorizationServer({
      name: 'idp',
      origin: origin('idp'),
      state,
      resources: [],
      registration: false,
      rfc8414: true,
      staticClients: [
        {
          client_id: ENTERPRISE_SSO_CLIENT,
          client_name: 'Demo enterprise app (single sign-on)',
          application_type: 'web',
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code', TOKEN_EXCHANGE_GRANT],
          response_types: ['code'],
          redirect_uris: ['http://127.0.0.1/callback'],
        },
      ],
      idJag: {
        routes: {
          [origin('as-machine')]: { clientId: ENTERPRISE_CLIENT },
          // Misconfigured: grants for the lax server are addressed to the machine one.
          [origin('as-lax')]: { clientId: ENTERPRISE_CLIENT, aud: origin('as-machine') },
        },
      },
      log,
    });
    const jwtBearer = {
      trusted: [
        { issuer: platform.issuer, jwksUri: platform.jwksUri },
        { issuer: idp.issuer, jwksUri: idp.jwksUri, typ: 'oauth-id-jag+jwt', clientIdClaim: true },
      ],
    };
    const clientKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const machineJwtClientKey = clientKey.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const machineClients: ClientMetadata[] = [
      {
        client_id: MACHINE_CLIENT,
        client_secret: MACHINE_CLIENT_SECRET,
        client_name: 'Demo machine client (client credentials)',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      },
      {
        client_id: MACHINE_JWT_CLIENT,
        client_name: 'Demo machine client (private_key_jwt)',
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: { keys: [{ ...clientKey.publicKey.export({ format: 'jwk' }), alg: 'ES256', use: 'sig' }] },
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      },
      {
        client_id: WORKLOAD_CLIENT,
        client_name: 'Demo workload (workload identity federation)',
        token_endpoint_auth_method: 'none',
        grant_types: [JWT_BEARER_GRANT],
        response_types: [],
        redirect_uris: [],
      },
      {
        client_id: ENTERPRISE_CLIENT,
        client_secret: ENTERPRISE_CLIENT_SECRET,
        client_name: 'Demo enterprise app',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: [JWT_BEARER_GRANT],
        response_types: [],
        redirect_uris: [],
      },
    ];
    const asMachine = createAuthorizationServer({
      name: 'machine',
      origin: origin('as-machine'),
      state,
      resources: [
        mcpUrl('client-credentials'),
        mcpUrl('dpop'),
        mcpUrl('workload-identity'),
        mcpUrl('enterprise-managed'),
      ],
      registration: false,
      rfc8414: true,
      clientCredentials: true,
      dpop: true,
      jwtBearer,
      staticClients: machineClients,
      log,
    });
    // The same routes, broken: it accepts assertions addressed to other servers, and replays.
    const asLax = createAuthorizationServer({
      name: 'lax',
      origin: origin('as-lax'),
      state,
      resources: [
        mcpUrl('workload-wrong-audience'),
        mcpUrl('enterprise-wrong-audience'),
        mcpUrl('client-credentials-replay'),
      ],
      registration: false,
      rfc8414: true,
      clientCredentials: true,
      // Binds tokens when asked (DPoP) and issues them for any loopback resource: on this AS the audit's
      // audience test gets a DPoP-bound token for the made-up resource to send.
      dpop: true,
      allowLoopbackResources: true,
      jwtBearer,
      lax: { audience: true, replay: true },
      staticClients: machineClients,
      log,
    });
    const asCimd = createAuthorizationServer({
      name: 'cimd',
      origin: origin('as-cimd'),
      state,
      resources: [mcpUrl('cimd')],
      registration: false,
      clientIdMetadataDocuments: true,
      documentFetch: documents.fetch,
      rfc8414: true,
      log,
    });
    const asLegacy = createAuthorizationServer({
      name: 'legacy',
      origin: origin('legacy-2025-03-26'),
      state,
      resources: [mcpUrl('legacy-2025-03-26')],
      legacyRoutes: true,
      rfc8414: true,
      log,
    });
    // Configured with a public name but reached over loopback: the metadata claims the wrong issuer.
    const asMismatch = createAuthorizationServer({
      name: 'mismatch',
      origin: origin('as-issuer-mismatch'),
      issuer: claimedIssuer(origin('as-issuer-mismatch')),
      state,
      resources: [mcpUrl('issuer-mismatch')],
      rfc8414: true,
      log,
    });
    const asNoS256 = createAuthorizationServer({
      name: 'nos256',
      origin: origin('as-no-s256'),
      state,
      resources: [mcpUrl('no-s256')],
      rfc8414: true,
      advertisePkce: false,
      requirePkce: false,
      log,
    });

    // --- MCP servers ----------------------------------------------------------------------------
    const admin = createAdminHandler({
      origin: origin('default'),
      basePath: '/admin',
      bindHost: host,
      state,
    });
    servers.default.setHandler(
      chain(standardMcp('default', asDefault, { tools: { temperature: true } }).handle, admin),
    );
    servers['as-default'].setHandler(chain(asDefault.handle));

    servers['prm-root-only'].setHandler(
      chain(
        protectedMcp('prm-root-only', asDefault, {
          prm: {
            resource: origin('prm-root-only'),
            authorizationServers: [asDefault.issuer],
            paths: [PRM_PATH],
          },
          challenge: { resourceMetadataUrl: null, challengeScope: true },
          audiences: [origin('prm-root-only'), mcpUrl('prm-root-only')],
        }).handle,
      ),
    );

    const customPrmPath = '/meta/resource.json';
    servers['prm-header-only'].setHandler(
      chain(
        protectedMcp('prm-header-only', asDefault, {
          prm: {
            resource: mcpUrl('prm-header-only'),
            authorizationServers: [asDefault.issuer],
            paths: [customPrmPath],
          },
          challenge: {
            resourceMetadataUrl: `${origin('prm-header-only')}${customPrmPath}`,
            challengeScope: true,
          },
        }).handle,
      ),
    );

    servers['as-tenant'].setHandler(chain(asTenant.handle));
    servers['issuer-path-oidc-only'].setHandler(chain(standardMcp('issuer-path-oidc-only', asTenant).handle));

    servers['as-preregistered'].setHandler(chain(asPreregistered.handle));
    servers['no-dcr-preregistered'].setHandler(
      chain(standardMcp('no-dcr-preregistered', asPreregistered).handle),
    );
    servers['no-dcr-confidential'].setHandler(
      chain(standardMcp('no-dcr-confidential', asPreregistered).handle),
    );

    servers['as-machine'].setHandler(chain(asMachine.handle));
    servers['client-credentials'].setHandler(chain(standardMcp('client-credentials', asMachine).handle));
    servers.dpop.setHandler(chain(standardMcp('dpop', asMachine).handle));
    servers['as-lax'].setHandler(chain(asLax.handle));
    servers.platform.setHandler(chain(platform.handle));
    servers.idp.setHandler(chain(idp.handle));
    servers['workload-identity'].setHandler(chain(standardMcp('workload-identity', asMachine).handle));
    servers['enterprise-managed'].setHandler(chain(standardMcp('enterprise-managed', asMachine).handle));
    servers['workload-wrong-audience'].setHandler(
      chain(standardMcp('workload-wrong-audience', asLax).handle),
    );
    servers['enterprise-wrong-audience'].setHandler(
      chain(standardMcp('enterprise-wrong-audience', asLax).handle),
    );
    servers['client-credentials-replay'].setHandler(
      chain(standardMcp('client-credentials-replay', asLax).handle),
    );

    servers['as-cimd'].setHandler(chain(asCimd.handle));
    servers.cimd.setHandler(chain(standardMcp('cimd', asCimd).handle));

    servers['legacy-2025-03-26'].setHandler(
      chain(
        protectedMcp('legacy-2025-03-26', asLegacy, {
          prm: null,
          challenge: { resourceMetadataUrl: null, challengeScope: false, realm: 'mcp' },
          wire: 'legacy',
        }).handle,
        asLegacy.handle,
      ),
    );

    servers['as-issuer-mismatch'].setHandler(chain(asMismatch.handle));
    servers['issuer-mismatch'].setHandler(
      chain(
        protectedMcp('issuer-mismatch', asMismatch, {
          prm: {
            resource: mcpUrl('issuer-mismatch'),
            authorizationServers: [origin('as-issuer-mismatch')],
            paths: [`${PRM_PATH}${MCP_PATH}`],
          },
          challenge: { resourceMetadataUrl: pathAwarePrm('issuer-mismatch'), challengeScope: true },
        }).handle,
      ),
    );

    servers['as-no-s256'].setHandler(chain(asNoS256.handle));
    servers['no-s256'].setHandler(chain(standardMcp('no-s256', asNoS256).handle));

    servers['resource-mismatch'].setHandler(
      chain(standardMcp('resource-mismatch', asDefault, { resource: 'https://mcp.example.com/mcp' }).handle),
    );

    const unprotected = createMcpEndpoint({
      scenario: 'no-401',
      origin: origin('no-401'),
      path: MCP_PATH,
      state,
      wire: 'modern',
      auth: null,
      prm: null,
    });
    endpoints.push(unprotected);
    servers['no-401'].setHandler(chain(unprotected.handle));

    // Two authorization servers: the first is a retired one on this origin that serves no metadata at
    // any discovery URL, the second is the default demo AS. Clients that always take the first fail.
    const retiredIssuer = `${origin('multiple-as')}/retired-as`;
    servers['multiple-as'].setHandler(
      chain(
        protectedMcp('multiple-as', asDefault, {
          prm: {
            resource: mcpUrl('multiple-as'),
            authorizationServers: [retiredIssuer, asDefault.issuer],
            paths: [`${PRM_PATH}${MCP_PATH}`],
          },
          challenge: { resourceMetadataUrl: pathAwarePrm('multiple-as'), challengeScope: true },
        }).handle,
      ),
    );

    servers['dual-era'].setHandler(
      chain(standardMcp('dual-era', asDefault, { wire: 'dual', tools: { temperature: true } }).handle),
    );
    servers['legacy-2025-11-25'].setHandler(
      chain(
        standardMcp('legacy-2025-11-25', asDefault, { wire: 'legacy', tools: { temperature: true } }).handle,
      ),
    );
    servers['input-required'].setHandler(
      chain(standardMcp('input-required', asDefault, { tools: { temperature: true } }).handle),
    );
    servers['x-mcp-header'].setHandler(
      chain(standardMcp('x-mcp-header', asDefault, { tools: { mcpHeaders: true } }).handle),
    );

    servers['not-mcp'].setHandler(async (req, res) => {
      await readBody(req).catch(() => undefined);
      sendHtml(res, 200, NOT_MCP_PAGE);
    });

    // --- scenarios ------------------------------------------------------------------------------
    /** The enterprise app of both enterprise-managed scenarios: its client at the AS and at the IdP. */
    const enterpriseApp = {
      preRegistered: {
        clientId: ENTERPRISE_CLIENT,
        clientSecret: ENTERPRISE_CLIENT_SECRET,
        tokenEndpointAuthMethod: 'client_secret_basic',
      },
      grant: 'id_jag',
      idp: { issuer: idp.issuer, clientId: ENTERPRISE_SSO_CLIENT },
    } satisfies Partial<DemoScenario>;
    const scenarios: DemoScenario[] = [
      {
        id: 'default',
        title: 'Spec-compliant server',
        description:
          'Answers 401 with resource_metadata and scope, serves path-aware protected resource metadata, and ' +
          'uses an authorization server with DCR, PKCE S256, resource indicators and rotating refresh tokens. ' +
          'Speaks MCP 2026-07-28 only (stateless; initialize gets 400 UnsupportedProtocolVersion); ' +
          'get_temperature without a unit asks back with an input_required result.',
        expect: { outcome: 'connected' },
        mcpUrl: mcpUrl('default'),
        wire: 'modern',
      },
      {
        id: 'prm-root-only',
        title: 'Resource metadata only at the root well-known URL',
        description:
          'The 401 names no resource_metadata and the metadata is served only at ' +
          '/.well-known/oauth-protected-resource with resource set to the origin (RFC 9728), so clients ' +
          'connect with a warning.',
        expect: { outcome: 'connected' },
        mcpUrl: mcpUrl('prm-root-only'),
        wire: 'modern',
      },
      {
        id: 'prm-header-only',
        title: 'Resource metadata only at the URL in the challenge',
        description: `The metadata lives at a custom path (${customPrmPath}) named by resource_metadata in the 401; the well-known URLs answer 404.`,
        expect: { outcome: 'connected' },
        mcpUrl: mcpUrl('prm-header-only'),
        wire: 'modern',
      },
      {
        id: 'issuer-path-oidc-only',
        title: 'Issuer with a path, OpenID discovery only',
        description: `The issuer is ${asTenant.issuer} and only ${asTenant.issuer}/.well-known/openid-configuration answers; the RFC 8414 URLs answer 404.`,
        expect: { outcome: 'connected' },
        mcpUrl: mcpUrl('issuer-path-oidc-only'),
        wire: 'modern',
      },
      {
        id: 'no-dcr-preregistered',
        title: 'No registration endpoint: pre-registered public client',
        description:
          'The authorization server has no registration_endpoint; connect with the pre-registered public ' +
          'client (any loopback redirect URI), otherwise registration fails (registration.route-available).',
        expect: { outcome: 'connected' },
        mcpUrl: mcpUrl('no-dcr-preregistered'),
        wire: 'modern',
        preRegistered: { clientId: PRE_REGISTERED_PUBLIC_CLIENT, tokenEndpointAuthMethod: 'none' },
      },
      {
        id: 'no-dcr-confidential',
        title: 'No registration endpoint: pre-registered confidential client',
        description:
          'The same authorization server without registration_endpoint; connect with the pre-registered ' +
          'confidential client and its secret (client_secret_basic).',
        expect: { outcome: 'connected' },
        mcpUrl: mcpUrl('no-dcr-confidential'),
        wire: 'modern',
        preRegistered: {
          clientId: PRE_REGISTERED_CONFIDENTIAL_CLIENT,
          clientSecret: PRE_REGISTERED_CONFIDENTIAL_SECRET,
          tokenEndpointAuthMethod: 'client_secret_basic',
        },
      },
      {
        id: 'client-credentials',
        title: 'Client credentials: a machine client, no user',
        description:
          'The OAuth client credentials extension: a pre-registered confidential client gets its own token ' +
          'from the token endpoint (grant_type=client_credentials, client_secret_basic, resource), with no ' +
          'browser and no consent; the authorization server advertises the grant.',
        expect: { outcome: 'connected' },
        mcpUrl: mcpUrl('client-credentials'),
        wire: 'modern',
        preRegistered: {
          clientId: MACHINE_CLIENT,
          clientSecret: MACHINE_CLIENT_SECRET,
          tokenEndpointAuthMethod: 'client_secret_basic',
        },
        grant: 'client_credentials',
      },
      {
        id: 'dpop',
        title: 'DPoP: sender-constrained tokens',
        description:
          'The machine client asks for a DPoP-bound token (RFC 9449): the authorization server binds it to ' +
          'the client’s key (token_type DPoP, cnf.jkt), and the MCP server accepts it only with the DPoP ' +
          'scheme and a fresh proof for each request (method, URL, ath, a new jti).',
        expect: { outcome: 'connected' },
        mcpUrl: mcpUrl('dpop'),
        wire: 'modern',
        preRegistered: {
          clientId: MACHINE_CLIENT,
          clientSecret: MACHINE_CLIENT_SECRET,
          tokenEndpointAuthMethod: 'client_secret_basic',
        },
        grant: 'client_credentials',
        dpop: true,
      },
      {
        id: 'client-credentials-replay',
        title: 'Client credentials: a replayed client assertion is accepted',
        description:
          'A machine client authenticates with private_key_jwt (a signed assertion, ES256). The ' +
          'authorization server keeps no used jti values, so the same assertion sent again gets a second ' +
          'token. RFC 7523 §3 makes refusing replays a MAY, so the audit warns (audit.assertion-replay) ' +
          'rather than fails.',
        expect: { outcome: 'connected' },
        mcpUrl: mcpUrl('client-credentials-replay'),
        wire: 'modern',
        preRegistered: {
          clientId: MACHINE_JWT_CLIENT,
          privateKeyPem: machineJwtClientKey,
          tokenEndpointAuthMethod: 'private_key_jwt',
        },
        grant: 'client_credentials',
      },
      {
        id: 'workload-identity',
        title: 'Workload identity: a platform token for an access token',
        description:
          'Workload identity federation (SEP-1933): the workload asks its platform for a short-lived ' +
          'identity token addressed to the authorization server and presents it as an RFC 7523 JWT bearer ' +
          'grant; the authorization server verifies it by the platform’s keys, its aud, exp and jti.',
        expect: { outcome: 'connected' },
        mcpUrl: mcpUrl('workload-identity'),
        wire: 'modern',
        preRegistered: { clientId: WORKLOAD_CLIENT, tokenEndpointAuthMethod: 'none' },
        grant: 'jwt_bearer',
        workload: { assertionUrl: platform.tokenUrl(asMachine.issuer) },
      },
      {
        id: 'workload-wrong-audience',
        title: 'Workload identity: an assertion for another audience is accepted',
        description:
          'The platform is asked for a token addressed to the MCP server instead of its authorization ' +
          'server, and the authorization server does not check aud: it issues an access token for an ' +
          'assertion that was not meant for it (RFC 7523 §3 says it MUST reject it).',
        expect: { outcome: 'failed', step: 'token', checkId: 'token.assertion-claims' },
        mcpUrl: mcpUrl('workload-wrong-audience'),
        wire: 'modern',
        preRegistered: { clientId: WORKLOAD_CLIENT, tokenEndpointAuthMethod: 'none' },
        grant: 'jwt_bearer',
        workload: { assertionUrl: platform.tokenUrl(mcpUrl('workload-wrong-audience')) },
      },
      {
        id: 'enterprise-managed',
        title: 'Enterprise-managed: sign in at the company IdP, no consent',
        description:
          'Enterprise-managed authorization (SEP-990): the user signs in at the enterprise IdP ' +
          '(authorization code with PKCE, an ID token), the client exchanges the ID token there for an ' +
          'ID-JAG (RFC 8693) addressed to the MCP server’s authorization server, which redeems it as an ' +
          'RFC 7523 JWT bearer grant after checking its signature, typ, aud, client_id and resource.',
        expect: { outcome: 'connected' },
        mcpUrl: mcpUrl('enterprise-managed'),
        wire: 'modern',
        ...enterpriseApp,
      },
      {
        id: 'enterprise-wrong-audience',
        title: 'Enterprise-managed: an ID-JAG for another authorization server is accepted',
        description:
          'The enterprise IdP is set up with the wrong authorization server for this app: its ID-JAGs name ' +
          'the other demo authorization server in aud. This authorization server does not check aud and ' +
          'redeems them (SEP-990 §5.1 and RFC 7523 §3: it MUST reject them).',
        expect: { outcome: 'failed', step: 'token', checkId: 'token.assertion-claims' },
        mcpUrl: mcpUrl('enterprise-wrong-audience'),
        wire: 'modern',
        ...enterpriseApp,
      },
      {
        id: 'cimd',
        title: 'Client ID Metadata Document',
        description:
          'The authorization server advertises client_id_metadata_document_supported and has no DCR; it ' +
          'fetches the client metadata from the client_id URL (loopback http allowed) and checks client_id ' +
          'and redirect_uris.',
        expect: { outcome: 'connected' },
        mcpUrl: mcpUrl('cimd'),
        wire: 'modern',
      },
      {
        id: 'dual-era',
        title: 'Dual-era server: 2026-07-28 and 2025-11-25',
        description:
          'Serves MCP 2026-07-28 requests statelessly and, for clients that send initialize, 2025-11-25 ' +
          "through the SDK's stateless legacy fallback (no Mcp-Session-Id). get_temperature asks back on " +
          '2026-07-28 and answers in Celsius on 2025-11-25.',
        expect: { outcome: 'connected' },
        mcpUrl: mcpUrl('dual-era'),
        wire: 'dual',
      },
      {
        id: 'legacy-2025-11-25',
        title: '2025-11-25 server with sessions',
        description:
          'Speaks MCP 2025-11-25 only: the initialize handshake opens a session (Mcp-Session-Id, bound to ' +
          'the token subject); a 2026-07-28 request gets 400 with a -32000 error, which is no modern error, so ' +
          'clients fall back to initialize. Same authorization as the default scenario.',
        expect: { outcome: 'connected' },
        mcpUrl: mcpUrl('legacy-2025-11-25'),
        wire: 'legacy',
      },
      {
        id: 'input-required',
        title: 'A tool that asks back (multi round-trip requests)',
        description:
          'Speaks MCP 2026-07-28 only. The read-only get_temperature, called without a unit, answers ' +
          'resultType input_required with an elicitation/create form ("Which unit?", celsius or fahrenheit) ' +
          'and a signed requestState; the retry with inputResponses and the echoed requestState gets the ' +
          'temperature, a declined question an isError result.',
        expect: { outcome: 'connected' },
        mcpUrl: mcpUrl('input-required'),
        wire: 'modern',
      },
      {
        id: 'x-mcp-header',
        title: 'Tool parameters mirrored into headers (x-mcp-header)',
        description:
          'Speaks MCP 2026-07-28 only. get_forecast marks its region parameter with x-mcp-header "Region", so ' +
          'clients must send Mcp-Param-Region and the server rejects a missing or different one (400, -32020); ' +
          'lookup_account declares the invalid x-mcp-header "Account Id", so clients must leave it out of ' +
          'their tool list.',
        expect: { outcome: 'connected' },
        mcpUrl: mcpUrl('x-mcp-header'),
        wire: 'modern',
      },
      {
        id: 'legacy-2025-03-26',
        title: '2025-03-26 server without resource metadata',
        description:
          'No protected resource metadata; the MCP origin is its own authorization server with ' +
          '/.well-known/oauth-authorization-server, /authorize, /token and /register.',
        expect: { outcome: 'connected' },
        mcpUrl: mcpUrl('legacy-2025-03-26'),
        wire: 'legacy',
        specVersion: '2025-03-26',
      },
      {
        id: 'issuer-mismatch',
        title: 'Authorization server metadata claims another issuer',
        description: `The authorization server is reached at ${origin('as-issuer-mismatch')} but its metadata says issuer ${asMismatch.issuer}, so clients must not use it.`,
        expect: { outcome: 'failed', step: 'as-metadata', checkId: 'as.issuer-match' },
        mcpUrl: mcpUrl('issuer-mismatch'),
        wire: 'modern',
      },
      {
        id: 'no-s256',
        title: 'Authorization server metadata without PKCE methods',
        description:
          'The metadata has no code_challenge_methods_supported, so 2025-11-25 clients must refuse to continue.',
        expect: { outcome: 'failed', step: 'as-metadata', checkId: 'as.pkce-s256' },
        mcpUrl: mcpUrl('no-s256'),
        wire: 'modern',
      },
      {
        id: 'resource-mismatch',
        title: 'Resource metadata for a different resource',
        description:
          'The protected resource metadata says resource https://mcp.example.com/mcp, not the URL of this server, ' +
          'so clients must discard it.',
        expect: { outcome: 'failed', step: 'prm', checkId: 'prm.resource-match' },
        mcpUrl: mcpUrl('resource-mismatch'),
        wire: 'modern',
      },
      {
        id: 'no-401',
        title: 'Unprotected MCP server',
        description:
          'The MCP endpoint answers 2026-07-28 requests (server/discover, tools/list, ...) without a token ' +
          '(200), so clients never start OAuth. Authorization is optional in MCP: the inspector warns ' +
          '(probe.unauthorized), skips the OAuth steps and connects without a token.',
        expect: { outcome: 'connected' },
        mcpUrl: mcpUrl('no-401'),
        wire: 'modern',
      },
      {
        id: 'not-mcp',
        title: 'Not an MCP server',
        description: 'An HTML page that answers 200 to every request.',
        expect: { outcome: 'failed', step: 'probe', checkId: 'probe.unauthorized' },
        mcpUrl: mcpUrl('not-mcp'),
      },
      {
        id: 'multiple-as',
        title: 'Two authorization servers, the first one retired',
        description:
          `The resource metadata lists two authorization servers: ${retiredIssuer}, which serves no metadata, ` +
          `then ${asDefault.issuer}. Clients that always take the first fail at discovery; choose the second ` +
          'to connect.',
        expect: { outcome: 'failed', step: 'as-metadata', checkId: 'as.found' },
        mcpUrl: mcpUrl('multiple-as'),
        wire: 'modern',
      },
    ];

    let closing: Promise<void> | undefined;
    return {
      mcpUrl: mcpUrl('default'),
      issuer: asDefault.issuer,
      adminUrl: `${origin('default')}/admin`,
      scenarios,
      trustCa: (ca) => documents.trustCa(ca),
      close() {
        closing ??= (async () => {
          await Promise.allSettled(endpoints.map((endpoint) => endpoint.close()));
          await Promise.all(listening.map((server) => server.close()));
          await documents.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await Promise.allSettled(endpoints.map((endpoint) => endpoint.close()));
    await Promise.all(listening.map((server) => server.close()));
    await documents.close();
    throw error;
  }
}
