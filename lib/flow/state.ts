import type { DiscoverResult } from '@modelcontextprotocol/client';
import type { ExcludedTool, McpEra } from '../mcp/client';
import type { InputRequestView } from '../mcp/input-required';
import type { ToolView } from '../mcp/tools';
import type { AuthorizationServerMetadata } from '../oauth/as-metadata';
import type { ScopeSource } from '../oauth/authorization';
import type { PrmSource, ProtectedResourceMetadata } from '../oauth/protected-resource';
import type { BearerChallenge } from '../oauth/www-authenticate';
import type { ToolCallView } from './tool-call';
import type { FlowErrorInfo, FlowOptions, FlowSecrets, StepId, StepRecord } from './types';

/** What the unauthenticated probe learned. */
export interface ProbeResult {
  status: number;
  /** The raw WWW-Authenticate header, when there was one. */
  wwwAuthenticate?: string;
  challenge?: BearerChallenge;
  /**
   * The handshake (server/discover or initialize) answered without a token and the challenge came on
   * tools/list: requests meant to be refused must not use the handshake.
   */
  handshakeOpen?: true;
}

/**
 * How the authorization server was found: through protected resource metadata (2025-06-18 and
 * later), or the 2025-03-26 way from the MCP server's origin when there is no PRM.
 */
export type ResourceDiscovery =
  | {
      mode: 'prm';
      metadataUrl: string;
      source: PrmSource;
      document: ProtectedResourceMetadata;
      authorizationServers: string[];
      /** The chosen authorization server (options.authorizationServerIndex). */
      issuer: string;
      scopesSupported?: string[];
    }
  | {
      mode: 'legacy';
      /** The MCP server URL without its path (2025-03-26 §Authorization Base URL). */
      authorizationBaseUrl: string;
      issuer: string;
    };

export interface AuthorizationServerInfo {
  issuer: string;
  /** Where the metadata came from; absent for the 2025-03-26 default endpoints. */
  metadataUrl?: string;
  source: 'oauth' | 'oidc' | 'legacy-metadata' | 'legacy-fallback';
  metadata: AuthorizationServerMetadata;
}

export type ClientRoute = 'pre-registered' | 'cimd' | 'dcr';

/** The client the flow uses, keyed to the issuer that knows it. No secrets. */
export interface ClientInfo {
  route: ClientRoute;
  clientId: string;
  tokenEndpointAuthMethod: string;
  /** Registrations are only valid at the AS that issued them (MCP §Token Handling). */
  issuer: string;
  hasClientSecret: boolean;
  /** The public part of the DCR response (secrets removed). */
  registration?: Record<string, unknown>;
}

export interface AuthorizationRequestInfo {
  /** Set for the grants without a browser (client credentials, JWT bearer): `url` and `redirectUri` are empty. */
  grant?: 'client_credentials' | 'jwt_bearer' | 'id_jag';
  /** The URL the browser opens. Holds `state` and `code_challenge`, which are not secrets. */
  url: string;
  redirectUri: string;
  scope?: string;
  scopeSource: ScopeSource;
  resource?: string;
  /** Enterprise-managed in the browser: the user signs in at this IdP first (the callback comes from it). */
  idpSignIn?: { issuer: string; tokenEndpoint: string; issParameter: boolean; idTokenAlgs?: string[] };
  createdAt: number;
}

/** What the browser may know about the token: redacted value and decoded (unverified) claims. */
export interface TokenInfo {
  accessTokenRedacted: string;
  tokenType: string;
  scope?: string;
  scopeRequested?: string;
  /** Epoch ms. */
  expiresAt?: number;
  hasRefreshToken: boolean;
  isJwt: boolean;
  claims?: TokenClaims;
  /** The `resource` sent with the token request, i.e. the audience the token should carry. */
  resource?: string;
  receivedAt: number;
  /** How many times this session's tokens were refreshed (RFC 6749 §6); absent before the first. */
  refreshCount?: number;
  /** Whether the last refresh returned a new refresh token (rotation). */
  refreshRotated?: boolean;
}

export interface TokenClaims {
  iss?: unknown;
  aud?: unknown;
  sub?: unknown;
  scope?: unknown;
  exp?: unknown;
  iat?: unknown;
  client_id?: unknown;
}

