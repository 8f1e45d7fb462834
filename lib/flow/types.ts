import type { Exchange } from '../http/types';
import type { DpopKeys } from '../oauth/dpop';
import type { ClientAssertionAlg } from '../oauth/token';

import type { SpecVersion } from '../spec/version';

export { LATEST_SPEC, SPEC_VERSIONS, type SpecVersion } from '../spec/version';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** A doctor check. `id` is stable and documented in the README (e.g. `prm.resource-match`). */
export interface Check {
  id: string;
  status: CheckStatus;
  /** Short human title, e.g. "PRM resource matches the server URL". */
  title: string;
  /** What happened and, when not passing, what to do. */
  message: string;
  /** e.g. "RFC 9728 §3.3" or "MCP 2025-11-25 §Authorization Server Metadata Discovery". */
  specRef: string;
  expected?: string;
  actual?: string;
  /** Exchanges that prove it. */
  exchangeIds: string[];
}

export type StepId =
  | 'probe'
  | 'prm'
  | 'as-metadata'
  | 'registration'
  | 'authorize'
  | 'callback'
  | 'token'
  | 'mcp-init'
  | 'tools';

export const STEP_ORDER: readonly StepId[] = [
  'probe',
  'prm',
  'as-metadata',
  'registration',
  'authorize',
  'callback',
  'token',
  'mcp-init',
  'tools',
];

export type StepStatus = 'pending' | 'passed' | 'warned' | 'failed' | 'waiting' | 'skipped';

/** Error codes of the flow: one error type, typed code, expected vs actual. */
export type FlowErrorCode =
  | 'unreachable'
  | 'timeout'
  | 'blocked_address'
  | 'response_too_large'
  | 'not_mcp'
  | 'no_challenge'
  | 'prm_not_found'
  | 'prm_invalid'
  | 'as_metadata_not_found'
  | 'as_metadata_invalid'
  | 'registration_unavailable'
  | 'registration_failed'
  | 'authorization_denied'
  | 'state_mismatch'
  | 'iss_mismatch'
  | 'callback_invalid'
  | 'token_failed'
  | 'mcp_failed'
  | 'unauthorized'
  | 'insufficient_scope'
  | 'internal'
  /** callTool: the tool is not annotated readOnlyHint: true, so the inspector will not run it. */
  | 'tool_not_read_only'
  /** callTool: the server did not list a tool by that name. */
  | 'tool_unknown'
  /** The options cannot work (e.g. authorizationServerIndex out of range, forced route unavailable). */
  | 'invalid_options'
  /** An engine function was called in a state where it does not apply (e.g. a callback when not waiting). */
  | 'invalid_state';

export interface FlowErrorInfo {
  code: FlowErrorCode;
  /** What failed, in one sentence. */
  message: string;
  /** What the user or the server operator can do next. */
  hint?: string;
  expected?: string;
  actual?: string;
  specRef?: string;
}

export class FlowError extends Error {
  readonly code: FlowErrorCode;
  readonly info: FlowErrorInfo;
  constructor(info: FlowErrorInfo, options?: { cause?: unknown }) {
    super(info.message, options);
    this.name = 'FlowError';
    this.code = info.code;
    this.info = info;
  }
}

/** One step's public record: what the walkthrough shows. Never holds secrets. */
export interface StepRecord {
  id: StepId;
  status: StepStatus;
  startedAt?: number;
  durationMs?: number;
  checks: Check[];
  exchanges: Exchange[];
  error?: FlowErrorInfo;
  /** Step-specific public facts for the detail pane (probe matrix, chosen issuer, redacted token, ...). */
  facts?: Record<string, unknown>;
}

export type RegistrationRoute = 'auto' | 'pre-registered' | 'cimd' | 'dcr';

/**
 * How discovery probes its candidate URLs. `matrix` (the doctor's default) fetches every candidate at
 * once and reports them all; `client` behaves like a strict client: in the spec's order, stopping at the
 * first usable answer, never requesting a lower-priority URL (the conformance suite checks this).
 */
export type DiscoveryMode = 'matrix' | 'client';

export interface FlowOptions {
  serverUrl: string;
  specVersion: SpecVersion;
  /** Where the authorization server sends the browser back. */
  redirectUri: string;
  registration: RegistrationRoute;
  /** Default `matrix`. */
  discovery?: DiscoveryMode;
  /** Explicit scopes; when unset the spec's selection strategy applies. */
  scope?: string;
  /** Real-world switch: leave `resource` out of authorization and token requests. */
  omitResource?: boolean;
  /**
   * `authorization_code` (default): a person signs in. `client_credentials`: the client's own token,
   * no user and no browser (MCP's OAuth Client Credentials extension; RFC 6749 §4.4). Needs a
   * pre-registered client with a secret or a private key.
   */
  grant?: 'authorization_code' | 'client_credentials' | 'jwt_bearer' | 'id_jag';
  /** Enterprise-managed authorization (grant id_jag): the enterprise IdP's token endpoint and client id. */
  idp?: { tokenEndpoint?: string; clientId: string; issuer?: string };
  /** Ask for DPoP-bound tokens (RFC 9449) and present them with a proof on every request. */
  dpop?: boolean;
  /** The JWS algorithm for private_key_jwt client assertions (default ES256). */
  clientAssertionAlg?: ClientAssertionAlg;
  /** Real-world switch: extra authorization request parameters (e.g. audience). */
  extraAuthParams?: Record<string, string>;
  preRegistered?: { clientId: string; tokenEndpointAuthMethod?: string };
  clientMetadataUrl?: string;
  clientName: string;
  /** Index into PRM authorization_servers; default 0. */
  authorizationServerIndex?: number;
  /**
   * Input only: a pre-registered client's secret. `createFlow` moves it into `secrets.clientSecret`
   * and removes it from the options, so options never carry a secret.
   */
  clientSecret?: string;
  /** Input only, like clientSecret: a pre-registered client's private key (PKCS#8 PEM), moved into secrets. */
  clientPrivateKey?: string;
  /** Input only: the JWT the jwt_bearer grant presents (e.g. a workload identity token), moved into secrets. */
  assertion?: string;
  /** Input only: the user's ID token from the enterprise IdP (grant id_jag), moved into secrets. */
  idpIdToken?: string;
}

/** Secrets the server needs between steps. Lives only in the sealed server-side session. */
export interface FlowSecrets {
  codeVerifier?: string;
  state?: string;
  nonce?: string;
  clientSecret?: string;
  accessToken?: string;
  refreshToken?: string;
  idToken?: string;
  /** Absolute epoch ms. */
  accessTokenExpiresAt?: number;
  /** From the callback until the token exchange uses it (single use). */
  authorizationCode?: string;
  /** RFC 7592 management token from DCR, if the AS issued one. */
  registrationAccessToken?: string;
  /** A pre-registered client's private key (PKCS#8 PEM) for private_key_jwt. Never leaves the server. */
  clientPrivateKey?: string;
  /** The assertion of the jwt_bearer grant (a workload identity token, an ID-JAG). */
  assertion?: string;
  /** The user's ID token from the enterprise IdP, exchanged for an ID-JAG. */
  idpIdToken?: string;
  /** The session's DPoP key pair (RFC 9449); the private JWK is a secret. */
  dpopKeys?: DpopKeys;
  /** The access token is DPoP-bound: present it as `DPoP <token>` with a proof. */
  dpopBound?: boolean;
}
