import { selectScope } from '../../oauth/authorization';
import { classifyUrlSecurity } from '../../oauth/canonical-uri';
import { describeOAuthError, isOutboundError } from '../../oauth/errors';
import {
  buildDcrMetadata,
  dynamicClientRegistrationRequest,
  type LintProblem,
  lintClientIdMetadataDocument,
  lintClientIdMetadataUrl,
  processDynamicClientRegistrationResponse,
} from '../../oauth/registration';
import { atLeast } from '../../spec/version';
import { oauthFlowError } from '../errors';
import { unionScopes } from '../recovery';
import type { ClientInfo, ClientRoute, FlowState, StateAt } from '../state';
import type { StepRun } from '../step-run';
import { FlowError, type FlowSecrets } from '../types';
import { readText } from './util';

const ROUTE_LABEL: Record<ClientRoute, string> = {
  'pre-registered': 'pre-registered client',
  cimd: 'Client ID Metadata Document',
  dcr: 'Dynamic Client Registration',
};

const PRIORITY: ClientRoute[] = ['pre-registered', 'cimd', 'dcr'];

type RegistrationResult = { client: ClientInfo; secrets: FlowSecrets } | { fallThrough: string };

/**
 * Step 4: get a client id. Priority: pre-registered credentials, then a Client ID Metadata Document
 * (when the AS supports it and the inspector has a public https URL), then Dynamic Client
 * Registration, else stop and say what the operator or user can do. Options may force a route.
 * @see MCP 2025-11-25 §Client Registration Approaches
 */
export async function runRegistration(state: StateAt<'registration'>, run: StepRun): Promise<FlowState> {
  const { options } = state;
  const md = state.authorizationServer.metadata;
  const available: Record<ClientRoute, boolean> = {
    'pre-registered': Boolean(options.preRegistered?.clientId),
    cimd: md.client_id_metadata_document_supported === true && Boolean(options.clientMetadataUrl),
    dcr: typeof md.registration_endpoint === 'string',
  };
  const why: Record<ClientRoute, string> = {
    'pre-registered': available['pre-registered'] ? 'a client id was given' : 'no client id was given',
    cimd:
      md.client_id_metadata_document_supported !== true
        ? 'the AS does not advertise client_id_metadata_document_supported'
        : options.clientMetadataUrl
          ? 'the AS supports it and the inspector has a public metadata URL'
          : 'the AS supports it, but the inspector has no public https URL for its metadata document',
    dcr: available.dcr
      ? `registration_endpoint ${md.registration_endpoint}`
      : 'the AS has no registration_endpoint',
  };
  run.fact(
    'routes',
    PRIORITY.map((r) => ({ route: r, available: available[r], why: why[r] })),
  );

  judgeRedirectUri(run, options.redirectUri);

  const forced = options.registration === 'auto' ? undefined : options.registration;
  const order = forced ? [forced] : PRIORITY.filter((r) => available[r]);
  const routesText = PRIORITY.map(
    (r) => `${ROUTE_LABEL[r]}: ${available[r] ? 'yes' : 'no'} (${why[r]})`,
  ).join('; ');

  if (forced && !available[forced]) {
    throw run.fail(
      'registration.route-available',
      {
        code: 'registration_unavailable',
        message: `The ${ROUTE_LABEL[forced]} route was chosen, but ${why[forced]}.`,
        hint: `Choose “auto” or another route. Available here: ${
          PRIORITY.filter((r) => available[r])
            .map((r) => ROUTE_LABEL[r])
            .join(', ') || 'none'
        }.`,
      },
      { expected: forced, actual: PRIORITY.filter((r) => available[r]).join(', ') || '(none)' },
    );
  }
  if (order.length === 0) {
    throw run.fail(
      'registration.route-available',
      {
        code: 'registration_unavailable',
        message:
          'The authorization server offers no registration endpoint and no Client ID Metadata Document support, and no client id was given.',
        hint: `Ask the authorization server’s operator for a client id registered with redirect URI ${options.redirectUri}, then give it as a pre-registered client (CLI: --client-id ID, and --client-secret for a confidential client; web app: Options › “Client ID (pre-registered)”), or enable Dynamic Client Registration (RFC 7591) on the authorization server.`,
      },
      {
        checkMessage: `No way to get a client id: ${routesText}. Give a pre-registered client id (CLI: --client-id; web app: Options › “Client ID (pre-registered)”).`,
        expected: 'one route',
        actual: '(none)',
      },
    );
  }

  const dcrNote =
    !available.dcr && !atLeast(options.specVersion, '2025-11-25')
      ? ` ${options.specVersion} says authorization servers SHOULD support Dynamic Client Registration; this one does not.`
      : '';
  const notes: string[] = [];
  for (const route of order) {
    const result =
      route === 'pre-registered'
        ? preRegistered(state, run)
        : route === 'cimd'
          ? await clientIdMetadataDocument(state, run, forced === 'cimd' || !order.includes('dcr'))
          : await dynamicRegistration(state, run);
    if ('fallThrough' in result) {
      notes.push(result.fallThrough);
      continue;
    }
    run.check(
      'registration.route-available',
      dcrNote ? 'warn' : 'pass',
      `Using the ${ROUTE_LABEL[route]}${forced ? ' (chosen in the options)' : ''}. Routes, in the spec’s priority order: ${routesText}.${notes.length ? ` ${notes.join(' ')}` : ''}${dcrNote}`,
      { actual: route },
    );
    run.fact('route', route);
    run.fact('clientId', result.client.clientId);
    return { ...state, step: 'authorize', client: result.client, secrets: result.secrets };
  }
  // Only reached when every route fell through; the last route's check already explains why.
  throw new FlowError({
    code: 'registration_failed',
    message: `No registration route worked: ${notes.join(' ')}`,
    specRef: 'MCP 2025-11-25 §Client Registration Approaches',
  });
}