export interface McpSessionInfo {
  /** `modern` (2026-07-28 and later: stateless, `_meta` on every request) or `legacy` (`initialize`). */
  era?: McpEra;
  serverInfo?: { name: string; version: string; title?: string };
  /** The revision the server actually speaks on the wire. */
  protocolVersion?: string;
  capabilities?: Record<string, unknown>;
  /** The server/discover result (modern servers); later calls replay it instead of probing again. */
  discover?: DiscoverResult;
  /** `Mcp-Session-Id` of a stateful legacy server, reused by later calls so they need not initialise again. */
  sessionId?: string;
  instructions?: string;
}

/** An operation to run again once the user has signed in again. Arguments stay in the sealed session. */
export type PendingOperation =
  | { kind: 'call-tool'; tool: string; args: Record<string, unknown>; allowNonReadOnly?: boolean }
  | { kind: 'list-tools' }
  /** The audit's audience row: get a token for `audience` with the refresh token and send it to the server. */
  | { kind: 'audience-probe'; audience: string };

/**
 * Why the token stopped working, as the server said it (RFC 6750 §3.1 `error` and its description):
 * expired, revoked, invalid (invalid_token without saying which), unauthorized (401 without an error),
 * insufficient-scope or forbidden (403), or disconnected (the user or the audit revoked it).
 */
export type LostAuthorizationReason =
  | 'expired'
  | 'revoked'
  | 'invalid'
  | 'unauthorized'
  | 'insufficient-scope'
  | 'forbidden'
  | 'disconnected'
  /** The resource's metadata names another authorization server than the one the session used (SEP-2352). */
  | 'authorization-server-changed'
  /** Not lost: the access audit signs in again to get a token for another resource. */
  | 'audit';

/**
 * What the UI offers when the session lost (or lacks) authorization: sign in again with the same
 * client ('reconnect'), or authorize again with more scope ('step-up'). Accepting it moves the
 * flow back to 'authorize' with the offer as `reauth`.
 * @see MCP 2025-11-25 §Scope Challenge Handling, §Error Handling
 */
export interface RecoveryOffer {
  action: 'reconnect' | 'step-up';
  reason: LostAuthorizationReason;
  /** One or two sentences for the banner: what happened and what the button does. */
  message: string;
  /** Whether a refresh was tried and what came of it. */
  refresh?: 'not-possible' | 'failed' | 'did-not-help';
  /** Step-up: the scope the server's challenge names (authoritative). */
  requiredScope?: string;
  /** Step-up: the scope the current token carries. */
  grantedScope?: string;
  /** The scope the new authorization requests: granted ∪ required for step-up. */
  scope?: string;
  /** Step-up authorizations already made for this operation (at most MAX_STEP_UP_ATTEMPTS). */
  attempts: number;
  /** What to run again once connected. */
  operation?: PendingOperation;
  /** The audit's audience row: an extra RFC 8707 resource asked for in the authorization request. */
  probeAudience?: string;
  /**
   * The authorization server changed (SEP-2352): reconnecting registers with the new one, from this
   * resource metadata, and carries nothing over from `from`.
   */
  migrateTo?: { from: string; resource: Extract<ResourceDiscovery, { mode: 'prm' }> };
}

/** Why the session was ended on purpose, and what happened at the authorization server. */
export interface DisconnectInfo {
  at: number;
  by: 'user' | 'audit';
  /** 'revoked': the AS accepted the revocation; 'no-endpoint': it has none; 'failed': it refused or was unreachable. */
  revocation: 'revoked' | 'no-endpoint' | 'failed';
  message: string;
}

interface FlowBase {
  options: FlowOptions;
  /** One record per step that ran, in STEP_ORDER. */
  records: StepRecord[];
  secrets: FlowSecrets;
  /** Monotonic counter for exchange id prefixes, so ids stay unique across steps and calls. */
  seq: number;
  /** Offered after a 401 that refreshing could not fix, or a 403 (connected or failed states). */
  recovery?: RecoveryOffer;
  /** Set while authorizing again (from 'authorize' to 'connected'): the accepted offer. */
  reauth?: RecoveryOffer;
  /** The result of the operation run again after re-authorizing, for the UI to show. */
  resumed?: ToolCallView;
  /**
   * While the audit's audience test waits for its authorization response: the made-up resource, and
   * the session's own authorization request to restore. The connected session's data (tokens, MCP
   * session, tools) stays in the state meanwhile, so every outcome returns to it.
   */
  audienceTest?: { audience: string; previous: AuthorizationRequestInfo };
}

