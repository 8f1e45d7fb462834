/**
 * Process-wide demo state shared by every demo server: the admin switches, the record of issued access
 * tokens (so "expire" and "revoke" can act on tokens that are self-contained JWTs), the call log and the
 * notes the tools serve.
 */
import { NotesStore } from './mcp/notes';

export const MCP_SCOPES = ['mcp:read', 'mcp:tools', 'mcp:admin'] as const;
export type McpScope = (typeof MCP_SCOPES)[number];
/** Every MCP request needs this scope; tools can require more (see `requiredScopes`). */
export const BASE_SCOPE: McpScope = 'mcp:read';

export const TOOL_NAMES = [
  'echo',
  'add_numbers',
  'search_notes',
  'get_logo',
  'whoami',
  'delete_note',
  'get_temperature',
  'get_forecast',
  'lookup_account',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

export const BREAK_ROWS = [
  'query-token',
  'session-without-auth',
  'no-audience-check',
  'leak-internals',
  'no-revocation-check',
  'bad-403',
  'no-header-check',
  'bad-token-500',
  'no-cors',
  'dpop-as-bearer',
] as const;
export type BreakRow = (typeof BREAK_ROWS)[number];

export const DEFAULT_ACCESS_TOKEN_TTL = 600;

export interface DemoSettings {
  /** Lifetime of newly issued access tokens, in seconds. */
  accessTokenTtl: number;
  /** Extra scopes a tool needs on top of `mcp:read`. */
  requiredScopes: Partial<Record<ToolName, McpScope[]>>;
  /** Access-model rows that are deliberately broken (see README). */
  breaks: Record<BreakRow, boolean>;
}

export interface DemoStateView extends DemoSettings {
  /** When `POST /expire-tokens` last ran (ISO time), or null. */
  tokensExpiredAt: string | null;
  /** When `POST /revoke-all` last ran (ISO time), or null. */
  grantsRevokedAt: string | null;
  /** Number of entries in the call log. */
  calls: number;
}

export interface CallRecord {
  /** Tool name as sent by the client. */
  tool: string;
  /** ISO time the tools/call request arrived. */
  at: string;
  /** Token subject (`anonymous` on the unprotected scenario). */
  sub: string;
  clientId: string | null;
  scenario: string;
  /** false when the server answered 403 insufficient_scope instead of running the tool. */
  allowed: boolean;
}

/** One fetch of a Client ID Metadata Document by a demo authorization server. */
export interface DocumentFetchRecord {
  /** The client id, which is the document's URL. */
  clientId: string;
  /** ISO time the fetch began. */
  at: string;
  /** null: the document was fetched and accepted; otherwise why it was not (unreachable, untrusted, invalid). */
  error: string | null;
}

function defaultSettings(): DemoSettings {
  return {
    accessTokenTtl: DEFAULT_ACCESS_TOKEN_TTL,
    // A destructive tool needs more than read access, as it would on a real server.
    requiredScopes: { delete_note: ['mcp:tools'] },
    breaks: Object.fromEntries(BREAK_ROWS.map((row) => [row, false])) as Record<BreakRow, boolean>,
  };
}

interface IssuedToken {
  issuer: string;
  grantId: string | undefined;
  /** epoch seconds */
  exp: number;
}

const MAX_CALLS = 1000;

export class DemoState {
  settings: DemoSettings = defaultSettings();
  readonly notes = new NotesStore();
  private calls: CallRecord[] = [];
  private documentFetches: DocumentFetchRecord[] = [];
  private readonly issued = new Map<string, IssuedToken>();
  private readonly expiredJtis = new Set<string>();
  private readonly revokedGrants = new Set<string>();
  private readonly grantRevokers: Array<() => Promise<void>> = [];
  private tokensExpiredAt: string | null = null;
  private grantsRevokedAt: string | null = null;

  view(): DemoStateView {
    return {
      ...structuredClone(this.settings),
      tokensExpiredAt: this.tokensExpiredAt,
      grantsRevokedAt: this.grantsRevokedAt,
      calls: this.calls.length,
    };
  }

  // --- tokens -------------------------------------------------------------------------------------

  /** Called by each authorization server when it issues a JWT access token. */
  recordAccessToken(jti: string, token: IssuedToken): void {
    if (this.issued.size > 5000) {
      const now = Date.now() / 1000;
      for (const [id, t] of this.issued) {
        if (t.exp < now) {
          this.issued.delete(id);
          this.expiredJtis.delete(id);
        }
      }
    }
    this.issued.set(jti, token);
  }

  /** Called when an authorization server revokes a grant (revocation endpoint, refresh token reuse, ...). */
  recordGrantRevoked(issuer: string, grantId: string): void {
    this.revokedGrants.add(`${issuer} ${grantId}`);
  }

  registerGrantRevoker(revoke: () => Promise<void>): void {
    this.grantRevokers.push(revoke);
  }

  // --- raw token values, for leak tests ------------------------------------------------------------
  // A test that proves the inspector never shows a token to the browser must know the real values; the
  // demo is the one party that sees them. Loopback admin API only, and only the most recent few.

  private readonly bearersSeen: string[] = [];
  private readonly refreshTokenListers: Array<() => string[]> = [];

  recordBearerSeen(token: string): void {
    if (!this.bearersSeen.includes(token)) this.bearersSeen.push(token);
    if (this.bearersSeen.length > 100) this.bearersSeen.shift();
  }

  registerRefreshTokenLister(list: () => string[]): void {
    this.refreshTokenListers.push(list);
  }

  issuedTokenValues(): { accessTokens: string[]; refreshTokens: string[] } {
    return {
      accessTokens: [...this.bearersSeen],
      refreshTokens: this.refreshTokenListers.flatMap((list) => list()).slice(-100),
    };
  }

  isExpiredByAdmin(jti: string): boolean {
    return this.expiredJtis.has(jti);
  }

  isRevoked(issuer: string, jti: string): boolean {
    const token = this.issued.get(jti);
    if (!token?.grantId || token.issuer !== issuer) return false;
    return this.revokedGrants.has(`${issuer} ${token.grantId}`);
  }

  /** Every access token issued so far now counts as expired; tokens issued later are unaffected. */
  expireTokens(): void {
    for (const jti of this.issued.keys()) this.expiredJtis.add(jti);
    this.tokensExpiredAt = new Date().toISOString();
  }

  /** Revokes every grant at every authorization server: refresh fails and access tokens are rejected. */
  async revokeAll(): Promise<void> {
    await Promise.all(this.grantRevokers.map((revoke) => revoke()));
    // Tokens whose grant already left the authorization server's store count as revoked too.
    for (const token of this.issued.values()) {
      if (token.grantId) this.revokedGrants.add(`${token.issuer} ${token.grantId}`);
    }
    this.grantsRevokedAt = new Date().toISOString();
  }

  // --- switches -----------------------------------------------------------------------------------

  setRequiredScope(tool: ToolName, scopes: McpScope[]): void {
    if (scopes.length === 0) delete this.settings.requiredScopes[tool];
    else this.settings.requiredScopes[tool] = scopes;
  }

  /** Scopes a request needs: the base scope plus whatever the called tools require. */
  scopesFor(tools: readonly string[]): McpScope[] {
    const needed = new Set<McpScope>([BASE_SCOPE]);
    for (const tool of tools) {
      for (const scope of this.settings.requiredScopes[tool as ToolName] ?? []) needed.add(scope);
    }
    return MCP_SCOPES.filter((scope) => needed.has(scope));
  }

  setAccessTokenTtl(seconds: number): void {
    this.settings.accessTokenTtl = seconds;
  }

  setBreak(row: BreakRow, on: boolean): void {
    this.settings.breaks[row] = on;
  }

  isBroken(row: BreakRow): boolean {
    return this.settings.breaks[row];
  }

  /**
   * Restores the default switches, the notes, an empty call log and an empty log of document fetches.
   * Expired or revoked tokens stay so.
   */
  reset(): void {
    this.settings = defaultSettings();
    this.notes.reset();
    this.calls = [];
    this.documentFetches = [];
  }

  // --- call log -----------------------------------------------------------------------------------

  recordCall(call: CallRecord): void {
    this.calls.push(call);
    if (this.calls.length > MAX_CALLS) this.calls.splice(0, this.calls.length - MAX_CALLS);
  }

  listCalls(): CallRecord[] {
    return this.calls.map((call) => ({ ...call }));
  }

  clearCalls(): void {
    this.calls = [];
  }

  // --- client metadata documents fetched ------------------------------------------------------------

  recordDocumentFetch(fetched: DocumentFetchRecord): void {
    this.documentFetches.push(fetched);
    if (this.documentFetches.length > MAX_CALLS) this.documentFetches.shift();
  }

  listDocumentFetches(): DocumentFetchRecord[] {
    return this.documentFetches.map((fetched) => ({ ...fetched }));
  }
}
