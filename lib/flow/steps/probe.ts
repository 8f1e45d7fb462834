import { type McpEra, MODERN_PROTOCOL_VERSION } from '../../mcp/client';
import { rawMcpRequest } from '../../mcp/raw';
import { isOutboundError } from '../../oauth/errors';
import { parseBearerChallenge, parseWWWAuthenticate } from '../../oauth/www-authenticate';
import { atLeast } from '../../spec/version';
import { outboundFlowError } from '../errors';
import type { FlowState, StateAt } from '../state';
import type { StepRun } from '../step-run';
import { FlowError } from '../types';
import { firstJsonRpcMessage, readText } from './util';

const A1 = 'MCP 2025-11-25 §Error Handling (A1)';

/**
 * Step 1: POST `initialize` without a token. A protected MCP server answers 401 with a Bearer
 * challenge that points at its protected resource metadata.
 * @see MCP 2025-11-25 §Error Handling, §Protected Resource Metadata Discovery Requirements; RFC 6750 §3
 */
export async function runProbe(state: StateAt<'probe'>, run: StepRun): Promise<FlowState> {
  const { serverUrl, specVersion } = state.options;
  if (!URL.canParse(serverUrl) || !['http:', 'https:'].includes(new URL(serverUrl).protocol)) {
    throw new FlowError({
      code: 'invalid_options',
      message: `${serverUrl} is not an http(s) URL.`,
      hint: 'Enter the MCP endpoint, e.g. https://mcp.example.com/mcp.',
    });
  }
  // A dual-era client opens with a modern request and falls back to initialize on a 4xx that is not a
  // recognised modern error (MCP 2026-07-28 §Streamable HTTP, Backward Compatibility).
  let era: McpEra = 'modern';
  let sent = await sendProbe(run, serverUrl, 'modern');
  if (rejectsWhileListing(sent, MODERN_PROTOCOL_VERSION)) {
    // UnsupportedProtocolVersionError naming 2026-07-28 as supported: retry once, as the spec says
    // clients select a version from the list and retry (MCP 2026-07-28 §Versioning).
    run.fact(
      'versionRetry',
      'The server rejected 2026-07-28 while listing it as supported; asked once more.',
    );
    sent = await sendProbe(run, serverUrl, 'modern');
  }
  if (isLegacyRejection(sent)) {
    run.fact(
      'wire',
      `server/discover at 2026-07-28 got ${sent.response.status} without a recognised modern error: probing again with initialize (legacy servers).`,
    );
    era = 'legacy';
    sent = await sendProbe(run, serverUrl, 'legacy');
  }
  const { response, body, call } = sent;
  const ids = call.exchangeIds;
  const status = response.status;
  const contentType = response.headers.get('content-type');
  run.check('probe.reachable', 'pass', `${serverUrl} answered HTTP ${status}.`, { exchangeIds: ids });
  run.fact('status', status);

  const header = response.headers.get('www-authenticate') ?? undefined;
  const challenge = parseBearerChallenge(header);

  if (status === 401 || (status === 403 && challenge)) {
    if (status === 401) {
      run.check(
        'probe.unauthorized',
        'pass',
        'Answered 401 to a request without a token, so clients know to start OAuth.',
        {
          expected: '401',
          actual: '401',
          exchangeIds: ids,
        },
      );
    } else {
      run.check(
        'probe.unauthorized',
        'fail',
        'Answered 403 to a request without a token. A missing token is a 401 (403 means insufficient scope); the SDK’s transport only starts OAuth on 401. The inspector continues with the challenge it got.',
        { expected: '401', actual: '403', exchangeIds: ids },
      );
    }
    judgeChallenge(run, specVersion, header, ids);
    judgeCors(run, response.headers, ids);
    run.fact('wwwAuthenticate', header ?? null);
    if (challenge) run.fact('challenge', challenge.params);
    return {
      ...state,
      step: 'prm',
      probe: { status, ...(header ? { wwwAuthenticate: header } : {}), ...(challenge ? { challenge } : {}) },
    };
  }

  if (status >= 300 && status < 400) {
    const location = response.headers.get('location');
    throw run.fail(
      'probe.unauthorized',
      {
        code: 'not_mcp',
        message: `${serverUrl} redirects${location ? ` to ${location}` : ''} instead of answering MCP.`,
        hint: location
          ? `Enter the URL it redirects to (${location}) if that is the MCP endpoint.`
          : 'Check the URL.',
        expected: '401',
        actual: String(status),
        specRef: A1,
      },
      {
        checkMessage: `Answered ${status} (redirect${location ? ` to ${location}` : ''}) instead of 401.`,
        actual: `${status}${location ? ` → ${location}` : ''}`,
        exchangeIds: ids,
      },
    );
  }

  const message = firstJsonRpcMessage(body, contentType);
  const result = message?.result as
    | {
        protocolVersion?: unknown;
        supportedVersions?: unknown;
        serverInfo?: { name?: unknown };
        _meta?: Record<string, { name?: unknown } | undefined>;
      }
    | undefined;
  const opened = era === 'modern' ? 'server/discover' : 'initialize';
  if (
    status === 200 &&
    result &&
    typeof result === 'object' &&
    (era === 'modern' ? 'supportedVersions' in result : 'protocolVersion' in result)
  ) {
    const serverName = result.serverInfo?.name ?? result._meta?.['io.modelcontextprotocol/serverInfo']?.name;
    const name = typeof serverName === 'string' ? ` (${serverName})` : '';
    // A server may leave initialize open and challenge the requests that follow (MCP only says a
    // client starts OAuth on a 401, not on which request). Ask for the tool list in that session.
    const later = await challengeAfterOpen(run, serverUrl, era, response.headers.get('mcp-session-id'));
    if (later) {
      // 2026 clients send server/discover first and meet the challenge on the next request, as the
      // SDK does; a 2025 client that only expects the 401 on initialize never authorizes.
      run.check(
        'probe.unauthorized',
        era === 'modern' ? 'pass' : 'warn',
        era === 'modern'
          ? `server/discover answered 200 without a token${name} and tools/list answered ${later.status} with a Bearer challenge, so OAuth starts there (server/discover may be public).`
          : `initialize answered 200 without a token${name}, but tools/list answered ${later.status} with a Bearer challenge, so OAuth starts there. Clients that only expect the 401 on initialize never authorize.`,
        {
          expected: era === 'modern' ? '401 before any tool is listed' : '401 on the first request',
          actual: `200 on ${opened}, ${later.status} on tools/list`,
          exchangeIds: [...ids, ...later.exchangeIds],
        },
      );
      judgeChallenge(run, specVersion, later.header, later.exchangeIds);
      judgeCors(run, later.headers, later.exchangeIds);
      run.fact('wwwAuthenticate', later.header ?? null);
      if (later.challenge) run.fact('challenge', later.challenge.params);
      return {
        ...state,
        step: 'prm',
        probe: {
          status: later.status,
          handshakeOpen: true,
          ...(later.header ? { wwwAuthenticate: later.header } : {}),
          ...(later.challenge ? { challenge: later.challenge } : {}),
        },
      };
    }
    // Authorization is OPTIONAL in MCP (2025-11-25 and 2026-07-28 §Authorization): an open server
    // breaks no rule, but there is no OAuth to inspect. Say so, and connect without a token.
    run.check(
      'probe.unauthorized',
      'warn',
      `Server answered 200 with a${era === 'modern' ? ' server/discover' : 'n initialize'} result${name} to an unauthenticated request, and tools/list without a token was not challenged either: this server requires no authorization (MCP makes authorization optional). There is no OAuth to inspect; the inspector connects without a token. If the server should be protected, make it answer 401 with WWW-Authenticate: Bearer resource_metadata="…".`,
      { expected: '401', actual: `200 (${opened} result)`, exchangeIds: ids },
    );
    run.fact('unprotected', 'The server requires no authorization; the OAuth steps are skipped.');
    return { ...state, step: 'mcp-init', unprotected: true, probe: { status } };
  }
  if (message) {
    const error = message.error as { message?: unknown } | undefined;
    throw run.fail(
      'probe.unauthorized',
      {
        code: 'no_challenge',
        message: `Server answered ${status}${typeof error?.message === 'string' ? ` (“${error.message}”)` : ''} to an unauthenticated ${opened}. Clients only start OAuth after a 401.`,
        hint: 'A protected MCP server answers 401 with a Bearer challenge before looking at the request.',
        expected: '401',
        actual: String(status),
        specRef: A1,
      },
      {
        checkMessage: `Server answered ${status} with a JSON-RPC ${error ? 'error' : 'message'} instead of 401.`,
        actual: `${status}${typeof error?.message === 'string' ? ` (${error.message})` : ''}`,
        exchangeIds: ids,
      },
    );
  }

  const kind = contentType ? contentType.split(';')[0] : 'no content type';
  throw run.fail(
    'probe.unauthorized',
    {
      code: 'not_mcp',
      message: `${serverUrl} answered ${status} (${kind}) to an MCP ${opened} request: it does not look like an MCP server.`,
      hint: 'Check the URL: Streamable HTTP MCP endpoints usually live at a path such as /mcp and answer POST with JSON or text/event-stream.',
      expected: '401 with WWW-Authenticate: Bearer',
      actual: `${status} ${kind}`,
      specRef: 'MCP 2025-11-25 §Transports (Streamable HTTP)',
    },
    {
      checkMessage: `Answered ${status} (${kind}), which is not an MCP response.`,
      expected: '401',
      exchangeIds: ids,
    },
  );
}