interface ProbeData {
  probe: ProbeResult;
}
interface PrmData extends ProbeData {
  resource: ResourceDiscovery;
}
interface AsData extends PrmData {
  authorizationServer: AuthorizationServerInfo;
}
interface ClientData extends AsData {
  client: ClientInfo;
}
interface AuthorizeData extends ClientData {
  authorization: AuthorizationRequestInfo;
}
interface TokenData extends AuthorizeData {
  token: TokenInfo;
}
interface McpData extends TokenData {
  mcp: McpSessionInfo;
}
/**
 * A server that answered without a token: authorization is optional in MCP, so there is no OAuth to
 * walk through. The MCP session runs without one; the OAuth steps never ran.
 */
interface UnprotectedData extends ProbeData {
  unprotected: true;
}
interface UnprotectedMcpData extends UnprotectedData {
  mcp: McpSessionInfo;
}
interface UnprotectedToolsData extends UnprotectedMcpData {
  tools: ToolView[];
  excludedTools?: ExcludedTool[];
  pendingInput?: ToolsData['pendingInput'];
}
interface ToolsData extends McpData {
  tools: ToolView[];
  /**
   * A tool call waiting for the user's input (input-required result): the call, what the server
   * asked, and its opaque requestState, which is echoed unchanged and never sent to the browser.
   */
  pendingInput?: {
    tool: string;
    args: Record<string, unknown>;
    requests: InputRequestView[];
    requestState?: string;
    round: number;
  };
  /** Listed tools the client must not offer (an invalid x-mcp-header, SEP-2243), with the reason. */
  excludedTools?: ExcludedTool[];
}

/** `step` is the next thing to do, or a pause ('awaiting-callback') or an end ('connected', 'failed'). */
export type FlowState =
  | (FlowBase & { step: 'probe' })
  | (FlowBase & ProbeData & { step: 'prm' })
  | (FlowBase & PrmData & { step: 'as-metadata' })
  | (FlowBase & AsData & { step: 'registration' })
  | (FlowBase & ClientData & { step: 'authorize' })
  | (FlowBase & AuthorizeData & { step: 'awaiting-callback' })
  | (FlowBase & AuthorizeData & { step: 'token' })
  | (FlowBase & TokenData & { step: 'mcp-init' })
  | (FlowBase & UnprotectedData & { step: 'mcp-init' })
  | (FlowBase & McpData & { step: 'tools' })
  | (FlowBase & UnprotectedMcpData & { step: 'tools' })
  | (FlowBase & ToolsData & { step: 'connected' })
  | (FlowBase & UnprotectedToolsData & { step: 'connected' })
  /** Tokens revoked (when the AS can) and deleted; `reconnect` signs in again with the same client. */
  | (FlowBase & ClientData & { step: 'disconnected'; disconnected: DisconnectInfo })
  | (FlowBase &
      Partial<ToolsData> & {
        step: 'failed';
        error: FlowErrorInfo;
        failedStep: StepId;
      });

export type FlowStep = FlowState['step'];
export type StateAt<S extends FlowStep> = Extract<FlowState, { step: S }>;
/** Connected through OAuth (a token, a client, an authorization server), not an unprotected server. */
export type SignedIn = Extract<StateAt<'connected'>, { token: unknown }>;

/** The steps `runNextStep` can run (everything but pauses and ends). */
export type RunnableStep = Exclude<FlowStep, 'awaiting-callback' | 'connected' | 'failed' | 'disconnected'>;

export function isRunnable(state: FlowState): state is StateAt<RunnableStep> {
  return (
    state.step !== 'awaiting-callback' &&
    state.step !== 'connected' &&
    state.step !== 'failed' &&
    state.step !== 'disconnected'
  );
}

/**
 * A new flow at the probe step. A pre-registered client secret may come in `options.clientSecret`
 * (or in `secrets`); it is moved into the secrets so options never carry one.
 */
export function createFlow(
  options: FlowOptions,
  secrets: Pick<FlowSecrets, 'clientSecret' | 'clientPrivateKey' | 'assertion' | 'idpIdToken'> = {},
): FlowState {
  const { clientSecret, clientPrivateKey, assertion, idpIdToken, ...rest } = options;
  const idToken = idpIdToken ?? secrets.idpIdToken;
  const secret = clientSecret ?? secrets.clientSecret;
  const key = clientPrivateKey ?? secrets.clientPrivateKey;
  const jwt = assertion ?? secrets.assertion;
  return {
    step: 'probe',
    options: rest,
    records: [],
    secrets: {
      ...(secret ? { clientSecret: secret } : {}),
      ...(key ? { clientPrivateKey: key } : {}),
      ...(jwt ? { assertion: jwt } : {}),
      ...(idToken ? { idpIdToken: idToken } : {}),
    },
    seq: 0,
  };
}
