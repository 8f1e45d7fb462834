/**
 * A forgiving parser for `WWW-Authenticate` (RFC 9110 §11.6.1, §11.3): several challenges in one
 * header, auth-params with quoted strings and escapes, token68, odd spacing, case-insensitive scheme
 * and parameter names. Servers in the wild get the grammar wrong; the parser keeps what it can and
 * never throws, so the doctor can still say what it found.
 */

export interface AuthChallenge {
  /** Lowercased auth-scheme, e.g. `bearer`. */
  scheme: string;
  /** Auth-params with lowercased names; the first occurrence wins when a name repeats. */
  params: Record<string, string>;
  token68?: string;
}

/** The Bearer challenge fields MCP cares about (RFC 6750 §3, RFC 9728 §5.1). */
export interface BearerChallenge {
  realm?: string;
  scope?: string;
  error?: string;
  errorDescription?: string;
  errorUri?: string;
  resourceMetadata?: string;
  params: Record<string, string>;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  skipWhitespace(): void {
    while (!this.done && (this.peek() === ' ' || this.peek() === '\t')) this.pos++;
  }

  skipWhitespaceAndCommas(): void {
    while (!this.done && (this.peek() === ' ' || this.peek() === '\t' || this.peek() === ',')) this.pos++;
  }

  readToken(): string {
    const start = this.pos;
    while (!this.done && TCHAR.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /**
   * An unquoted value. The grammar allows only a token, but servers send bare URLs
   * (`resource_metadata=https://…`), so read up to the next comma or whitespace.
   */
  readBareValue(): string {
    if (this.peek() === '=') return '';
    const start = this.pos;
    while (!this.done && !/[\s,"]/.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** RFC 9110 §5.6.4: quoted-string with quoted-pair escapes. An unterminated string runs to the end. */
  readQuotedString(): string {
    this.pos++; // opening quote
    let out = '';
    while (!this.done) {
      const c = this.peek();
      if (c === '\\') {
        this.pos++;
        if (!this.done) {
          out += this.peek();
          this.pos++;
        }
      } else if (c === '"') {
        this.pos++;
        return out;
      } else {
        out += c;
        this.pos++;
      }
    }
    return out;
  }

  /** Tries `token BWS "=" BWS ( token / quoted-string )`; restores the position on failure. */
  tryAuthParam(): [string, string] | undefined {
    const start = this.pos;
    const name = this.readToken();
    if (name) {
      this.skipWhitespace();
      if (this.peek() === '=') {
        this.pos++;
        this.skipWhitespace();
        if (this.peek() === '"') return [name.toLowerCase(), this.readQuotedString()];
        const value = this.readBareValue();
        if (value) return [name.toLowerCase(), value];
      }
    }
    this.pos = start;
    return undefined;
  }

  /** Tries `token68` followed by the end of the challenge (end of input or a comma). */
  tryToken68(): string | undefined {
    const start = this.pos;
    while (!this.done && TOKEN68_CHAR.test(this.peek())) this.pos++;
    while (!this.done && this.peek() === '=') this.pos++;
    const value = this.text.slice(start, this.pos);
    this.skipWhitespace();
    if (value && (this.done || this.peek() === ',')) return value;
    this.pos = start;
    return undefined;
  }
}

/**
 * Parses every challenge in a `WWW-Authenticate` header value.
 * @see RFC 9110 §11.6.1 (WWW-Authenticate), §11.2 (auth-param, token68)
 */
export function parseWWWAuthenticate(header: string | null | undefined): AuthChallenge[] {
  if (!header) return [];
  const s = new Scanner(header);
  const challenges: AuthChallenge[] = [];

  while (true) {
    s.skipWhitespaceAndCommas();
    if (s.done) break;
    const scheme = s.readToken();
    if (!scheme) {
      // Garbage where a scheme should be: skip one character and keep going.
      s.pos++;
      continue;
    }
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);
    s.skipWhitespace();

    const addParam = ([name, value]: [string, string]) => {
      if (!(name in challenge.params)) challenge.params[name] = value;
    };

    const first = s.tryAuthParam();
    if (first) {
      addParam(first);
    } else if (s.peek() !== ',' && !s.done) {
      const token68 = s.tryToken68();
      if (token68) {
        challenge.token68 = token68;
        continue;
      }
      // Neither a param nor token68: the next token is another scheme.
      continue;
    } else {
      continue;
    }

    // More params, comma-separated; a comma followed by something that is not a param starts the next challenge.
    while (true) {
      s.skipWhitespace();
      if (s.peek() !== ',') {
        if (s.done) break;
        // Missing comma between params (a common server bug): accept the next param if there is one.
        const next = s.tryAuthParam();
        if (next) {
          addParam(next);
          continue;
        }
        break;
      }
      const beforeComma = s.pos;
      s.skipWhitespaceAndCommas();
      const next = s.tryAuthParam();
      if (next) {
        addParam(next);
        continue;
      }
      s.pos = beforeComma;
      break;
    }
  }
  return challenges;
}

/**
 * Finds the Bearer challenge and names its MCP-relevant parameters.
 * @see RFC 6750 §3 (error, error_description, scope), RFC 9728 §5.1 (resource_metadata)
 */
export function parseBearerChallenge(header: string | null | undefined): BearerChallenge | undefined {
  // A resource server that takes only DPoP-bound tokens challenges with the DPoP scheme and the same
  // parameters (RFC 9449 §7.1); resource_metadata is scheme-agnostic (RFC 9728 §5.1).
  const challenges = parseWWWAuthenticate(header);
  const bearer = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'dpop');
  if (!bearer) return undefined;
  const p = bearer.params;
  return {
    realm: p.realm,
    scope: p.scope,
    error: p.error,
    errorDescription: p.error_description,
    errorUri: p.error_uri,
    resourceMetadata: p.resource_metadata,
    params: { ...p },
  };
}
