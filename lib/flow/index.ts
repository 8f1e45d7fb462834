/**
 * The flow engine: one serialisable state machine used by the walkthrough, "run all" and the CLI.
 * Framework-free; every network call goes through the traced fetch built from the FlowContext.
 */
export { runAccessAudit, testRevocation } from './audit';
export { CHECK_LIST, CHECKS, type CheckDefinition, type CheckId } from './checks';
export { disconnect } from './disconnect';
export { handleCallback, reconnect, runNextStep, runUntilPause, testAudience } from './engine';
export { type LeakFinding, type LeakKind, scanForLeaks } from './leak-scanner';
export { answerToolInput, callTool, listTools, resumeAfterReauthorization } from './operations';
export { MAX_STEP_UP_ATTEMPTS } from './recovery';
export { type InspectorReport, parseReport, type ReportParse, reportFileName, toReport } from './report';
export { selectAuthorizationServer } from './select';
export {
  type AuthorizationRequestInfo,
  type AuthorizationServerInfo,
  type ClientInfo,
  type ClientRoute,
  createFlow,
  type DisconnectInfo,
  type FlowState,
  type FlowStep,
  type LostAuthorizationReason,
  type McpSessionInfo,
  type PendingOperation,
  type ProbeResult,
  type RecoveryOffer,
  type ResourceDiscovery,
  type StateAt,
  type TokenClaims,
  type TokenInfo,
} from './state';
export { DEFAULT_FLOW_LIMITS, type FlowContext, type FlowLimits } from './step-run';
export type { AsProbeRow } from './steps/as-metadata';
export type { PrmProbeRow } from './steps/prm';
export * from './types';
export {
  type DiscoveryView,
  type FlowView,
  type PublicOptions,
  type RecoveryView,
  type TokenView,
  type ToolCallView,
  type ToolContent,
  type ToolView,
  toView,
} from './view';
