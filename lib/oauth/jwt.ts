/**
 * Decodes a JWT's payload WITHOUT verifying its signature. The inspector only reads claims to
 * explain them (aud, scope, exp); verifying the token is the resource server's job.
 * @see RFC 7519 §7.2 (steps 1–7 only); RFC 9068 §2.2 (JWT access token claims)
 */
export function decodeJwtPayloadUnverified(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const json = JSON.parse(new TextDecoder().decode(bytes));
    return json && typeof json === 'object' && !Array.isArray(json)
      ? (json as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The `aud` claim as a list (RFC 7519 §4.1.3 allows a string or an array). */
export function audienceList(aud: unknown): string[] {
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud)) return aud.filter((a): a is string => typeof a === 'string');
  return [];
}