function judgeChallenge(
  run: StepRun,
  spec: StateAt<'probe'>['options']['specVersion'],
  header: string | undefined,
  ids: string[],
) {
  const challenges = parseWWWAuthenticate(header);
  const bearer = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'dpop');
  const v11 = atLeast(spec, '2025-11-25');
  const v06 = atLeast(spec, '2025-06-18');
  if (!bearer) {
    const what = header
      ? `The 401 has WWW-Authenticate (${challenges.map((c) => c.scheme).join(', ') || 'unparseable'}) but no Bearer challenge.`
      : 'The 401 has no WWW-Authenticate header.';
    if (!v06) {
      run.check(
        'probe.www-authenticate',
        'skip',
        `${what} 2025-03-26 does not use it; clients discover from the server’s origin.`,
        { exchangeIds: ids },
      );
    } else {
      run.check(
        'probe.www-authenticate',
        v11 ? 'warn' : 'fail',
        `${what} ${v11 ? '2025-11-25 lets servers offer the well-known URL instead, so the inspector falls back to well-known probing; 2025-06-18 clients require the header.' : '2025-06-18 requires it (MUST).'}`,
        {
          expected: 'WWW-Authenticate: Bearer resource_metadata="…"',
          actual: header ?? '(absent)',
          exchangeIds: ids,
        },
      );
    }
    run.check('probe.resource-metadata-param', 'skip', 'No Bearer challenge to read.', { exchangeIds: ids });
    run.check('probe.scope-param', 'skip', 'No Bearer challenge to read.', { exchangeIds: ids });
    return;
  }
  run.check('probe.www-authenticate', 'pass', `The 401 carries a Bearer challenge: ${header}`, {
    exchangeIds: ids,
  });

  const rm = bearer.params.resource_metadata;
  if (rm) {
    run.check(
      'probe.resource-metadata-param',
      URL.canParse(rm) ? 'pass' : 'warn',
      URL.canParse(rm)
        ? `resource_metadata points to ${rm}.`
        : `resource_metadata is not an absolute URL: ${rm}.`,
      {
        actual: rm,
        exchangeIds: ids,
      },
    );
  } else if (!v06) {
    run.check('probe.resource-metadata-param', 'skip', 'No resource_metadata; 2025-03-26 does not use it.', {
      exchangeIds: ids,
    });
  } else {
    run.check(
      'probe.resource-metadata-param',
      v11 ? 'warn' : 'fail',
      `The 401 has no readable resource_metadata, so the doctor fell back to well-known probing.${v11 ? ' (2025-11-25 allows this when the well-known URL works; 2025-06-18 requires the parameter.)' : ' 2025-06-18 requires it.'}`,
      { expected: 'resource_metadata="https://…"', actual: '(absent)', exchangeIds: ids },
    );
  }

  const scope = bearer.params.scope;
  if (scope) {
    run.check(
      'probe.scope-param',
      'pass',
      `The challenge asks for scope "${scope}"; the authorization request will use it.`,
      {
        actual: scope,
        exchangeIds: ids,
      },
    );
  } else if (v11) {
    run.check(
      'probe.scope-param',
      'warn',
      'The challenge has no scope. 2025-11-25 says it SHOULD, so clients know what to request; they fall back to scopes_supported.',
      { expected: 'scope="…"', actual: '(absent)', exchangeIds: ids },
    );
  } else {
    run.check(
      'probe.scope-param',
      'skip',
      `No scope in the challenge; ${'revisions before 2025-11-25 do not ask for it'}.`,
      { exchangeIds: ids },
    );
  }
}

