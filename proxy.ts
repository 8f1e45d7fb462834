import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type NextRequest, NextResponse } from 'next/server';
import {
  abuseState,
  clientKey,
  tooBusy,
  tooLargeRequest,
  tooManyActions,
  tooManyOutbound,
} from './lib/server/rate-limit';
import { SESSION_COOKIE } from './lib/server/session';
import { isSessionId, newSessionId } from './lib/session/sessions';

/** Retry-After when every outbound slot is taken: operations last seconds, not minutes. */
const BUSY_RETRY_S = 2;

/**
 * Security headers on every response: a CSP with a fresh nonce per request (Next applies it to its own
 * scripts), no framing, no referrer (authorization codes must never leak through Referer), no sniffing.
 */
export async function proxy(request: NextRequest) {
  const refused = refuseCrossOrigin(request) ?? (await refuseOverLimit(request));
  if (refused) return refused;
  const nonce = btoa(crypto.randomUUID());
  const dev = process.env.NODE_ENV === 'development';
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    `style-src 'self'${dev ? " 'unsafe-inline'" : ` 'nonce-${nonce}'`}`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('Content-Security-Policy', csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', csp);
  response.headers.set('Referrer-Policy', 'no-referrer');
  response.headers.set('X-Content-Type-Options', 'nosniff');
  response.headers.set('X-Frame-Options', 'DENY');
  response.headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  response.headers.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
  issueSessionCookie(request, response);
  return response;
}

/**
 * A page load without a well-formed session id gets one now, before any server action runs. Nothing
 * is stored for it (only Start creates a session, under this id): the point is that the first action
 * then sets no cookie, and Next.js, which re-renders the page after an action that sets a cookie,
 * answers with the action's result alone.
 */
function issueSessionCookie(request: NextRequest, response: NextResponse): void {
  if (!isPageLoad(request)) return;
  const carried = request.cookies.get(SESSION_COOKIE)?.value;
  if (carried && isSessionId(carried)) return;
  response.cookies.set(SESSION_COOKIE, newSessionId(), {
    httpOnly: true,
    sameSite: 'lax',
    secure: servedOverHttps(request),
    path: '/',
  });
}

/** A GET for a page (not an API route, the OAuth callback or the client metadata document). */
function isPageLoad(request: NextRequest): boolean {
  if (request.method !== 'GET') return false;
  const path = request.nextUrl.pathname;
  return !path.startsWith('/api/') && !path.startsWith('/oauth/');
}

/** The same rule as the session cookie's: Secure whenever the app is served over HTTPS. */
function servedOverHttps(request: NextRequest): boolean {
  const publicUrl = process.env.INSPECTOR_PUBLIC_URL;
  if (publicUrl) return publicUrl.startsWith('https://');
  return request.headers.get('x-forwarded-proto') === 'https';
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every state-changing request (server actions are POSTs) must come from the app's own pages: an
 * `Origin` equal to the configured public origin or, without one (local mode), naming the host the
 * request was sent to. Next.js makes a similar check for server actions, but lets a request without
 * Origin through and trusts X-Forwarded-Host; this check does neither.
 */
function refuseCrossOrigin(request: NextRequest): NextResponse | undefined {
  if (SAFE_METHODS.has(request.method)) return undefined;
  const origin = request.headers.get('origin');
  const publicUrl = process.env.INSPECTOR_PUBLIC_URL?.replace(/\/+$/, '');
  const host = request.headers.get('host');
  const sameOrigin = publicUrl
    ? origin === publicUrl
    : origin !== null && URL.canParse(origin) && new URL(origin).host === host;
  if (sameOrigin) return undefined;
  return new NextResponse(
    `Refused: a ${request.method} to the inspector must come from its own pages (Origin ${origin ?? '(none)'}, expected ${publicUrl ?? `one for ${host}`}).`,
    { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } },
  );
}

/** Server actions that make the inspector send requests to other servers (by exported name). */
const OUTBOUND_ACTIONS = new Set([
  'startAction',
  'nextStepAction',
  'runAllAction',
  'chooseAuthorizationServerAction',
  'runToolAction',
  'answerToolInputAction',
  'reconnectAction',
  'disconnectAction',
  'runAuditAction',
  'testAudienceAction',
  'testRevocationAction',
  'demoSwitchAction',
]);

let actionNames: Map<string, string> | undefined;

/**
 * Server action id → exported name, from the build's server reference manifest (the ids are hashes
 * only Next.js knows). Without a manifest (dev, or a layout we do not know) every action counts as
 * an action only; the global outbound cap still applies.
 */
function actionName(id: string): string | undefined {
  if (!actionNames) {
    actionNames = new Map();
    try {
      const manifest = JSON.parse(
        readFileSync(join(process.cwd(), '.next', 'server', 'server-reference-manifest.json'), 'utf8'),
      ) as { node?: Record<string, { exportedName?: string }> };
      for (const [key, entry] of Object.entries(manifest.node ?? {})) {
        if (entry.exportedName) actionNames.set(key, entry.exportedName);
      }
    } catch {
      // no manifest: see above
    }
  }
  return actionNames.get(id);
}

function tooMany(message: string, retryAfterS: number): NextResponse {
  // Exactly text/plain: Next.js then shows the body as the failed action's error message.
  return new NextResponse(message, {
    status: 429,
    headers: {
      'content-type': 'text/plain',
      'retry-after': String(retryAfterS),
      'cache-control': 'no-store',
    },
  });
}

/**
 * Per-client budgets (INSPECTOR_RATE_ACTIONS, INSPECTOR_RATE_OUTBOUND): every POST counts as an
 * action; the actions that contact other servers count against the outbound budget too. Over
 * budget: 429 with Retry-After and a sentence the page shows. (The OAuth callback is not limited: it
 * only does work for a session waiting with the same single-use state.)
 */
async function refuseOverLimit(request: NextRequest): Promise<NextResponse | undefined> {
  if (SAFE_METHODS.has(request.method)) return undefined;
  const { limits, actions, outbound, gate } = abuseState();
  // Refused before the body is read: a 900 KB "URL" costs the server nothing but this check.
  const size = Number(request.headers.get('content-length') ?? 0);
  if (size > limits.maxActionBytes) {
    return new NextResponse(tooLargeRequest(size, limits.maxActionBytes), {
      status: 413,
      headers: { 'content-type': 'text/plain', 'cache-control': 'no-store' },
    });
  }
  const client = clientKey(request.headers.get('x-forwarded-for'), limits.proxyHops);
  const action = await actions.take(client);
  if (!action.ok)
    return tooMany(tooManyActions(limits.actionsPerMinute, action.retryAfterS), action.retryAfterS);
  const id = request.headers.get('next-action');
  const name = id ? actionName(id) : undefined;
  if (name && OUTBOUND_ACTIONS.has(name)) {
    const work = await outbound.take(client);
    if (!work.ok)
      return tooMany(tooManyOutbound(limits.outboundPerMinute, work.retryAfterS), work.retryAfterS);
    // All outbound slots taken: say so with a 429 here, where a status can be set (an action cannot).
    // The action still takes its slot itself, so a race past this check is refused there, in a 200.
    if (gate.max > 0 && gate.inFlight >= gate.max) return tooMany(tooBusy(gate.max), BUSY_RETRY_S);
  }
  return undefined;
}

export const config = {
  matcher: [{ source: '/((?!_next/static|_next/image|favicon.ico).*)' }],
};
