/**
 * Redaction at record time. Exchanges are redacted when they are recorded, never when displayed,
 * so every export, log and report built from them is safe by construction.
 *
 * Two layers: structural rules (credential headers, credential keys in JSON, form and query
 * strings, JWTs) and a registry of known secret values scrubbed as substrings anywhere, as a
 * safety net for secrets in places no rule anticipated (a path segment, an error message).
 */

import { isEventStream, looksLikeEventStream, mediaType } from './content-type';

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

/** How deep redaction walks a JSON document; anything deeper is replaced whole, never shown raw. */
export const MAX_REDACT_DEPTH = 64;

/** What stands in for a part of a document nested deeper than redaction walks. */
export const TOO_DEEP = `[nested deeper than ${MAX_REDACT_DEPTH} levels: not shown]`;

/** Sets an own property, even one named `__proto__` (JSON.parse makes those own properties too). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Copies a JSON value, with every string under a credential key (at any depth below it) redacted.
 * Iterative, so no document is too deep to redact: below `maxDepth` levels a whole subtree is
 * replaced by TOO_DEEP, which also keeps the copy safe to serialise. `mapString` (and `mapKey`) let
 * a caller scrub every other string too.
 */
export function redactJson(
  value: unknown,
  options: {
    maxDepth?: number;
    mapString?: (text: string) => string;
    mapKey?: (key: string) => string;
    /** Redact strings under credential keys (default true); off for our own objects (a view's `code`). */
    sensitiveKeys?: boolean;
  } = {},
): unknown {
  const {
    maxDepth = MAX_REDACT_DEPTH,
    mapString = (t: string) => t,
    mapKey = (k: string) => k,
    sensitiveKeys = true,
  } = options;
  const root: Record<string, unknown> = {};
  type Job = {
    source: unknown;
    depth: number;
    sensitive: boolean;
    into: Record<string, unknown> | unknown[];
    key: string | number;
  };
  const jobs: Job[] = [{ source: value, depth: 0, sensitive: false, into: root, key: 'v' }];
  for (let job = jobs.pop(); job; job = jobs.pop()) {
    const { source, depth, sensitive, into, key } = job;
    let out: unknown;
    if (typeof source === 'string') out = sensitive ? redactValue(source) : mapString(source);
    else if (source === null || typeof source !== 'object') out = source;
    else if (depth >= maxDepth) out = TOO_DEEP;
    else if (Array.isArray(source)) {
      const array: unknown[] = new Array(source.length);
      source.forEach((item, i) => {
        jobs.push({ source: item, depth: depth + 1, sensitive, into: array, key: i });
      });
      out = array;
    } else {
      const object: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(source)) {
        const shownKey = mapKey(k);
        put(object, shownKey, undefined);
        jobs.push({
          source: inner,
          depth: depth + 1,
          sensitive: sensitive || (sensitiveKeys && SENSITIVE_KEYS.has(k.toLowerCase())),
          into: object,
          key: shownKey,
        });
      }
      out = object;
    }
    if (Array.isArray(into)) into[key as number] = out;
    else put(into, key as string, out);
  }
  return root.v;
}

/**
 * `"access_token": "…"` and `access_token=…` wherever they appear in text that is not a document we
 * could parse (an HTML page, a cut or broken JSON document, a form body labelled anything).
 */
const KEYED_JSON = new RegExp(
  `("(?:${[...SENSITIVE_KEYS].join('|')})"\\s*:\\s*)"((?:[^"\\\\]|\\\\.)*)("?)`,
  'giu',
);
const KEYED_PAIR = new RegExp(
  `(?<![\\w.%-])(${[...SENSITIVE_KEYS].join('|')})=(?!(?:[^&#\\s]{4}…[^&#\\s]{4}|••••) \\(\\d+ chars\\))([^&#\\s"'<>]+)`,
  'giu',
);

export function redactKeyedText(text: string): string {
  return text
    .replace(
      KEYED_JSON,
      (_m, head: string, value: string, close: string) => `${head}"${redactValue(value)}${close}`,
    )
    .replace(KEYED_PAIR, (_m, key: string, value: string) => `${key}=${redactValue(decodeComponent(value))}`);
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
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  // The copy is at most MAX_REDACT_DEPTH deep, so serialising it cannot overflow the stack.
  return JSON.stringify(redactJson(parsed), null, pretty ? 2 : undefined);
}

/**
 * SSE framing is kept; each event's `data:` lines are joined as the SSE spec joins them, and data
 * carrying JSON (MCP messages, a token response) gets JSON redaction. Data split over several
 * lines comes back as one line.
 */