function judgeCors(run: StepRun, headers: Headers, ids: string[]) {
  const allowOrigin = headers.get('access-control-allow-origin');
  if (!allowOrigin) {
    run.check(
      'probe.cors-expose',
      'skip',
      'No CORS headers (the inspector probes from its server and sends no Origin). Browser-based MCP clients need Access-Control-Expose-Headers: WWW-Authenticate, or they read the header as null.',
      { exchangeIds: ids },
    );
    return;
  }
  const exposed = (headers.get('access-control-expose-headers') ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase());
  if (exposed.includes('www-authenticate') || exposed.includes('*')) {
    run.check('probe.cors-expose', 'pass', 'CORS exposes WWW-Authenticate to browser clients.', {
      exchangeIds: ids,
    });
  } else {
    run.check(
      'probe.cors-expose',
      'warn',
      'The 401 allows CORS but does not list WWW-Authenticate in Access-Control-Expose-Headers, so JavaScript in a browser reads the header as null. Desktop clients still work.',
      {
        expected: 'Access-Control-Expose-Headers: WWW-Authenticate',
        actual: headers.get('access-control-expose-headers') ?? '(absent)',
        exchangeIds: ids,
      },
    );
  }
}

/**
 * After an unauthenticated server/discover or initialize succeeded: `tools/list`, still without a
 * token (legacy: in the session, after `notifications/initialized`). Returns the challenge when it
 * answers 401 (or 403 with a Bearer challenge); undefined when it does not (the server really is open).
 * @see MCP 2026-07-28 §Versioning; MCP 2025-11-25 §Lifecycle (Initialization); §Error Handling
 */