function judgeRedirectUri(run: StepRun, redirectUri: string) {
  const security = classifyUrlSecurity(redirectUri);
  if (security === 'https' || security === 'http-loopback') {
    run.check(
      'registration.redirect-uri',
      'pass',
      `${redirectUri} is ${security === 'https' ? 'HTTPS' : 'a loopback address'}.`,
      {
        actual: redirectUri,
      },
    );
  } else {
    run.check(
      'registration.redirect-uri',
      'fail',
      `${redirectUri} is neither HTTPS nor localhost; redirect URIs MUST be one of them.`,
      {
        expected: 'https://… or http://localhost…',
        actual: redirectUri,
      },
    );
  }
}

function preRegistered(state: StateAt<'registration'>, run: StepRun): RegistrationResult {
  const pre = state.options.preRegistered!;
  const secret = state.secrets.clientSecret;
  const key = state.secrets.clientPrivateKey;
  const method =
    pre.tokenEndpointAuthMethod ?? (key ? 'private_key_jwt' : secret ? 'client_secret_basic' : 'none');
  if (method === 'private_key_jwt' && !key) {
    throw run.fail(
      'registration.pre-registered',
      {
        code: 'invalid_options',
        message:
          'The pre-registered client uses private_key_jwt, which needs its private key; none was given.',
        hint: 'Give the private key (PKCS#8 PEM): --client-private-key FILE in the CLI.',
      },
      { checkMessage: 'private_key_jwt needs the client’s private key, and none was given.' },
    );
  }
  if (method !== 'none' && method !== 'private_key_jwt' && !secret) {
    throw run.fail(
      'registration.pre-registered',
      {
        code: 'invalid_options',
        message: `The pre-registered client uses ${method}, which needs a client secret; none was given.`,
        hint: 'Enter the client secret, or choose token endpoint auth method “none” for a public client.',
      },
      { checkMessage: `token_endpoint_auth_method ${method} needs a client secret, and none was given.` },
    );
  }
  const supported = state.authorizationServer.metadata.token_endpoint_auth_methods_supported;
  const unsupported = Array.isArray(supported) && !supported.includes(method);
  run.check(
    'registration.pre-registered',
    unsupported ? 'warn' : 'pass',
    `Client id ${pre.clientId}, token endpoint auth ${method}.${unsupported ? ` The AS lists only ${JSON.stringify(supported)}.` : ''}`,
    { actual: pre.clientId },
  );
  return {
    client: {
      route: 'pre-registered',
      clientId: pre.clientId,
      tokenEndpointAuthMethod: method,
      issuer: state.authorizationServer.issuer,
      hasClientSecret: Boolean(secret),
    },
    secrets: state.secrets,
  };
}

