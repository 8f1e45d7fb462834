/**
 * The MCP server's canonical URI, used as the RFC 8707 `resource` parameter and as the expected
 * token audience: lowercase scheme and host, no fragment, no trailing slash on a bare origin.
 * A trailing slash on a path is kept, because it may matter to the server.
 * @see MCP 2025-06-18 §Canonical Server URI; RFC 8707 §2
 */
export function canonicalResourceUri(url: string | URL): string {
  const u = new URL(url.toString()); // WHATWG URL lowercases scheme and host and drops default ports
  u.hash = '';
  if (u.pathname === '/' && !u.search) return u.origin;
  return u.href;
}

/** True for http(s) URLs whose host is a loopback name or address (RFC 8252 §7.3, §8.3). */
export function isLoopbackUrl(url: string | URL): boolean {
  let u: URL;
  try {
    u = new URL(url.toString());
  } catch {
    return false;
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return (
    host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1'
  );
}

export type UrlSecurity = 'https' | 'http-loopback' | 'insecure' | 'invalid';

/** Classifies an endpoint URL for the HTTPS rule (MCP §Communication Security; RFC 9700 §2.6). */
export function classifyUrlSecurity(url: string | undefined): UrlSecurity {
  if (!url) return 'invalid';
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'invalid';
  }
  if (u.protocol === 'https:') return 'https';
  if (u.protocol === 'http:') return isLoopbackUrl(u) ? 'http-loopback' : 'insecure';
  return 'insecure';
}
