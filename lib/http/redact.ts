/**
 * Redaction at record time. Exchanges are redacted when they are recorded, never when displayed,
 * so every export, log and report built from them is safe by construction.
 *
 * Two layers: structural rules (credential headers, credential keys in JSON, form and query
 * strings, JWTs) and a registry of known secret values scrubbed as substrings anywhere, as a
 * safety net for secrets in places no rule anticipated (a path segment, an error message).
 */

import { isEventStream, mediaType } from './content-type';

/**
 * OAuth and MCP parameter names whose values are credentials (RFC 6749, 7636, 7591, 7009, 7523,
 * 8628, 8693 and friends), matched case-insensitively.
 */
export const SENSITIVE_KEYS: ReadonlySet<string> = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'code_verifier',
  'client_secret',
  'registration_access_token',
  'password',
  'assertion',
  'client_assertion',
  'subject_token',
  'actor_token',
  'device_code',
  'token',
  'api_key',
]);

/** Headers whose value is `scheme credentials`: the scheme stays readable, the credentials do not. */
const SCHEME_HEADERS = new Set(['authorization', 'proxy-authorization']);
/** Headers whose whole value is a credential. */
const VALUE_HEADERS = new Set(['x-api-key', 'api-key', 'x-auth-token']);

/** Below this length, showing 8 characters would give away too much of the secret. */
const REVEAL_MIN_LENGTH = 20;
/** Registry entries shorter than this would scrub ordinary words out of unrelated text. */
const SECRET_MIN_LENGTH = 8;

const REDACTED = /^(?:.{4}….{4}|••••) \(\d+ chars\)$/su;

/**
 * `abcd…wxyz (43 chars)`: enough to tell two tokens apart and to match one against a log, not
 * enough to use it. Short values are fully masked. Already-redacted values pass through unchanged,
 * so redacting twice is harmless.
 */
export function redactValue(secret: string): string {
  if (REDACTED.test(secret)) return secret;
  const chars = [...secret];
  if (chars.length < REVEAL_MIN_LENGTH) return `•••• (${chars.length} chars)`;
  return `${chars.slice(0, 4).join('')}…${chars.slice(-4).join('')} (${chars.length} chars)`;
}

/**
 * Compact JWS (3 parts, the signature empty for alg "none") or JWE (5 parts); the protected header
 * always starts with `{"`, which is `eyJ` in base64url.
 */
const JWT = /(?<![\w-])eyJ[\w-]{2,}\.[\w-]*\.[\w-]*(?:\.[\w-]+\.[\w-]+)?/g;

/** Redacts every JWT in free text; the claims are decoded and shown elsewhere, never the token. */
export function redactJwts(text: string): string {
  return text.replace(JWT, (jwt) => redactValue(jwt));
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * Redacts credential values in `key=value&key=value` text (form bodies, query strings, OAuth
 * fragments), leaving every other byte as sent so the record stays faithful to the wire.
 */
export function redactPairs(text: string): string {
  return text
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const rawKey = pair.slice(0, eq);
      if (!SENSITIVE_KEYS.has(decodeComponent(rawKey).toLowerCase())) return pair;
      return `${rawKey}=${redactValue(decodeComponent(pair.slice(eq + 1)))}`;
    })
    .join('&');
}

/** Redacts string values under credential keys, at any depth. */
export function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] =
      typeof inner === 'string' && SENSITIVE_KEYS.has(key.toLowerCase())
        ? redactValue(inner)
        : redactJson(inner);
  }
  return out;
}

/** `name=value; name2=value2` → values redacted, names kept (they tell which session is which). */
function redactCookiePairs(text: string): string {
  return text
    .split(';')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? pair : `${pair.slice(0, eq)}=${redactValue(pair.slice(eq + 1).trim())}`;
    })
    .join(';');
}

/** One header value, by name. Names are case-insensitive. */
export function redactHeaderValue(name: string, value: string): string {
  const lower = name.toLowerCase();
  if (SCHEME_HEADERS.has(lower)) {
    const match = /^(\S+)\s+(.+)$/s.exec(value.trim());
    return match ? `${match[1]} ${redactValue(match[2] ?? '')}` : redactValue(value);
  }
  if (VALUE_HEADERS.has(lower)) return redactValue(value);
  if (lower === 'cookie') return redactCookiePairs(value);
  if (lower === 'set-cookie') {
    // Only the first pair is the cookie; the rest are attributes (Path, SameSite…) worth seeing.
    const semi = value.indexOf(';');
    return semi < 0 ? redactCookiePairs(value) : redactCookiePairs(value.slice(0, semi)) + value.slice(semi);
  }
  return value;
}

