import { type NextRequest, NextResponse } from 'next/server';

/**
 * Security headers on every response: a CSP with a fresh nonce per request (Next applies it to its own
 * scripts), no framing, no referrer (authorization codes must never leak through Referer), no sniffing.
 */
export function proxy(request: NextRequest) {
  const refused = refuseCrossOrigin(request);
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
  return response;
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

export const config = {
  matcher: [{ source: '/((?!_next/static|_next/image|favicon.ico).*)' }],
};
