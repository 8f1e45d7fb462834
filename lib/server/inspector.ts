import 'server-only';
import { createHash } from 'node:crypto';
import { headers } from 'next/headers';
import { z } from 'zod';
import {
  type ActionResult,
  type InspectorAnswer,
  type InspectorSnapshot,
  type StartInput,
  startInputSchema,
  type ToolCallOutcome,
} from '../contract';
import {
  createFlow,
  disconnect,
  answerToolInput as engineAnswerToolInput,
  callTool as engineCallTool,
  type FlowContext,
  type FlowState,
  handleCallback,
  reconnect,
  resumeAfterReauthorization,
  runAccessAudit,
  runNextStep,
  runUntilPause,
  selectAuthorizationServer,
  testAudience,
  testRevocation,
} from '../flow';
import { browserExchange, browserView, liveView, scrubForBrowser } from '../flow/scrub';
import type { FlowView } from '../flow/view';
import { parseHolding, revisionOf, viewFingerprints, viewUpdate } from '../flow/view-delta';
import { guardedFetch } from '../http/traced-fetch';
import type { Exchange } from '../http/types';
import type { InputAnswer } from '../mcp/input-required';
import { config } from './config';
import { withOutboundSlot } from './rate-limit';
import {
  type InspectorSessionData,
  NoSessionError,
  readSession,
  SessionStoreUnavailableError,
  sessionManager,
  type WalkthroughMode,
  withSession,
} from './session';

export {
  type ActionResult,
  type InspectorAnswer,
  type InspectorSnapshot,
  MAX_URL_CHARS,
  type StartInput,
  startInputSchema,
  type ToolCallOutcome,
} from '../contract';

export const CALLBACK_PATH = '/api/oauth/callback';
export const CLIENT_METADATA_PATH = '/oauth/client-metadata.json';

