import type { Exchange } from '../http/types';
import type { ExcludedTool } from '../mcp/client';
import type { ToolContent, ToolView } from '../mcp/tools';
import type {
  DisconnectInfo,
  FlowState,
  McpSessionInfo,
  PendingOperation,
  RecoveryOffer,
  SignedIn,
  TokenClaims,
} from './state';
import type { ToolCallView } from './tool-call';
import {
  type CheckStatus,
  type FlowErrorInfo,
  type FlowOptions,
  STEP_ORDER,
  type StepId,
  type StepRecord,
} from './types';

export type { ToolCallView } from './tool-call';
export type { ToolContent, ToolView };

/** The token as the browser may see it. */
export interface TokenView {
  /** Redacted: first and last characters and the length. */
  accessToken: string;
  tokenType: string;
  /** Granted scope, when the AS stated it. */
  scope?: string;
  scopeRequested?: string;
  /** Epoch ms. */
  expiresAt?: number;
  hasRefreshToken: boolean;
  /** Decoded without verifying the signature (the MCP server verifies). Absent for opaque tokens. */
  claims?: TokenClaims;
  /** The audience the token should carry (the `resource` sent). */
  resource?: string;
  /** Epoch ms when the token was issued or last refreshed. */
  receivedAt?: number;
  /** Refreshes so far in this session, and whether the last one rotated the refresh token. */
  refreshCount?: number;
  refreshRotated?: boolean;
}

/** A recovery offer as the browser sees it: the operation is named, its arguments stay server-side. */
export type RecoveryView = Omit<RecoveryOffer, 'operation'> & {
  operation?: { kind: PendingOperation['kind']; tool?: string };
};

/** Public facts about what was discovered, for summaries. */
export interface DiscoveryView {
  resourceMetadataUrl?: string;
  discoveryMode?: 'prm' | 'legacy';
  authorizationServers?: string[];
  issuer?: string;
  asMetadataUrl?: string;
  /** RFC 7009 endpoint from the AS metadata, when it has one (Disconnect revokes there). */
  revocationEndpoint?: string;
  clientId?: string;
  registrationRoute?: string;
  mcp?: Omit<McpSessionInfo, 'sessionId'> & { hasSession: boolean };
}

export type PublicOptions = Omit<FlowOptions, 'clientSecret'>;

/**
 * An exchange as the live page first gets it: what its closed row and the pictures show (method, URL,
 * status, timing, sizes, content types, the rule it serves). Headers and bodies stay on the server
 * until the user opens it (GET /api/exchange/<id>), which keeps every action's answer small.
 */
export interface ExchangeSummary {
  id: string;
  stepId: string;
  purpose?: string;
  startedAt: number;
  durationMs: number;
  request: { method: string; url: string; contentType?: string; bodyBytes?: number };
  response?: { status: number; statusText: string; contentType?: string; size: number; truncated: boolean };
  error?: { code: string; message: string };
  collapsed: true;
}

/** A recorded exchange in full (reports, an opened exchange) or collapsed (the live page). */
export type AnyExchange = Exchange | ExchangeSummary;

/** A step as a view shows it; `X` says whether its exchanges are full or collapsed. */
export type StepView<X extends AnyExchange = Exchange> = Omit<StepRecord, 'exchanges'> & { exchanges: X[] };

/**
 * The JSON-serialisable projection of a flow for the browser. Never holds a secret. Full exchanges
 * by default (reports); `LiveView` is what server actions and the page send.
 */
export interface FlowView<X extends AnyExchange = Exchange> {
  step: FlowState['step'];
  options: PublicOptions;
  /** Every step in STEP_ORDER, pending ones included. */
  steps: StepView<X>[];
  authorizationUrl?: string;
  tools: ToolView[];
  /** Listed by the server but dropped, as clients must (an invalid x-mcp-header, SEP-2243): never runnable. */
  excludedTools?: ExcludedTool[];
  token?: TokenView;
  error?: FlowErrorInfo;
  failedStep?: StepId;
  discovery: DiscoveryView;
  summary: Record<CheckStatus, number>;
  /** What the UI may offer now: reconnect or step-up (after a 401 refreshing could not fix, or a 403). */
  recovery?: RecoveryView;
  /** Set while signing in again: what it is for. */
  reauth?: RecoveryView;
  /** The operation repeated after signing in again, with its result. */
  resumed?: ToolCallView;
  /** Set when the session was ended on purpose. */
  disconnected?: DisconnectInfo;
}

function recoveryView(offer: RecoveryOffer): RecoveryView {
  const { operation, ...rest } = offer;
  return {
    ...rest,
    ...(operation
      ? {
          operation: {
            kind: operation.kind,
            ...(operation.kind === 'call-tool' ? { tool: operation.tool } : {}),
          },
        }
      : {}),
  };
}