async function challengeAfterOpen(
  run: StepRun,
  serverUrl: string,
  era: McpEra,
  sessionId: string | null,
): Promise<
  | {
      status: number;
      header?: string;
      challenge?: ReturnType<typeof parseBearerChallenge>;
      headers: Headers;
      exchangeIds: string[];
    }
  | undefined
> {
  const call = run.traced(
    `${A1} — ${era === 'modern' ? 'server/discover' : 'initialize'} was open: tools/list without a token, to find the challenge`,
  );
  try {
    if (era === 'legacy') {
      const note = rawMcpRequest({
        era,
        method: 'notifications/initialized',
        ...(sessionId ? { sessionId } : {}),
      });
      const noteBody = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' });
      await readText(
        await call.fetch(serverUrl, {
          method: 'POST',
          headers: note.headers,
          body: noteBody,
          redirect: 'manual',
        }),
      );
    }
    const list = rawMcpRequest({ era, method: 'tools/list', id: 1, ...(sessionId ? { sessionId } : {}) });
    const response = await call.fetch(serverUrl, {
      method: 'POST',
      headers: list.headers,
      body: list.body,
      redirect: 'manual',
    });
    await readText(response);
    const header = response.headers.get('www-authenticate') ?? undefined;
    const challenge = parseBearerChallenge(header);
    if (response.status !== 401 && !(response.status === 403 && challenge)) return undefined;
    return {
      status: response.status,
      ...(header ? { header } : {}),
      ...(challenge ? { challenge } : {}),
      headers: response.headers,
      exchangeIds: call.exchangeIds,
    };
  } catch (err) {
    if (!isOutboundError(err)) throw err;
    return undefined;
  }
}

interface SentProbe {
  response: Response;
  body: string;
  call: ReturnType<StepRun['traced']>;
}

/** One unauthenticated request: server/discover (modern) or initialize (legacy). */
async function sendProbe(run: StepRun, serverUrl: string, era: McpEra): Promise<SentProbe> {
  const method = era === 'modern' ? 'server/discover' : 'initialize';
  const call = run.traced(`${A1} — ${method} without a token; a protected server answers 401`);
  const { headers, body } = rawMcpRequest({ era, method, id: 0 });
  let response: Response;
  try {
    response = await call.fetch(serverUrl, { method: 'POST', headers, body, redirect: 'manual' });
  } catch (err) {
    if (!isOutboundError(err)) throw err;
    run.check('probe.reachable', 'fail', `No HTTP answer from ${serverUrl}: ${err.message}`, {
      exchangeIds: call.exchangeIds,
    });
    throw outboundFlowError(err, `The MCP server at ${serverUrl} could not be reached`);
  }
  return { response, body: await readText(response), call };
}

/** A 400 UnsupportedProtocolVersionError whose `supported` list names `version`. */
function rejectsWhileListing(sent: SentProbe, version: string): boolean {
  if (sent.response.status !== 400) return false;
  const error = firstJsonRpcMessage(sent.body, sent.response.headers.get('content-type'))?.error as
    | { code?: unknown; data?: { supported?: unknown } }
    | undefined;
  return (
    error?.code === -32022 && Array.isArray(error.data?.supported) && error.data.supported.includes(version)
  );
}

/** JSON-RPC codes only a modern server sends (MCP 2026-07-28 §Error Codes), and Method not found. */
const MODERN_ERROR_CODES = new Set([-32020, -32021, -32022]);

/**
 * Whether the answer to the modern probe identifies a legacy server: 400, 404 or 405 without a
 * recognised modern JSON-RPC error in the body (a modern 404 carries -32601).
 * @see MCP 2026-07-28 §Streamable HTTP (Backward Compatibility)
 */
function isLegacyRejection(sent: SentProbe): boolean {
  const { status } = sent.response;
  if (![400, 404, 405].includes(status)) return false;
  const message = firstJsonRpcMessage(sent.body, sent.response.headers.get('content-type'));
  const error = message?.error as { code?: unknown; data?: { supported?: unknown } } | undefined;
  const code = error?.code;
  if (typeof code !== 'number') return true;
  if (MODERN_ERROR_CODES.has(code)) {
    // Modern, but not 2026-07-28: fall back only when it lists a legacy revision it speaks.
    const supported = error?.data?.supported;
    return Array.isArray(supported) && supported.some((v) => typeof v === 'string' && v < '2026-07-28');
  }
  return !(status === 404 && code === -32601);
}