/** "a=b&c=d" or one pair per line → a record, refusing parameters the flow owns. */
export function parseExtraParams(raw: string | undefined): Record<string, string> | undefined {
  if (!raw) return undefined;
  const owned = new Set([
    'state',
    'code_challenge',
    'code_challenge_method',
    'redirect_uri',
    'client_id',
    'response_type',
  ]);
  const params = new URLSearchParams(raw.replace(/\r?\n/g, '&'));
  const out: Record<string, string> = {};
  for (const [k, v] of params) {
    if (owned.has(k)) throw new Error(`The extra parameter "${k}" is set by the flow itself; remove it.`);
    out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

async function appOrigin(): Promise<string> {
  const configured = config().publicUrl;
  if (configured) return configured;
  const h = await headers();
  const host = h.get('x-forwarded-host') ?? h.get('host') ?? '127.0.0.1:3000';
  const proto = h.get('x-forwarded-proto') ?? 'http';
  return `${proto}://${host}`;
}

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The URL of our Client ID Metadata Document, when an authorization server could fetch it: an https app
 * origin, or (local mode) a loopback server, whose authorization server is on this machine too.
 */
function clientMetadataUrlFor(origin: string, serverUrl: string): string | undefined {
  if (origin.startsWith('https://')) return `${origin}${CLIENT_METADATA_PATH}`;
  if (config().mode === 'local' && isLoopbackUrl(origin) && isLoopbackUrl(serverUrl)) {
    return `${origin}${CLIENT_METADATA_PATH}`;
  }
  return undefined;
}

/** draft-ietf-oauth-client-id-metadata-document §4.1: client_id equals the document's own URL. */
export async function clientMetadataDocument() {
  const origin = await appOrigin();
  return {
    client_id: `${origin}${CLIENT_METADATA_PATH}`,
    client_name: 'MCP Auth Inspector',
    client_uri: origin,
    redirect_uris: [`${origin}${CALLBACK_PATH}`],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    application_type: 'web',
  };
}

export function flowContext(): FlowContext {
  const c = config();
  return {
    policy: c.mode === 'hosted' ? { mode: 'hosted', allowHosts: c.allowHosts } : { mode: 'local' },
    limits: {
      timeoutMs: c.timeoutMs,
      maxBodyBytes: c.maxBodyBytes,
      maxMcpBodyBytes: c.maxMcpBodyBytes,
      stepBudgetMs: c.stepBudgetMs,
      maxRedirects: c.maxRedirects,
    },
  };
}

/**
 * What an action answers: what changed since the view the page holds (`holding`, as it sent it),
 * computed from the view the browser may see: scrubbed of the session's live secrets (see
 * lib/flow/scrub), exchanges collapsed (their bodies come from /api/exchange/<id> when opened).
 */
function answer(data: InspectorSessionData, holding: unknown): InspectorAnswer {
  const view = data.flow ? liveView(data.flow) : null;
  return { update: viewUpdate(parseHolding(holding), view), mode: data.mode };
}

function describeError(error: unknown): string {
  if (error instanceof z.ZodError) return error.issues.map((i) => i.message).join(' ');
  if (error instanceof Error) return error.message;
  return 'Something went wrong on the inspector’s server.';
}

async function guarded<T>(fn: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    console.error('[inspector] operation failed:', describeError(error));
    return { ok: false, error: describeError(error) };
  }
}

/**
 * This browser's session for rendering. A session store that is not answering renders the start
 * page (the next action tells the user why) rather than an error page: the store may be back in a
 * second.
 */
async function renderedSession(): Promise<InspectorSessionData | undefined> {
  try {
    return (await readSession())?.data;
  } catch (error) {
    if (!(error instanceof SessionStoreUnavailableError)) throw error;
    console.error('[inspector] page rendered without its session:', error.message);
    return undefined;
  }
}

/** This browser's walkthrough in full (exchange bodies included, scrubbed), for reports. */
export async function currentSnapshot(): Promise<{ view: FlowView | null; mode: WalkthroughMode }> {
  const data = await renderedSession();
  return { view: data?.flow ? browserView(data.flow) : null, mode: data?.mode ?? 'run-all' };
}

/** What the page is rendered with: the live view (exchanges collapsed) and its fingerprints. */
export async function currentLiveSnapshot(): Promise<InspectorSnapshot> {
  const data = await renderedSession();
  const live = data?.flow ? liveView(data.flow) : null;
  const held = live ? viewFingerprints(live) : {};
  return { view: live, held, rev: revisionOf(held), mode: data?.mode ?? 'run-all' };
}

/**
 * One recorded exchange of this browser's own walkthrough, with headers and bodies, scrubbed as the
 * view is (the same live secrets, over the same recorded, redacted exchange). Undefined when this
 * session has no exchange with that id and start time (another session's or walkthrough's).
 */
export async function sessionExchange(id: string, startedAt: number): Promise<Exchange | undefined> {
  const flow = (await readSession())?.data.flow;
  return flow && browserExchange(flow, id, startedAt);
}

/** The answer for a page holding `holding`, with nothing run (the page was out of step). */
export function currentAnswer(holding: unknown): Promise<ActionResult> {
  return guarded(async () => answer((await readSession())?.data ?? { mode: 'run-all' }, holding));
}

/** The bundled demo's workload token, from its platform's metadata endpoint (local demo only). */
async function workloadAssertion(url: string): Promise<string> {
  const fetch = guardedFetch(flowContext().policy ?? { mode: 'hosted' });
  const response = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: 'manual' });
  const body = (await response.json().catch(() => undefined)) as { token?: unknown } | undefined;
  if (!response.ok || typeof body?.token !== 'string') {
    throw new Error(
      `The demo's workload platform gave no identity token (HTTP ${response.status}). Restart the demo.`,
    );
  }
  return body.token;
}