async function clientIdMetadataDocument(
  state: StateAt<'registration'>,
  run: StepRun,
  last: boolean,
): Promise<RegistrationResult> {
  const url = state.options.clientMetadataUrl!;
  const problems: LintProblem[] = lintClientIdMetadataUrl(url);
  const call = run.traced(
    'draft-ietf-oauth-client-id-metadata-document §4.1 — the inspector’s own client metadata document, as the AS will fetch it',
  );
  try {
    const response = await call.fetch(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      redirect: 'manual',
    });
    const text = await readText(response);
    if (response.status !== 200) {
      problems.push({ level: 'fail', message: `the document URL answered HTTP ${response.status}` });
    } else {
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        doc = undefined;
      }
      problems.push(...lintClientIdMetadataDocument(doc, url, state.options.redirectUri));
    }
  } catch (err) {
    if (!isOutboundError(err)) throw err;
    // The AS fetches the document, not the client: a URL this machine cannot reach (a private
    // resolver, a firewall) may still work for the AS, so it is used, with a warning.
    problems.push({
      level: 'warn',
      message: `the document could not be fetched from here to check it (${err.message}); the authorization server must be able to fetch it`,
    });
  }
  const fails = problems.filter((p) => p.level === 'fail');
  if (fails.length) {
    const message = `The Client ID Metadata Document at ${url} has problems: ${problems.map((p) => p.message).join('; ')}.`;
    run.check('registration.cimd', 'fail', message, { exchangeIds: call.exchangeIds, actual: url });
    if (last) {
      throw new FlowError({
        code: 'registration_failed',
        message,
        hint: 'The inspector must be served over https with a public URL for authorization servers to fetch its metadata document.',
        specRef: 'draft-ietf-oauth-client-id-metadata-document-00 §3, §4.1',
      });
    }
    return {
      fallThrough:
        'The Client ID Metadata Document cannot be used, so Dynamic Client Registration is tried next.',
    };
  }
  run.check(
    'registration.cimd',
    problems.length ? 'warn' : 'pass',
    `client_id is the document URL ${url}${problems.length ? `; ${problems.map((p) => p.message).join('; ')}` : ''}. The AS fetches and validates it when the browser arrives.`,
    { actual: url, exchangeIds: call.exchangeIds },
  );
  return {
    client: {
      route: 'cimd',
      clientId: url,
      tokenEndpointAuthMethod: 'none',
      issuer: state.authorizationServer.issuer,
      hasClientSecret: false,
    },
    secrets: state.secrets,
  };
}

/**
 * Registration responses oauth4webapi refuses but a client can use, each with the note the check
 * shows: 200 instead of 201 Created, and a client_secret without the client_secret_expires_at that
 * RFC 7591 §3.2.1 requires alongside it (0 means "does not expire"). Undefined: let oauth4webapi judge.
 * @see RFC 7591 §3.2.1
 */
async function lenientRegistrationBody(
  response: Response,
): Promise<{ body: Record<string, unknown>; note: string } | undefined> {
  if (response.status !== 200 && response.status !== 201) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(await readText(response.clone()));
  } catch {
    return undefined;
  }
  if (!body || typeof body !== 'object' || typeof (body as { client_id?: unknown }).client_id !== 'string') {
    if (response.status === 200) throw new Error('the 200 response has no client_id');
    return undefined;
  }
  const b = body as Record<string, unknown>;
  const notes: string[] = [];
  if (response.status === 200) notes.push('The endpoint answered 200; RFC 7591 §3.2.1 says 201 Created.');
  if (typeof b.client_secret === 'string' && b.client_secret_expires_at === undefined) {
    notes.push(
      'The response has a client_secret without client_secret_expires_at, which RFC 7591 §3.2.1 requires with it; the secret is taken not to expire.',
    );
  }
  return notes.length ? { body: b, note: notes.join(' ') } : undefined;
}

const SECRET_FIELDS = new Set(['client_secret', 'registration_access_token']);

