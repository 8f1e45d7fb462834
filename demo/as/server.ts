/**
 * A demo authorization server: oidc-provider with dynamic client registration, PKCE S256, resource
 * indicators (JWT access tokens whose `aud` is the MCP URL), rotating refresh tokens, revocation, and
 * login/consent pages rendered by the routes below. Scenario variants are options of this one factory.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWK as JoseJWK } from 'jose';
import Provider, {
  type ClientMetadata,
  type Configuration,
  errors,
  type InteractionResults,
  type JWK,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import { isLoopbackHost, type Logger, readForm, requestUrl, sendHtml, sendPreflight } from '../http';
import { BASE_SCOPE, type DemoState, MCP_SCOPES } from '../state';
import { createAdapterFactory, MemoryStore } from './adapter';
import { createClientMetadataDocumentResolver, type DocumentFetch } from './cimd';
import { type JwtBearerOptions, registerJwtBearerGrant } from './jwt-bearer';
import { consentPage, errorPage, loginPage, logoutPage, PAGE_HEADERS, signedOutPage } from './pages';
import { type IdJagOptions, registerIdJagExchange } from './token-exchange';

/** Demo accounts: username -> password and display name. The username is the token `sub`. */
export const DEMO_ACCOUNTS: Readonly<Record<string, { password: string; name: string }>> = {
  demo: { password: 'demo', name: 'Demo User' },
  alex: { password: 'alex', name: 'Alex Example' },
};

export interface AuthorizationServerOptions {
  /** Short name used in cookie names and logs, e.g. `default`. */
  name: string;
  /** Origin the server listens on, e.g. `http://127.0.0.1:4001`. */
  origin: string;
  /** Serve the provider under this path; the issuer then includes it (e.g. `/tenant1`). */
  mountPath?: string;
  /** Issuer to claim; defaults to origin + mountPath. (The issuer-mismatch scenario claims another.) */
  issuer?: string;
  state: DemoState;
  /** Resource indicators this server issues tokens for; the first is the default resource. */
  resources: string[];
  /** Also accept any http(s) loopback URL as a resource indicator (lets testers mint foreign-audience tokens). */
  allowLoopbackResources?: boolean;
  /** Open dynamic client registration (default true). */
  registration?: boolean;
  /** Serve RFC 8414 metadata at `/.well-known/oauth-authorization-server` (root-mounted servers only). */
  rfc8414?: boolean;
  /** Advertise `code_challenge_methods_supported` (default true). */
  advertisePkce?: boolean;
  /** Require PKCE from every client (default true). */
  requirePkce?: boolean;
  /** Accept URL client ids (Client ID Metadata Documents) and advertise it. */
  clientIdMetadataDocuments?: boolean;
  /** How those documents are fetched (default: the global fetch); see `createDocumentFetcher`. */
  documentFetch?: DocumentFetch;
  /** Enable the client credentials grant (RFC 6749 §4.4) for clients registered with it. */
  clientCredentials?: boolean;
  /** Bind tokens to the client's DPoP key when it sends a proof (RFC 9449). */
  dpop?: boolean;
  /** Accept RFC 7523 JWT bearer grants: workload identity tokens and ID-JAGs from these issuers. */
  jwtBearer?: Omit<JwtBearerOptions, 'lax' | 'tokenEndpoint'>;
  /** Be an enterprise IdP: exchange its ID tokens for ID-JAGs (RFC 8693, SEP-990). */
  idJag?: IdJagOptions;
  /**
   * Broken on purpose: `audience` accepts JWT bearer assertions meant for another server; `replay`
   * accepts a client assertion (private_key_jwt) or JWT bearer assertion it has seen before.
   */
  lax?: JwtBearerOptions['lax'];
  /** Pre-registered clients. They accept any loopback redirect URI (RFC 8252 §7.3 style). */
  staticClients?: ClientMetadata[];
  /** Use 2025-03-26 fallback paths: /authorize, /token, /register. */
  legacyRoutes?: boolean;
  log?: Logger;
}