/** Projects a flow state for the browser: no verifier, code, tokens, client secret or state value. */
export function toView(state: FlowState): FlowView {
  const { clientSecret: _secret, ...options } = state.options;
  const steps = STEP_ORDER.map(
    (id): StepRecord =>
      state.records.find((r) => r.id === id) ?? { id, status: 'pending', checks: [], exchanges: [] },
  );
  const summary: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const step of steps) for (const c of step.checks) summary[c.status]++;

  const s = state as Partial<SignedIn> & FlowState;
  const discovery: DiscoveryView = {};
  if (s.resource) {
    discovery.discoveryMode = s.resource.mode;
    if (s.resource.mode === 'prm') {
      discovery.resourceMetadataUrl = s.resource.metadataUrl;
      discovery.authorizationServers = s.resource.authorizationServers;
    }
    discovery.issuer = s.resource.issuer;
  }
  if (s.authorizationServer) {
    discovery.issuer = s.authorizationServer.issuer;
    if (s.authorizationServer.metadataUrl) discovery.asMetadataUrl = s.authorizationServer.metadataUrl;
    if (s.authorizationServer.metadata.revocation_endpoint)
      discovery.revocationEndpoint = s.authorizationServer.metadata.revocation_endpoint;
  }
  if (s.client) {
    discovery.clientId = s.client.clientId;
    discovery.registrationRoute = s.client.route;
  }
  if (s.mcp) {
    const { sessionId, ...rest } = s.mcp;
    discovery.mcp = { ...rest, hasSession: Boolean(sessionId) };
  }

  const view: FlowView = {
    step: state.step,
    options,
    steps,
    tools: s.tools ?? [],
    discovery,
    summary,
  };
  if (s.excludedTools?.length) view.excludedTools = s.excludedTools;
  if (state.step === 'awaiting-callback') view.authorizationUrl = state.authorization.url;
  if (s.token) {
    const t = s.token;
    view.token = {
      accessToken: t.accessTokenRedacted,
      tokenType: t.tokenType,
      ...(t.scope !== undefined ? { scope: t.scope } : {}),
      ...(t.scopeRequested !== undefined ? { scopeRequested: t.scopeRequested } : {}),
      ...(t.expiresAt !== undefined ? { expiresAt: t.expiresAt } : {}),
      hasRefreshToken: t.hasRefreshToken,
      ...(t.claims ? { claims: t.claims } : {}),
      ...(t.resource ? { resource: t.resource } : {}),
      receivedAt: t.receivedAt,
      ...(t.refreshCount !== undefined ? { refreshCount: t.refreshCount } : {}),
      ...(t.refreshRotated !== undefined ? { refreshRotated: t.refreshRotated } : {}),
    };
  }
  if (state.recovery) view.recovery = recoveryView(state.recovery);
  if (state.reauth) view.reauth = recoveryView(state.reauth);
  if (state.resumed) view.resumed = state.resumed;
  if (state.step === 'disconnected') view.disconnected = state.disconnected;
  if (state.step === 'failed') {
    view.error = state.error;
    view.failedStep = state.failedStep;
  }
  return view;
}

/** What the live page holds: every exchange collapsed. */
export type LiveView = FlowView<ExchangeSummary>;

/** What the page shows: the live view, or a report opened from a file (full exchanges). */
export type ShownView = FlowView<AnyExchange>;

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** An exchange without its headers and bodies (see ExchangeSummary). */
export function collapseExchange(exchange: Exchange): ExchangeSummary {
  const { request, response } = exchange;
  const requestType = headerValue(request.headers, 'content-type');
  const summary: ExchangeSummary = {
    id: exchange.id,
    stepId: exchange.stepId,
    ...(exchange.purpose !== undefined ? { purpose: exchange.purpose } : {}),
    startedAt: exchange.startedAt,
    durationMs: exchange.durationMs,
    request: {
      method: request.method,
      url: request.url,
      ...(requestType !== undefined ? { contentType: requestType } : {}),
      ...(request.body !== undefined ? { bodyBytes: new TextEncoder().encode(request.body).length } : {}),
    },
    collapsed: true,
  };
  if (response) {
    const responseType = headerValue(response.headers, 'content-type');
    summary.response = {
      status: response.status,
      statusText: response.statusText,
      ...(responseType !== undefined ? { contentType: responseType } : {}),
      size: response.size,
      truncated: response.truncated,
    };
  }
  if (exchange.error) summary.error = exchange.error;
  return summary;
}

/** The view with every exchange collapsed: what the live page receives. */
export function collapseView(view: FlowView): LiveView {
  return {
    ...view,
    steps: view.steps.map((step) => ({ ...step, exchanges: step.exchanges.map(collapseExchange) })),
  };
}