/** Starts a new walkthrough for a server URL. Guided runs one step, run-all runs until consent. */
export function startWalkthrough(raw: StartInput): Promise<ActionResult> {
  return guarded(async () => {
    const input = startInputSchema.parse(raw);
    const origin = await appOrigin();
    const c = config();
    const scenario = input.demoScenario
      ? c.demo?.scenarios.find((s) => s.id === input.demoScenario)
      : undefined;
    if (scenario?.preRegistered && !input.clientId) {
      const pre = scenario.preRegistered;
      input.clientId = pre.clientId;
      input.clientSecret = pre.clientSecret;
      input.clientPrivateKey = pre.privateKeyPem;
      input.tokenEndpointAuthMethod =
        pre.tokenEndpointAuthMethod ?? (pre.clientSecret ? 'client_secret_basic' : 'none');
    }
    if (scenario?.grant) input.grant = scenario.grant;
    if (scenario?.dpop) input.dpop = true;
    if (scenario?.idp && !input.idpIssuer) {
      input.idpIssuer = scenario.idp.issuer;
      input.idpClientId = scenario.idp.clientId;
    }
    // Workload identity: the workload's platform hands out its token; the demo's platform is asked here,
    // server-side, so the assertion never reaches the browser. Other servers: the CLI's --assertion-file.
    const assertion = scenario?.workload
      ? await workloadAssertion(scenario.workload.assertionUrl)
      : undefined;
    const flow = createFlow({
      serverUrl: input.serverUrl,
      specVersion: input.specVersion,
      redirectUri: `${origin}${CALLBACK_PATH}`,
      registration: input.registration,
      scope: input.scope || undefined,
      omitResource: input.omitResource,
      extraAuthParams: parseExtraParams(input.extraAuthParams),
      preRegistered: input.clientId
        ? { clientId: input.clientId, tokenEndpointAuthMethod: input.tokenEndpointAuthMethod }
        : undefined,
      clientSecret: input.clientId ? input.clientSecret || undefined : undefined,
      clientPrivateKey: input.clientId ? input.clientPrivateKey || undefined : undefined,
      ...(assertion ? { assertion } : {}),
      clientMetadataUrl: clientMetadataUrlFor(origin, input.serverUrl),
      clientName: 'MCP Auth Inspector',
      authorizationServerIndex: input.authorizationServerIndex,
      ...(input.grant !== 'authorization_code' ? { grant: input.grant } : {}),
      ...(input.grant === 'id_jag' && input.idpIssuer && input.idpClientId
        ? { idp: { issuer: input.idpIssuer, clientId: input.idpClientId } }
        : {}),
      ...(input.dpop ? { dpop: true } : {}),
    });
    return withSession(
      async () => {
        const ctx = flowContext();
        const next = await withOutboundSlot(() =>
          input.mode === 'guided' ? runNextStep(flow, ctx) : runUntilPause(flow, ctx),
        );
        const data: InspectorSessionData = { mode: input.mode, flow: next };
        // A new walkthrough: the page gets it whole, whatever it held before.
        return { data, result: answer(data, undefined) };
      },
      { create: true },
    );
  });
}

/** Guided mode's "Next", or run-all's "Continue": one step, or until the next pause. */
export function advanceWalkthrough(how: 'step' | 'all', holding?: unknown): Promise<ActionResult> {
  return guarded(() =>
    withSession(async (session) => {
      const flow = session.data.flow;
      if (!flow) throw new Error('There is no walkthrough in progress. Enter a server URL and press Start.');
      const ctx = flowContext();
      const next = await withOutboundSlot(() =>
        how === 'step' ? runNextStep(flow, ctx) : runUntilPause(flow, ctx),
      );
      const data = { ...session.data, flow: next };
      return { data, result: answer(data, holding) };
    }),
  );
}

/**
 * The user picks another of the authorization servers the resource metadata lists (RFC 9728 §7.6).
 * Paused right before AS metadata discovery: switch and carry on (guided mode waits for Next). Later
 * (discovery ran, failed or connected): start again with the same options and that server, up to the
 * same point a fresh start reaches (guided: paused before AS metadata discovery, to show the choice).
 */
export function chooseAuthorizationServer(index: number, holding?: unknown): Promise<ActionResult> {
  return guarded(() =>
    withSession(async (session) => {
      const flow = session.data.flow;
      const resource = flow && 'resource' in flow ? flow.resource : undefined;
      const servers = resource?.mode === 'prm' ? resource.authorizationServers : undefined;
      if (!flow || !servers) {
        throw new Error(
          'There is no resource metadata listing authorization servers yet. Start a walkthrough.',
        );
      }
      if (!Number.isInteger(index) || index < 0 || index >= servers.length) {
        throw new Error(
          `There is no authorization server number ${index + 1}; the metadata lists ${servers.length}.`,
        );
      }
      const ctx = flowContext();
      const guided = session.data.mode === 'guided';
      const next = await withOutboundSlot(async () => {
        if (flow.step === 'as-metadata') {
          const chosen = selectAuthorizationServer(flow, index);
          return guided ? chosen : runUntilPause(chosen, ctx);
        }
        let again: FlowState = createFlow(
          { ...flow.options, authorizationServerIndex: index },
          { clientSecret: flow.secrets.clientSecret },
        );
        if (!guided) return runUntilPause(again, ctx);
        while (again.step === 'probe' || again.step === 'prm') again = await runNextStep(again, ctx);
        return again;
      });
      const data = { ...session.data, flow: next };
      return { data, result: answer(data, holding) };
    }),
  );
}