function looksLikeJson(text: string): boolean {
  const start = text.trimStart()[0];
  return start === '{' || start === '[';
}

/** Redacts and re-serialises JSON, or returns undefined when the text is not JSON after all. */
function redactJsonText(text: string, pretty: boolean): string | undefined {
  try {
    return JSON.stringify(redactJson(JSON.parse(text)), null, pretty ? 2 : undefined);
  } catch {
    return undefined;
  }
}

/** SSE framing is kept; `data:` lines carrying JSON (MCP messages) get JSON redaction. */
function redactEventStream(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (!line.startsWith('data:')) return line;
      const data = line.slice(5).trimStart();
      const redacted = looksLikeJson(data) ? redactJsonText(data, false) : undefined;
      return redacted === undefined ? line : `data: ${redacted}`;
    })
    .join('\n');
}

/**
 * Structural rules plus a registry of known secret values. One Redactor per session: every secret
 * the flow learns (tokens, client secret, PKCE verifier, code) is added as soon as it is known.
 */
export class Redactor {
  readonly #secrets = new Set<string>();
  #ordered: string[] = [];

  constructor(secrets: Iterable<string> = []) {
    for (const secret of secrets) this.addSecret(secret);
  }

  /**
   * Registers a value to scrub anywhere it appears, also in URL-encoded form. Values shorter than
   * 8 characters are ignored: as substrings they would match ordinary text; structural rules
   * still redact them where they appear as credentials.
   */
  addSecret(value: string | undefined): void {
    if (!value || value.length < SECRET_MIN_LENGTH) return;
    for (const variant of [
      value,
      encodeURIComponent(value),
      encodeURIComponent(value).replace(/%20/g, '+'),
    ]) {
      this.#secrets.add(variant);
    }
    // Longest first, so a secret that contains another is replaced whole.
    this.#ordered = [...this.#secrets].sort((a, b) => b.length - a.length);
  }

  /** Free text (error messages, unknown bodies, path segments): registry, then JWTs. */
  text(value: string): string {
    let out = value;
    for (const secret of this.#ordered) {
      if (out.includes(secret)) out = out.split(secret).join(redactValue(decodeComponent(secret)));
    }
    return redactJwts(out);
  }

  header(name: string, value: string): string {
    return this.text(redactHeaderValue(name, value));
  }

  /**
   * All headers as a plain record with lower-case names. Several Set-Cookie headers are redacted one
   * by one and joined with ", " as `Headers.get` would.
   */
  headers(headers: Headers | Record<string, string>): Record<string, string> {
    const source = headers instanceof Headers ? headers : new Headers(headers);
    const out: Record<string, string> = {};
    for (const [name, value] of source) {
      if (name === 'set-cookie') continue;
      out[name] = this.header(name, value);
    }
    const cookies = source.getSetCookie();
    if (cookies.length > 0) out['set-cookie'] = cookies.map((c) => this.header('set-cookie', c)).join(', ');
    return out;
  }

  /** Credentials in userinfo, query and fragment (implicit-flow tokens live there), then registry. */
  url(raw: string): string {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return this.text(raw);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return this.text(raw);
    const user = url.username ? redactValue(decodeComponent(url.username)) : '';
    const password = url.password ? `:${redactValue(decodeComponent(url.password))}` : '';
    const userinfo = user || password ? `${user}${password}@` : '';
    const search = url.search ? `?${redactPairs(url.search.slice(1))}` : '';
    const hash = url.hash ? `#${redactPairs(url.hash.slice(1))}` : '';
    return this.text(`${url.protocol}//${userinfo}${url.host}${url.pathname}${search}${hash}`);
  }

  /**
   * A body, by content type. JSON (declared or recognisable) is redacted structurally and
   * pretty-printed with 2 spaces; text that only claims to be JSON (an HTML error page) is kept as
   * text. Form bodies and event streams keep their framing.
   */
  body(text: string, contentType?: string | null): string {
    if (mediaType(contentType) === 'application/x-www-form-urlencoded') return this.text(redactPairs(text));
    if (isEventStream(contentType)) return this.text(redactEventStream(text));
    const json = looksLikeJson(text) ? redactJsonText(text, true) : undefined;
    return this.text(json ?? text);
  }
}
