/**
 * CORS for browser-based MCP clients (checklist item 30). The inspector itself never needs CORS (it
 * probes from its server), and desktop clients are unaffected, so this only ever warns: it names each
 * endpoint a browser client could not use and which header is missing.
 *
 * Every request carries an `Origin` of a made-up browser client and is one a browser would send: the
 * preflight (OPTIONS with Access-Control-Request-Method/-Headers) and then the request itself, with no
 * credential that could change anything (the MCP request has no token, the token request a made-up
 * refresh token; registration is only preflighted, never posted).
 * @see Fetch Standard §CORS protocol; MCP 2025-11-25 §Protected Resource Metadata Discovery Requirements
 */
import type { Connected } from '../access';
import type { StepRun } from '../step-run';
import { auditRequest } from './raw';

/** The origin of the browser client the preflights pretend to come from (RFC 2606 name). */
export const BROWSER_ORIGIN = 'https://browser-client.example';

/** What one endpoint lacks for browser clients; empty when nothing. */
export interface CorsFinding {
  endpoint: string;
  url: string;
  missing: string[];
  exchangeIds: string[];
}

const list = (v: string | null) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);

function allowsOrigin(headers: Headers): boolean {
  const allow = headers.get('access-control-allow-origin');
  return allow === '*' || allow === BROWSER_ORIGIN;
}

/**
 * What a preflight answer lacks for `method` and `requestHeaders`. A wildcard in Allow-Headers does
 * not cover Authorization (Fetch Standard: it must be named).
 */
export function preflightGaps(
  status: number | undefined,
  headers: Headers | undefined,
  method: string,
  requestHeaders: string[],
): string[] {
  if (status === undefined || !headers) return ['an answer to the preflight'];
  const gaps: string[] = [];
  if (status < 200 || status >= 300) gaps.push(`a 2xx answer to the preflight (got ${status})`);
  if (!allowsOrigin(headers)) gaps.push('Access-Control-Allow-Origin on the preflight');
  const methods = list(headers.get('access-control-allow-methods'));
  // GET and POST are CORS-safelisted methods: they need not be listed.
  if (
    !['GET', 'HEAD', 'POST'].includes(method) &&
    !methods.includes('*') &&
    !methods.includes(method.toLowerCase())
  )
    gaps.push(`${method} in Access-Control-Allow-Methods`);
  const allowed = list(headers.get('access-control-allow-headers'));
  const missing = requestHeaders.filter(
    (h) =>
      !allowed.includes(h.toLowerCase()) && !(allowed.includes('*') && h.toLowerCase() !== 'authorization'),
  );
  if (missing.length) gaps.push(`${missing.join(', ')} in Access-Control-Allow-Headers`);
  return gaps;
}

/** What an actual answer lacks: the origin, and the response headers the client must read. */
export function responseGaps(headers: Headers | undefined, mustExpose: string[]): string[] {
  if (!headers) return ['an answer'];
  if (!allowsOrigin(headers)) return ['Access-Control-Allow-Origin'];
  const exposed = list(headers.get('access-control-expose-headers'));
  const missing = mustExpose.filter((h) => !exposed.includes(h.toLowerCase()) && !exposed.includes('*'));
  return missing.length ? [`${missing.join(', ')} in Access-Control-Expose-Headers`] : [];
}

async function send(
  run: StepRun,
  purpose: string,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
): Promise<{ status?: number; headers?: Headers; exchangeIds: string[] }> {
  const call = run.traced(purpose);
  try {
    const response = await call.fetch(url, {
      method: init.method,
      headers: { origin: BROWSER_ORIGIN, ...init.headers },
      ...(init.body !== undefined ? { body: init.body } : {}),
      redirect: 'manual',
    });
    await response.text().catch(() => undefined);
    return { status: response.status, headers: response.headers, exchangeIds: call.exchangeIds };
  } catch {
    return { exchangeIds: call.exchangeIds };
  }
}

function preflightHeaders(method: string, headers: string[]): Record<string, string> {
  return {
    'access-control-request-method': method,
    ...(headers.length ? { 'access-control-request-headers': headers.join(',').toLowerCase() } : {}),
  };
}

/**
 * Preflights and sends, from a browser's point of view, the requests an MCP client in a browser
 * makes: the MCP endpoint (with the headers of the wire the server speaks), both metadata documents,
 * registration (preflight only) and token. Records one `cors.browser-clients` check: pass, or warn
 * naming each endpoint and what it lacks.
 */