/** Without a session there is nothing to keep the mode for: the next Start carries it. */
export function setMode(mode: WalkthroughMode, holding?: unknown): Promise<ActionResult> {
  return guarded(async () => {
    if (!(await readSession())) return answer({ mode }, holding);
    return withSession(async (session) => {
      const data = { ...session.data, mode };
      return { data, result: answer(data, holding) };
    });
  });
}

export function resetWalkthrough(holding?: unknown): Promise<ActionResult> {
  return guarded(async () => {
    if (!(await readSession())) return answer({ mode: 'run-all' }, holding);
    return withSession(async (session) => {
      const data: InspectorSessionData = { mode: session.data.mode };
      return { data, result: answer(data, holding) };
    });
  });
}

export function runTool(
  name: string,
  args: unknown,
  holding?: unknown,
): Promise<ActionResult<ToolCallOutcome>> {
  return guarded(() =>
    withSession(async (session) => {
      const flow = session.data.flow;
      if (!flow) throw new Error('Connect to a server before running a tool.');
      const { state, result } = await withOutboundSlot(() => engineCallTool(flow, flowContext(), name, args));
      const data = { ...session.data, flow: state };
      return { data, result: { ...answer(data, holding), result: scrubForBrowser(result, state.secrets) } };
    }),
  );
}

/**
 * Answers what a tool asked for (an input-required result) and repeats the call. `answers` maps the
 * server's request keys to an accept (form content or typed text) or decline; 'decline' declines all.
 */
export function answerToolInput(answers: unknown, holding?: unknown): Promise<ActionResult<ToolCallOutcome>> {
  return guarded(() =>
    withSession(async (session) => {
      const flow = session.data.flow;
      if (!flow) throw new Error('Connect to a server before answering a tool.');
      const { state, result } = await withOutboundSlot(() =>
        engineAnswerToolInput(flow, flowContext(), parseInputAnswers(answers)),
      );
      const data = { ...session.data, flow: state };
      return { data, result: { ...answer(data, holding), result: scrubForBrowser(result, state.secrets) } };
    }),
  );
}

/** Accepts only the shapes the engine knows; anything else declines. */
function parseInputAnswers(raw: unknown): Record<string, InputAnswer> | 'decline' {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return 'decline';
  const out: Record<string, InputAnswer> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>).slice(0, 50)) {
    const v = value as { action?: unknown; content?: unknown; text?: unknown } | null;
    if (v?.action !== 'accept') {
      out[key] = { action: 'decline' };
      continue;
    }
    const content =
      v.content && typeof v.content === 'object' && !Array.isArray(v.content)
        ? (v.content as Record<string, unknown>)
        : undefined;
    out[key] = {
      action: 'accept',
      ...(content ? { content } : {}),
      ...(typeof v.text === 'string' ? { text: v.text.slice(0, 100_000) } : {}),
    };
  }
  return out;
}

export type CallbackOutcome =
  | { kind: 'resumed' }
  | { kind: 'rejected'; title: string; message: string; status: number };

/**
 * The OAuth redirect lands here. The callback must belong to this browser's session and to the
 * authorization it is waiting for; a replayed or foreign callback is refused and the flow is left as
 * it was. After a good callback the session id rotates (no fixation).
 */