function redactEventStream(text: string): string {
  const out: string[] = [];
  let data: string[] = [];
  const flush = () => {
    if (data.length === 0) return;
    const joined = data.join('\n');
    const redacted = looksLikeJson(joined) ? redactJsonText(joined, false) : undefined;
    if (redacted !== undefined) out.push(`data: ${redacted}`);
    else for (const line of data) out.push(`data: ${line}`);
    data = [];
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('data:')) {
      data.push(line.slice(5).replace(/^ /, '').replace(/\r$/, ''));
      continue;
    }
    flush();
    out.push(line);
  }
  flush();
  return out.join('\n');
}

/** Standard base64 of the UTF-8 bytes (btoa, so this module runs anywhere). */
function b64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** base64url without padding (RFC 4648 §5), as JWTs and PKCE use it. */
function b64url(text: string): string {
  return b64(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Structural rules plus a registry of known secret values. One Redactor per session: every secret
 * the flow learns (tokens, client secret, PKCE verifier, code) is added as soon as it is known.
 */
export class Redactor {
  /** Every form a secret may take in text → what is shown instead (the secret's redacted form). */
  readonly #secrets = new Map<string, string>();
  #ordered: string[] = [];

  constructor(secrets: Iterable<string> = []) {
    for (const secret of secrets) this.addSecret(secret);
  }

  /**
   * Registers a value to scrub anywhere it appears: raw, URL-encoded, and base64 or base64url (as a
   * whole, and the part of its encoding that does not depend on what follows it, so an echo inside
   * a longer encoded value is caught too). Values shorter than 8 characters are ignored: as
   * substrings they would match ordinary text; structural rules still redact them where they
   * appear as credentials.
   */
  addSecret(value: string | undefined): void {
    if (!value || value.length < SECRET_MIN_LENGTH || this.#secrets.has(value)) return;
    const shown = redactValue(value);
    const aligned = value.slice(0, Math.floor(value.length / 3) * 3);
    for (const variant of [
      value,
      encodeURIComponent(value),
      encodeURIComponent(value).replace(/%20/g, '+'),
      b64(value),
      b64url(value),
      b64(aligned),
      b64url(aligned),
    ]) {
      if (variant.length >= SECRET_MIN_LENGTH && !this.#secrets.has(variant))
        this.#secrets.set(variant, shown);
    }
    // Longest first, so a secret that contains another is replaced whole.
    this.#ordered = [...this.#secrets.keys()].sort((a, b) => b.length - a.length);
  }

  /** How many values are registered (each with its encoded forms). */
  get size(): number {
    return this.#ordered.length;
  }

  /** Known secrets only, in any of their forms. */
  scrub(value: string): string {
    let out = value;
    for (const secret of this.#ordered) {
      if (out.includes(secret)) out = out.split(secret).join(this.#secrets.get(secret) ?? '••••');
    }
    return out;
  }

  /** Free text (error messages, unknown bodies, path segments): registry, then JWTs. */
  text(value: string): string {
    return redactJwts(this.scrub(value));
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
   * A body, whatever its content type claims: a hostile server labels a token response
   * text/event-stream, or a registration answer form-urlencoded. Text that parses as JSON is
   * redacted structurally and pretty-printed with 2 spaces; event streams and form bodies keep their
   * framing; anything else (an HTML page, a cut document) still has credential keys and values
   * scrubbed. Then the registry and JWTs, always.
   */
  body(text: string, contentType?: string | null): string {
    const json = looksLikeJson(text) ? redactJsonText(text, true) : undefined;
    if (json !== undefined) return this.text(json);
    let out = text;
    if (isEventStream(contentType) || looksLikeEventStream(out)) out = redactEventStream(out);
    if (
      mediaType(contentType) === 'application/x-www-form-urlencoded' ||
      /^[^\s{}[\]<>"]*=[^\s]*$/.test(out)
    ) {
      out = redactPairs(out);
    }
    return this.text(redactKeyedText(out));
  }

  /**
   * Any JSON-shaped value (an exchange, a tool result, a whole view) with every known secret scrubbed
   * from every string and key, iteratively and to any depth (deeper than `maxDepth` is replaced).
   * Only the registry applies: structural rules belong to wire data, and were applied when it was
   * recorded.
   */
  deep<T>(value: T, maxDepth = 4 * MAX_REDACT_DEPTH): T {
    if (this.#ordered.length === 0) return value;
    const scrub = (text: string) => this.scrub(text);
    return redactJson(value, { maxDepth, mapString: scrub, mapKey: scrub, sensitiveKeys: false }) as T;
  }
}
