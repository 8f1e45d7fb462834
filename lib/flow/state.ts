import type { ToolView } from '../mcp/tools';
import type { AuthorizationServerMetadata } from '../oauth/as-metadata';
import type { ScopeSource } from '../oauth/authorization';
import type { PrmSource, ProtectedResourceMetadata } from '../oauth/protected-resource';
import type { BearerChallenge } from '../oauth/www-authenticate';
import type { FlowErrorInfo, FlowOptions, FlowSecrets, StepId, StepRecord } from './types';

/** What the unauthenticated probe learned. */
export interface ProbeResult {
  status: number;
  /** The raw WWW-Authenticate header, when there was one. */
  wwwAuthenticate?: string;
  challenge?: BearerChallenge;
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
  /** The URL the browser opens. Holds `state` and `code_challenge`, which are not secrets. */
  url: string;
  redirectUri: string;
  scope?: string;
  scopeSource: ScopeSource;
  resource?: string;
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
  serverInfo?: { name: string; version: string; title?: string };
  protocolVersion?: string;
  capabilities?: Record<string, unknown>;
  /** `Mcp-Session-Id`, reused by later calls so they need not initialise again. */
  sessionId?: string;
  instructions?: string;
}

interface FlowBase {
  options: FlowOptions;
  /** One record per step that ran, in STEP_ORDER. */
  records: StepRecord[];
  secrets: FlowSecrets;
  /** Monotonic counter for exchange id prefixes, so ids stay unique across steps and calls. */
  seq: number;
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
interface ToolsData extends McpData {
  tools: ToolView[];
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
  | (FlowBase & McpData & { step: 'tools' })
  | (FlowBase & ToolsData & { step: 'connected' })
  | (FlowBase &
      Partial<ToolsData> & {
        step: 'failed';
        error: FlowErrorInfo;
        failedStep: StepId;
      });

export type FlowStep = FlowState['step'];
export type StateAt<S extends FlowStep> = Extract<FlowState, { step: S }>;

/** The steps `runNextStep` can run (everything but pauses and ends). */
export type RunnableStep = Exclude<FlowStep, 'awaiting-callback' | 'connected' | 'failed'>;

export function isRunnable(state: FlowState): state is StateAt<RunnableStep> {
  return state.step !== 'awaiting-callback' && state.step !== 'connected' && state.step !== 'failed';
}

/**
 * A new flow at the probe step. A pre-registered client secret may come in `options.clientSecret`
 * (or in `secrets`); it is moved into the secrets so options never carry one.
 */
export function createFlow(options: FlowOptions, secrets: Pick<FlowSecrets, 'clientSecret'> = {}): FlowState {
  const { clientSecret, ...rest } = options;
  const secret = clientSecret ?? secrets.clientSecret;
  return {
    step: 'probe',
    options: rest,
    records: [],
    secrets: secret ? { clientSecret: secret } : {},
    seq: 0,
  };
}