export async function completeAuthorization(callbackUrl: URL): Promise<CallbackOutcome> {
  const session = await readSession();
  const returnedState = callbackUrl.searchParams.get('state');
  if (!session?.data.flow) {
    return {
      kind: 'rejected',
      status: 400,
      title: 'No walkthrough is waiting for this sign-in',
      message:
        'This browser has no inspector session waiting for an authorization response. It may have expired, or the link was opened in another browser. Start the walkthrough again.',
    };
  }
  const flow: FlowState = session.data.flow;
  const expectedState = flow.secrets.state;
  if (flow.step !== 'awaiting-callback' || !expectedState) return ALREADY_USED;
  // An authorization server that answers with an error and drops state breaks RFC 6749 §4.1.2.1; the
  // engine shows its error and that violation (not "forged"). Anything else without our state is refused.
  const errorWithoutState = returnedState === null && callbackUrl.searchParams.has('error');
  if (returnedState !== expectedState && !errorWithoutState) {
    return {
      kind: 'rejected',
      status: 400,
      title: 'This authorization response belongs to another request',
      message:
        'The state parameter does not match the authorization this session started, so the response was refused (it may be forged or from another tab). The walkthrough is still waiting; press Authorize again in the inspector.',
    };
  }
  // Inside the session's lock (across instances): the flow must still wait for this very state, and
  // the state is consumed once in the store, so two deliveries of one response (a replay sent to
  // another instance, a double click) resume the walkthrough once; the other gets ALREADY_USED.
  try {
    return await withSession(async (current) => {
      const waiting = current.data.flow;
      const stillWaiting = waiting?.step === 'awaiting-callback' && waiting.secrets.state === expectedState;
      if (!waiting || !stillWaiting || !(await consumeState(expectedState))) {
        return { data: current.data, result: ALREADY_USED };
      }
      const ctx = flowContext();
      let next = await handleCallback(waiting, callbackUrl, ctx);
      // Signing in again (reconnect, step-up) runs to the end in either mode, then repeats what was interrupted.
      if (current.data.mode === 'run-all' || next.reauth) next = await runUntilPause(next, ctx);
      next = (await resumeAfterReauthorization(next, ctx)).state;
      return { data: { ...current.data, flow: next }, result: RESUMED, rotate: true };
    });
  } catch (error) {
    // The session ended while this response waited for another one on it (that one rotated it).
    if (error instanceof NoSessionError) return ALREADY_USED;
    throw error;
  }
}

const RESUMED: CallbackOutcome = { kind: 'resumed' };

const ALREADY_USED: CallbackOutcome = {
  kind: 'rejected',
  status: 400,
  title: 'This authorization response was already used',
  message:
    'The inspector accepts each authorization response once. This one was replayed (or arrived after the walkthrough moved on), so it was refused and nothing changed. Go back to the inspector to continue.',
};

/** How long a consumed state is remembered: longer than any authorization stays open. */
const STATE_MEMORY_MS = 60 * 60 * 1000;

/** Marks the state used in the session store (shared by every instance); false when it already was. */
function consumeState(state: string): Promise<boolean> {
  const key = `state:${createHash('sha256').update(state).digest('base64url')}`;
  return sessionManager().consumeOnce(key, STATE_MEMORY_MS);
}

/** Runs `op` on this browser's flow and saves the result; `what` names the operation in errors. */
function onFlow(
  what: string,
  op: (flow: FlowState, ctx: FlowContext) => Promise<FlowState>,
  holding: unknown,
): Promise<ActionResult> {
  return guarded(() =>
    withSession(async (session) => {
      const flow = session.data.flow;
      if (!flow) throw new Error(`There is no walkthrough to ${what}. Enter a server URL and press Start.`);
      const data = { ...session.data, flow: await withOutboundSlot(() => op(flow, flowContext())) };
      return { data, result: answer(data, holding) };
    }),
  );
}

/**
 * Reconnect or step-up: accepts the flow's recovery offer and builds a new authorization request for
 * the same server and client. The browser then goes to `view.authorizationUrl`; the callback resumes.
 */
export function reconnectSession(holding?: unknown): Promise<ActionResult> {
  return onFlow('reconnect', reconnect, holding);
}

/** Revokes the tokens at the authorization server (when it can) and deletes them from the session. */
export function disconnectSession(holding?: unknown): Promise<ActionResult> {
  return onFlow('disconnect', disconnect, holding);
}

/** The access-model audit (read-only requests; revocation is separate and needs confirmation). */
export function runAudit(holding?: unknown): Promise<ActionResult> {
  return onFlow('audit', runAccessAudit, holding);
}

/**
 * The audit's audience row: signs in again naming a second, made-up resource (the browser goes to
 * `view.authorizationUrl`); the callback then sends a token for it to the server, which must refuse it.
 */
export function testAuditAudience(holding?: unknown): Promise<ActionResult> {
  return onFlow('test', testAudience, holding);
}

/** The audit's revocation row: revokes this session's tokens, then checks the server rejects them. */
export function testAuditRevocation(confirmed: boolean, holding?: unknown): Promise<ActionResult> {
  if (confirmed !== true) {
    return Promise.resolve({ ok: false, error: 'Testing revocation ends this session; confirm it first.' });
  }
  return onFlow('test', testRevocation, holding);
}
