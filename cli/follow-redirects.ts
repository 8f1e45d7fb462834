import type { FetchLike } from '../lib/http/types';

export class FollowError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'FollowError';
  }
}

/** True when `candidate` is the redirect URI with a query: same origin and path (RFC 8252 §7.3). */
export function isRedirectTarget(candidate: URL, redirectUri: string): boolean {
  const target = new URL(redirectUri);
  return candidate.origin === target.origin && candidate.pathname === target.pathname;
}

/** Name=value cookies per host, so an AS that bounces through its own pages keeps its session. */
class CookieJar {
  private readonly byHost = new Map<string, Map<string, string>>();

  store(url: URL, response: Response): void {
    const lines = response.headers.getSetCookie?.() ?? [];
    for (const line of lines) {
      const pair = line.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const jar = this.byHost.get(url.host) ?? new Map<string, string>();
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      this.byHost.set(url.host, jar);
    }
  }

  header(url: URL): string | undefined {
    const jar = this.byHost.get(url.host);
    if (!jar || jar.size === 0) return undefined;
    return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * Plays the browser for an authorization server that approves without a person (CI, the MCP
 * conformance suite): GET the authorization URL with `redirect: 'manual'`, follow the server's own
 * redirects, and stop at the first one that points at the redirect URI. That URL, code and state and
 * iss included, is what the browser would have delivered to the loopback listener.
 *
 * Nothing here judges the response; the engine's callback step does that.
 */
export async function followAuthorizationRedirects(opts: {
  authorizationUrl: string;
  redirectUri: string;
  fetch: FetchLike;
  maxHops?: number;
}): Promise<URL> {
  const maxHops = opts.maxHops ?? 10;
  const jar = new CookieJar();
  let url = new URL(opts.authorizationUrl);
  for (let hop = 0; hop <= maxHops; hop++) {
    const headers: Record<string, string> = { accept: 'text/html,application/xhtml+xml' };
    const cookie = jar.header(url);
    if (cookie) headers.cookie = cookie;
    const response = await opts.fetch(url, { method: 'GET', redirect: 'manual', headers });
    jar.store(url, response);
    const location = response.headers.get('location');
    await response.body?.cancel().catch(() => {});
    if (response.status < 300 || response.status >= 400 || location === null) {
      throw new FollowError(
        `The authorization server answered ${response.status} at ${url.origin}${url.pathname} instead of redirecting back: it is probably showing a login or consent page.`,
        '--non-interactive works only with authorization servers that approve without a person. Run without it to sign in in your browser.',
      );
    }
    const next = new URL(location, url);
    if (isRedirectTarget(next, opts.redirectUri)) return next;
    url = next;
  }
  throw new FollowError(
    `The authorization server redirected more than ${maxHops} times without coming back.`,
  );
}