export async function judgeBrowserCors(run: StepRun, s: Connected): Promise<CorsFinding[]> {
  const findings: CorsFinding[] = [];
  const note = (endpoint: string, url: string, missing: string[], exchangeIds: string[]) =>
    findings.push({ endpoint, url, missing, exchangeIds });
  const P = 'Browser clients (CORS, Fetch Standard)';

  // The MCP endpoint: a POST with the headers the wire sends, then the 401 a browser must read.
  const mcpUrl = s.options.serverUrl;
  const mcpHeaders = [
    'authorization',
    'content-type',
    'mcp-protocol-version',
    ...(s.mcp.era === 'modern' ? ['mcp-method', 'mcp-name'] : []),
    ...(s.mcp.sessionId ? ['mcp-session-id'] : []),
  ];
  const pre = await send(run, `${P} — preflight for an MCP POST from ${BROWSER_ORIGIN}`, mcpUrl, {
    method: 'OPTIONS',
    headers: preflightHeaders('POST', mcpHeaders),
  });
  const request = auditRequest(s);
  const actual = await send(
    run,
    `${P} — an MCP request without a token from ${BROWSER_ORIGIN}: can it read the 401?`,
    mcpUrl,
    {
      method: 'POST',
      headers: request.headers,
      body: request.body,
    },
  );
  note(
    'the MCP endpoint',
    mcpUrl,
    [
      ...preflightGaps(pre.status, pre.headers, 'POST', mcpHeaders),
      ...responseGaps(actual.headers, ['WWW-Authenticate', ...(s.mcp.sessionId ? ['Mcp-Session-Id'] : [])]),
    ],
    [...pre.exchangeIds, ...actual.exchangeIds],
  );

  // Metadata documents: clients send MCP-Protocol-Version, which needs a preflight; the SDK retries
  // without it after a CORS error, so the GET itself is what must work.
  const metadata: Array<[string, string | undefined]> = [
    ['the protected resource metadata', s.resource.mode === 'prm' ? s.resource.metadataUrl : undefined],
    ['the authorization server metadata', s.authorizationServer.metadataUrl],
  ];
  for (const [endpoint, url] of metadata) {
    if (!url) continue;
    const get = await send(run, `${P} — GET ${endpoint} from ${BROWSER_ORIGIN}`, url, {
      method: 'GET',
      headers: {},
    });
    note(endpoint, url, responseGaps(get.headers, []), get.exchangeIds);
  }

  const md = s.authorizationServer.metadata;
  if (md.registration_endpoint) {
    const reg = await send(
      run,
      `${P} — preflight for a registration POST (never sent) from ${BROWSER_ORIGIN}`,
      md.registration_endpoint,
      {
        method: 'OPTIONS',
        headers: preflightHeaders('POST', ['content-type']),
      },
    );
    note(
      'the registration endpoint',
      md.registration_endpoint,
      preflightGaps(reg.status, reg.headers, 'POST', ['content-type']),
      reg.exchangeIds,
    );
  }
  if (md.token_endpoint) {
    // A form POST is a simple request (no preflight); a made-up refresh token changes nothing.
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: 'mcp-auth-inspector-cors-probe',
      client_id: s.client.clientId,
    }).toString();
    const token = await send(
      run,
      `${P} — a token request (made-up refresh token) from ${BROWSER_ORIGIN}`,
      md.token_endpoint,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      },
    );
    note('the token endpoint', md.token_endpoint, responseGaps(token.headers, []), token.exchangeIds);
  }

  // An endpoint that answered nothing at all was not tested: no claim about its CORS.
  const silent = (f: CorsFinding) =>
    f.missing.length > 0 && f.missing.every((m) => m === 'an answer' || m === 'an answer to the preflight');
  const untested = findings.filter(silent);
  const blocking = findings.filter((f) => f.missing.length && !silent(f));
  const untestedNote = untested.length
    ? ` Not testable: ${untested.map((f) => f.endpoint).join(', ')} gave no answer.`
    : '';
  const ids = findings.flatMap((f) => f.exchangeIds);
  const tested = findings.filter((f) => !silent(f));
  if (tested.length === 0) {
    run.check(
      'cors.browser-clients',
      'skip',
      `Not testable: no endpoint answered the browser-style requests.`,
      {
        exchangeIds: ids,
      },
    );
  } else if (blocking.length === 0) {
    run.check(
      'cors.browser-clients',
      'pass',
      `Browser clients can use ${tested.map((f) => f.endpoint).join(', ')}: each allows the origin and the headers an MCP client sends${tested.some((f) => f.endpoint === 'the MCP endpoint') ? `, and the MCP endpoint exposes ${s.mcp.sessionId ? 'WWW-Authenticate and Mcp-Session-Id' : 'WWW-Authenticate'}` : ''}.${untestedNote}`,
      { exchangeIds: ids },
    );
  } else {
    run.check(
      'cors.browser-clients',
      'warn',
      `${blocking.map((f) => `${f.endpoint.charAt(0).toUpperCase()}${f.endpoint.slice(1)} (${f.url}) blocks browser requests: it lacks ${f.missing.join('; ')}`).join('. ')}. Browser-based MCP clients cannot use ${blocking.length === 1 ? 'it' : 'them'}; desktop clients still work.${untestedNote}`,
      {
        expected: 'Access-Control-Allow-Origin, the MCP headers allowed, WWW-Authenticate exposed',
        actual: blocking.map((f) => `${f.endpoint}: ${f.missing.join('; ')}`).join(' | '),
        exchangeIds: blocking.flatMap((f) => f.exchangeIds),
      },
    );
  }
  return findings;
}