async function dynamicRegistration(
  state: StateAt<'registration'>,
  run: StepRun,
): Promise<RegistrationResult> {
  const { options } = state;
  const as = state.authorizationServer.metadata;
  const { scope: requested } = selectScope({
    explicit: options.scope,
    challengeScope: state.probe.challenge?.scope,
    scopesSupported: state.resource.mode === 'prm' ? state.resource.scopesSupported : undefined,
  });
  // RFC 7591 §2: the scopes the client can use. Every scope the resource lists, not only the first
  // request's, so a later step-up with the same registration is not refused as invalid_scope.
  const scope = unionScopes(
    requested,
    ...(state.resource.mode === 'prm' ? (state.resource.scopesSupported ?? []) : []),
  );
  const metadata = buildDcrMetadata({
    redirectUri: options.redirectUri,
    clientName: options.clientName,
    scope,
  });
  run.fact('registrationRequest', metadata);
  const call = run.traced(
    'RFC 7591 §3.1 — Dynamic Client Registration of a public client (token_endpoint_auth_method "none")',
  );
  let response: Response;
  let registered: Record<string, unknown>;
  const registrationNotes: string[] = [];
  try {
    response = await dynamicClientRegistrationRequest(call.fetch, as, metadata);
    const lenient = await lenientRegistrationBody(response);
    if (lenient) {
      registered = lenient.body;
      registrationNotes.push(lenient.note);
    } else {
      registered = (await processDynamicClientRegistrationResponse(response)) as Record<string, unknown>;
    }
  } catch (err) {
    const d = describeOAuthError(err, 'The registration endpoint');
    const detail = d.oauthError
      ? `${d.oauthError}${d.errorDescription ? `: ${d.errorDescription}` : ''}`
      : d.message;
    run.check('registration.dcr', 'fail', `Registration failed: ${detail}.`, {
      expected: '201 with client_id',
      actual: d.actual ?? (d.status ? String(d.status) : d.message),
      exchangeIds: call.exchangeIds,
    });
    throw oauthFlowError(
      d,
      'registration_failed',
      {
        message: `Registration failed: ${detail}.`,
        hint:
          d.oauthError === 'invalid_redirect_uri'
            ? `The AS refused the redirect URI ${options.redirectUri}. Some authorization servers only accept https, or only pre-approved hosts.`
            : d.oauthError === 'invalid_client_metadata'
              ? 'The AS refused part of the client metadata (see the request body); its error description names the field.'
              : 'See the registration exchange for the authorization server’s answer.',
        expected: '201 with client_id',
        specRef: 'RFC 7591 §3.2',
      },
      err,
    );
  }
  const clientId = registered.client_id as string;
  const method =
    typeof registered.token_endpoint_auth_method === 'string'
      ? registered.token_endpoint_auth_method
      : 'none';
  const clientSecret = typeof registered.client_secret === 'string' ? registered.client_secret : undefined;
  const registrationAccessToken =
    typeof registered.registration_access_token === 'string'
      ? registered.registration_access_token
      : undefined;
  run.addSecret(clientSecret);
  run.addSecret(registrationAccessToken);
  const publicPart = Object.fromEntries(Object.entries(registered).filter(([k]) => !SECRET_FIELDS.has(k)));
  const notes: string[] = [...registrationNotes];
  if (method !== 'none')
    notes.push(`The AS registered token_endpoint_auth_method ${method} instead of "none".`);
  run.check(
    'registration.dcr',
    notes.length ? 'warn' : 'pass',
    `Registered client_id ${clientId} (HTTP ${response.status}).${notes.length ? ` ${notes.join(' ')}` : ''}`,
    {
      expected: '201 with client_id',
      actual: `${response.status} client_id=${clientId}`,
      exchangeIds: call.exchangeIds,
    },
  );
  return {
    client: {
      route: 'dcr',
      clientId,
      tokenEndpointAuthMethod: method,
      issuer: state.authorizationServer.issuer,
      hasClientSecret: Boolean(clientSecret),
      registration: publicPart,
    },
    secrets: {
      ...state.secrets,
      ...(clientSecret ? { clientSecret } : {}),
      ...(registrationAccessToken ? { registrationAccessToken } : {}),
    },
  };
}