export interface AuthorizationServer {
  readonly issuer: string;
  readonly jwksUri: string;
  /** Handles requests under the mount path; returns false for anything else. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  revokeAllGrants(): Promise<void>;
}

type NodeRequest = IncomingMessage & { originalUrl?: string };

function signingKey(): JWK & JoseJWK {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: randomBytes(8).toString('base64url'), alg: 'ES256', use: 'sig' } as JWK & JoseJWK;
}

function isLoopbackHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname) && !url.hash
    );
  } catch {
    return false;
  }
}

function asList(value: unknown): string[] {
  if (typeof value === 'string') return value ? [value] : [];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

export function createAuthorizationServer(options: AuthorizationServerOptions): AuthorizationServer {
  const { state, log } = options;
  const mountPath = options.mountPath ?? '';
  const issuer = options.issuer ?? `${options.origin}${mountPath}`;
  const store = new MemoryStore();
  const resources = new Set(options.resources);
  const defaultResource = options.resources[0];
  const staticClientIds = new Set((options.staticClients ?? []).map((c) => c.client_id));
  const routes = options.legacyRoutes
    ? { authorization: '/authorize', token: '/token', registration: '/register' }
    : { authorization: '/auth', token: '/token', registration: '/reg' };

  // Opaque access tokens (no resource) live as long as JWT ones; read at issue time so the switch applies.
  const accessTokenTtl = () => state.settings.accessTokenTtl;
  const key = signingKey();

  const configuration: Configuration = {
    adapter: createAdapterFactory(
      store,
      options.clientIdMetadataDocuments
        ? createClientMetadataDocumentResolver({
            fetch: options.documentFetch,
            log,
            record: (fetched) => state.recordDocumentFetch(fetched),
          })
        : undefined,
    ),
    clients: options.staticClients ?? [],
    jwks: { keys: [key] },
    cookies: {
      names: {
        session: `demo_as_${options.name}_session`,
        interaction: `demo_as_${options.name}_interaction`,
        resume: `demo_as_${options.name}_resume`,
      },
      keys: [randomBytes(32).toString('base64url')],
    },
    clientDefaults: {
      id_token_signed_response_alg: 'ES256',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    scopes: ['openid', 'offline_access', ...MCP_SCOPES],
    claims: { openid: ['sub'], profile: ['name'] },
    responseTypes: ['code'],
    routes,
    pkce: { required: () => options.requirePkce ?? true },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: options.clientCredentials ?? false },
      dPoP: { enabled: options.dpop ?? false },
      registration: { enabled: options.registration ?? true, initialAccessToken: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          for (const [name, value] of Object.entries(PAGE_HEADERS)) ctx.set(name, value);
          ctx.type = 'html';
          ctx.body = logoutPage({ form, issuer });
        },
        postLogoutSuccessSource: (ctx) => {
          for (const [name, value] of Object.entries(PAGE_HEADERS)) ctx.set(name, value);
          ctx.type = 'html';
          ctx.body = signedOutPage({ issuer });
        },
      },
      revocation: {
        enabled: true,
        // Clients may revoke only their own tokens (a foreign token is silently ignored, RFC 7009 §2.2).
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? defaultResource ?? undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator) => {
          if (
            !resources.has(resourceIndicator) &&
            !(options.allowLoopbackResources && isLoopbackHttpUrl(resourceIndicator))
          ) {
            throw new errors.InvalidTarget(
              `this authorization server does not know the resource ${resourceIndicator}`,
            );
          }
          return {
            scope: MCP_SCOPES.join(' '),
            audience: resourceIndicator,
            accessTokenTTL: state.settings.accessTokenTtl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => true,
    ttl: {
      AccessToken: accessTokenTtl,
      AuthorizationCode: 60,
      Grant: 14 * 24 * 3600,
      IdToken: 3600,
      Interaction: 3600,
      RefreshToken: 14 * 24 * 3600,
      Session: 14 * 24 * 3600,
    },
    interactions: { url: (_ctx, interaction) => `${mountPath}/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const account = DEMO_ACCOUNTS[sub];
      if (!account) return undefined;
      return { accountId: sub, claims: () => ({ sub, name: account.name }) };
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      for (const [name, value] of Object.entries(PAGE_HEADERS)) ctx.set(name, value);
      ctx.body = errorPage({ error: out.error, description: out.error_description });
    },
    clientBasedCORS: () => true,
    discovery: options.clientIdMetadataDocuments ? { client_id_metadata_document_supported: true } : {},
  };

  const provider = new Provider(issuer, configuration);
  provider.proxy = false;
  if (options.jwtBearer) {
    const tokenEndpoint = `${options.origin}${mountPath}${routes.token}`;
    registerJwtBearerGrant(provider, { ...options.jwtBearer, tokenEndpoint, lax: options.lax });
  }
  if (options.idJag) registerIdJagExchange(provider, key, options.idJag);
  // RFC 7523 §3 lets a server keep used jti values (oidc-provider does); the lax one forgets them.
  if (options.lax?.replay) provider.ReplayDetection.unique = async () => true;

  if (staticClientIds.size) {
    // Pre-registered clients cannot know where the inspector's callback lives; accept any loopback one.
    const { redirectUriAllowed } = provider.Client.prototype;
    provider.Client.prototype.redirectUriAllowed = function (
      this: InstanceType<Provider['Client']>,
      uri: string,
    ) {
      if (staticClientIds.has(this.clientId) && isLoopbackHttpUrl(uri)) return true;
      return redirectUriAllowed.call(this, uri);
    };
  }

  provider.use(async (ctx: KoaContextWithOIDC, next) => {
    await next();
    const route = ctx.oidc?.route;
    if (
      route === 'discovery' &&
      options.advertisePkce === false &&
      ctx.body &&
      typeof ctx.body === 'object'
    ) {
      delete (ctx.body as Record<string, unknown>).code_challenge_methods_supported;
    }
    if (route === 'registration') ctx.set('Access-Control-Allow-Origin', '*');
  });

  provider.on('access_token.issued', (token) => {
    state.recordAccessToken(token.jti, { issuer, grantId: token.grantId, exp: token.exp ?? 0 });
  });
  provider.on('grant.revoked', (_ctx, grantId) => state.recordGrantRevoked(issuer, grantId));
  provider.on('server_error', (_ctx, error) =>
    log?.(`as ${options.name} server_error: ${error.stack ?? error}`),
  );

  const callback = provider.callback();

  const revokeAllGrants = async () => {
    for (const grantId of store.ids('Grant')) {
      store.revokeByGrantId(grantId);
      store.delete(`Grant:${grantId}`);
      state.recordGrantRevoked(issuer, grantId);
    }
  };
  state.registerGrantRevoker(revokeAllGrants);
  // Opaque refresh tokens are their own ids in oidc-provider's storage.
  state.registerRefreshTokenLister(() => store.ids('RefreshToken'));

  // --- interactions (login, consent) ---------------------------------------------------------------

  async function handleInteraction(req: IncomingMessage, res: ServerResponse, uid: string, action: string) {
    const expectedMethod = action ? 'POST' : 'GET';
    if (req.method !== expectedMethod) {
      sendHtml(res, 405, errorPage({ error: 'method_not_allowed' }), {
        ...PAGE_HEADERS,
        Allow: expectedMethod,
      });
      return;
    }
    const details = await provider.interactionDetails(req, res).catch(() => undefined);
    if (!details || details.uid !== uid) {
      sendHtml(
        res,
        400,
        errorPage({
          error: 'interaction_expired',
          description:
            'This sign-in page expired or was opened in another browser. Start again from the client.',
        }),
        PAGE_HEADERS,
      );
      return;
    }

    const clientId = String(details.params.client_id ?? '');
    const client = await provider.Client.find(clientId).catch(() => undefined);
    const clientName = client?.clientName ?? clientId;
    const base = `${mountPath}/interaction/${uid}`;
    const prompt = details.prompt.name;

    const finish = async (result: InteractionResults, merge: boolean) => {
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: merge });
    };

    if (action === 'abort') {
      await finish({ error: 'access_denied', error_description: 'The user denied the request' }, false);
      return;
    }

    if (prompt === 'login') {
      if (action === 'login') {
        const form = await readForm(req);
        const username = (form.get('username') ?? '').trim();
        const account = DEMO_ACCOUNTS[username];
        if (account && form.get('password') === account.password) {
          await finish({ login: { accountId: username } }, false);
          return;
        }
        sendHtml(
          res,
          200,
          loginPage({
            action: `${base}/login`,
            issuer,
            clientName,
            username,
            error: 'Unknown username or wrong password.',
          }),
          PAGE_HEADERS,
        );
        return;
      }
      if (!action) {
        sendHtml(res, 200, loginPage({ action: `${base}/login`, issuer, clientName }), PAGE_HEADERS);
        return;
      }
    }

    if (prompt === 'consent') {
      const promptDetails = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (action === 'confirm') {
        const accountId = details.session?.accountId;
        if (!accountId) throw new Error('consent without a signed-in account');
        const grant = details.grantId
          ? await provider.Grant.find(details.grantId)
          : new provider.Grant({ accountId, clientId });
        if (!grant) throw new Error('grant not found');
        if (promptDetails.missingOIDCScope) grant.addOIDCScope(promptDetails.missingOIDCScope.join(' '));
        if (promptDetails.missingOIDCClaims) grant.addOIDCClaims(promptDetails.missingOIDCClaims);
        for (const [indicator, scopes] of Object.entries(promptDetails.missingResourceScopes ?? {})) {
          grant.addResourceScope(indicator, scopes.join(' '));
        }
        const grantId = await grant.save();
        await finish({ consent: details.grantId ? {} : { grantId } }, true);
        return;
      }
      if (!action) {
        const resourceScopes = Object.values(promptDetails.missingResourceScopes ?? {}).flat();
        const scopes = [...new Set([...(promptDetails.missingOIDCScope ?? []), ...resourceScopes])];
        const requestedResources = asList(details.params.resource);
        sendHtml(
          res,
          200,
          consentPage({
            confirmAction: `${base}/confirm`,
            abortAction: `${base}/abort`,
            issuer,
            account: details.session?.accountId ?? '',
            clientName,
            clientId,
            redirectUri: String(details.params.redirect_uri ?? ''),
            scopes: scopes.length ? scopes : asList(details.params.scope).flatMap((s) => s.split(' ')),
            resources: requestedResources.length
              ? requestedResources
              : Object.keys(promptDetails.missingResourceScopes ?? {}).length
                ? Object.keys(promptDetails.missingResourceScopes ?? {})
                : defaultResource
                  ? [defaultResource]
                  : [],
          }),
          PAGE_HEADERS,
        );
        return;
      }
    }

    sendHtml(
      res,
      400,
      errorPage({ error: 'invalid_request', description: `Unexpected step "${action || prompt}".` }),
      PAGE_HEADERS,
    );
  }

  return {
    issuer,
    jwksUri: `${options.origin}${mountPath}/jwks`,
    async handle(req, res) {
      const url = requestUrl(req, options.origin);
      let path = url.pathname;
      if (mountPath) {
        if (path !== mountPath && !path.startsWith(`${mountPath}/`)) return false;
        path = path.slice(mountPath.length) || '/';
      }

      const interaction = /^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/.exec(path);
      if (interaction) {
        await handleInteraction(req, res, interaction[1] as string, interaction[2] ?? '');
        return true;
      }
      if (options.rfc8414 && !mountPath && path === '/.well-known/oauth-authorization-server') {
        path = '/.well-known/openid-configuration';
      }
      if (path === routes.registration && req.method === 'OPTIONS') {
        sendPreflight(res, 'POST, OPTIONS');
        return true;
      }
      // RFC 6749 §3.3: a request without scope gets the default scope.
      if (path === routes.authorization && req.method === 'GET' && !url.searchParams.get('scope')) {
        url.searchParams.set('scope', BASE_SCOPE);
      }

      const nodeReq = req as NodeRequest;
      nodeReq.url = `${path}${url.search}`;
      nodeReq.originalUrl = `${mountPath}${nodeReq.url}`;
      await callback(req, res);
      return true;
    },
    revokeAllGrants,
  };
}
