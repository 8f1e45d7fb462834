import { withPurpose } from '../../http/traced-fetch';
import {
  connectMcp,
  describeMcpFailure,
  type InspectorClient,
  type LastHttpResponse,
  type McpConnection,
  type McpFailure,
  type McpWire,
  type WireAttempt,
} from '../../mcp/client';
import {
  describeWire,
  type Judgement,
  judgeDiscover,
  judgeRevision,
  judgeVersionRejection,
} from '../../mcp/negotiation';
import { cutDeepJson, listAllTools, MAX_JSON_DEPTH, MAX_TOOLS, toToolView } from '../../mcp/tools';
import { outboundFlowError, toFlowErrorInfo } from '../errors';
import { AuthorizationServerChangedError, authorizationServerChange } from '../migration';
import type { FlowState, McpSessionInfo, SignedIn, StateAt } from '../state';
import type { StepRun } from '../step-run';
import { FlowError, type FlowErrorInfo, type FlowSecrets } from '../types';

/** Pages of tools/list the inspector follows before it stops (with a warning). */
const MAX_TOOL_PAGES = 20;

const PURPOSES: Record<string, string> = {
  'server/discover':
    'MCP 2026-07-28 §Versioning — server/discover at 2026-07-28 with the token: which revisions the server speaks',
  initialize: 'MCP §Lifecycle — initialize with the access token in the Authorization header',
  'notifications/initialized': 'MCP §Lifecycle — initialized notification',
  'tools/list': 'MCP §Tools — tools/list',
  'tools/call': 'MCP §Tools — tools/call (read-only tool)',
};

/** Lets the exchanges that a just-closed stream records land before the step's record is closed. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** What an MCP failure means for the flow: one FlowError, precise about 401 vs 403. */
/**
 * What a failed MCP attempt means for the flow: the transport's failure as the server gave it
 * (unauthorized, insufficient scope, …) and the flow error that explains it.
 */
export function attemptFailure(
  err: unknown,
  serverUrl: string,
): { failure: McpFailure; error: FlowErrorInfo } {
  if (err instanceof McpAttemptError) {
    return { failure: err.failure, error: mcpFlowError(err.failure, serverUrl).info };
  }
  const error = toFlowErrorInfo(err);
  return { failure: { kind: 'other', message: error.message }, error };
}

export function mcpFlowError(failure: McpFailure, serverUrl: string): FlowError {
  const specRef = 'MCP 2025-11-25 §Error Handling; RFC 6750 §3.1';
  switch (failure.kind) {
    case 'outbound':
      return outboundFlowError(
        { code: failure.outboundCode, message: failure.message },
        failure.outboundCode === 'unreachable'
          ? `The MCP server at ${serverUrl} could not be reached`
          : `The request to the MCP server at ${serverUrl} failed`,
      );
    case 'unauthorized': {
      const c = failure.challenge;
      const error = c?.error;
      const reason =
        error === 'invalid_token'
          ? /expir/i.test(c?.errorDescription ?? '')
            ? 'The access token has expired.'
            : /revok/i.test(c?.errorDescription ?? '')
              ? 'The access token was revoked.'
              : 'The server says the access token is invalid (expired, revoked, or not issued for it).'
          : error
            ? `The server rejected the token (error="${error}").`
            : 'The server rejected the token without saying why (no error in its challenge).';
      return new FlowError({
        code: 'unauthorized',
        message: `${failure.message} ${reason}${c?.errorDescription ? ` It says: “${c.errorDescription}”.` : ''}`,
        hint: 'Refresh the token or reconnect (sign in again). If this happens right after signing in, the server may not accept tokens from this authorization server or for this audience.',
        expected: '200',
        actual: `401${error ? ` error="${error}"` : ''}`,
        specRef,
      });
    }
    case 'insufficient_scope': {
      const scope = failure.challenge?.scope;
      return new FlowError({
        code: 'insufficient_scope',
        message: `${failure.message} The token lacks a scope this request needs${scope ? `: the server asks for "${scope}"` : ' (the challenge names no scope)'}.`,
        hint: scope
          ? `Authorize again with scope "${scope}" (step-up authorization).`
          : 'The server should name the required scope in its challenge (MCP 2025-11-25 §Scope Challenge Handling).',
        expected: scope ? `a token with scope ${scope}` : 'a token with the required scope',
        actual: `403 insufficient_scope`,
        specRef: 'MCP 2025-11-25 §Scope Challenge Handling; RFC 6750 §3.1',
      });
    }
    case 'forbidden':
      return new FlowError({
        code: 'mcp_failed',
        message: `${failure.message} A 403 without error="insufficient_scope" does not tell the client what to do.`,
        hint: 'Servers SHOULD send WWW-Authenticate: Bearer error="insufficient_scope", scope="…" with a 403.',
        expected: '200',
        actual: '403',
        specRef,
      });
    case 'session_expired':
      return new FlowError({
        code: 'mcp_failed',
        message: failure.message,
        hint: 'Reconnect to start a new MCP session.',
        specRef,
      });
    case 'http':
      return new FlowError({
        code: 'mcp_failed',
        message: failure.message,
        hint: 'The exchange shows what the server answered; a Streamable HTTP endpoint answers 200 (JSON or text/event-stream) or 202.',
        actual: String(failure.status),
        specRef,
      });
    case 'protocol':
      return new FlowError({
        code: 'mcp_failed',
        message: `The MCP server returned a JSON-RPC error: ${failure.message}`,
        hint: 'The error comes from the MCP server itself; its logs say more.',
      });
    default:
      return new FlowError({
        code: 'mcp_failed',
        message: `The MCP session failed: ${failure.message}`,
        hint: 'Compare the answer in the exchange with the MCP schema for this method.',
      });
  }
}

/**
 * Runs `fn` on an MCP connection. Without `mcp` the era is negotiated (2026-07-28 first); with it,
 * the stored verdict is replayed (a modern server's discover result, or a legacy session id). A
 * stored legacy session the server has forgotten (404) is replaced by a new one, once; a stored
 * modern verdict the server no longer honours (400) is negotiated afresh, once (MCP 2026-07-28
 * §Versioning: "re-probing if the cached assumption later fails"). The connection is always closed.
 */
export async function withMcpSession<T>(
  run: StepRun,
  serverUrl: string,
  /** The session's secrets, or 'anonymous' for a server that requires no authorization. */
  secrets: FlowSecrets | 'anonymous',
  mcp: McpSessionInfo | undefined,
  fn: (client: InspectorClient, connection: McpConnection) => Promise<T>,
): Promise<{
  value: T;
  mcp: McpSessionInfo;
  reinitialized: boolean;
  attempts: WireAttempt[];
  /** Methods whose modern result omitted resultType (read as complete; see judgeResultType). */
  missingResultType: string[];
}> {
  const accessToken = secrets === 'anonymous' ? undefined : secrets.accessToken;
  if (!accessToken && secrets !== 'anonymous') {
    throw new FlowError({
      code: 'invalid_state',
      message: 'There is no access token for the MCP session.',
      hint: 'Sign in again.',
    });
  }
  const attempt = async (reuse: McpSessionInfo | undefined) => {
    const call = run.tracedRaw({ maxBodyBytes: run.limits.maxMcpBodyBytes });
    let connection: McpConnection | undefined;
    let last: LastHttpResponse | undefined;
    const resume = reuse?.era ? (reuse as McpWire) : undefined;
    try {
      connection = await connectMcp({
        url: serverUrl,
        fetch: call.fetch,
        accessToken,
        ...(secrets !== 'anonymous' && secrets.dpopBound && secrets.dpopKeys
          ? { dpop: secrets.dpopKeys }
          : {}),
        ...(resume ? { resume } : {}),
        // The flow's sequence grows with every recorded call, so ids never repeat within a session.
        firstRequestId: run.nextSeq * 1000,
        label: (init, method) => withPurpose(init, PURPOSES[method ?? ''] ?? `MCP ${method ?? 'request'}`),
        onResponse: (response) => {
          last = response;
        },
      });
      const info: McpSessionInfo = sessionInfoOf(connection.wire);
      const value = await Promise.race([fn(connection.client, connection), connection.failed]);
      return {
        value,
        info,
        attempts: connection.attempts,
        missingResultType: [...connection.missingResultType],
      };
    } catch (err) {
      const inSession = Boolean(resume?.sessionId ?? connection?.wire.sessionId);
      throw new McpAttemptError(describeMcpFailure(err, last, inSession), call.exchangeIds, {
        cause: err,
      });
    } finally {
      await connection?.close();
      await settle();
    }
  };
  try {
    const r = await attempt(mcp);
    return { ...r, mcp: r.info, reinitialized: false };
  } catch (err) {
    const stale =
      err instanceof McpAttemptError &&
      ((err.failure.kind === 'session_expired' && mcp?.sessionId) ||
        (err.failure.kind === 'http' && err.failure.status === 400 && mcp?.era));
    if (stale) {
      const r = await attempt(undefined);
      return { ...r, mcp: r.info, reinitialized: true };
    }
    throw err;
  }
}

/**
 * 2026-07-28 results MUST carry `resultType`; the inspector read one without it as complete (what
 * an earlier revision's result means) and says so here, naming the methods.
 * @see MCP 2026-07-28 §Base Protocol (Responses: resultType)
 */
export function judgeResultType(run: StepRun, methods: string[]): void {
  if (!methods.length) return;
  run.check(
    'mcp.result-type',
    'fail',
    `The server's 2026-07-28 result for ${methods.join(', ')} has no resultType. Servers MUST send it ("complete" or "input_required"); the inspector read it as complete, as results of earlier revisions are, but strict clients (the official SDK among them) reject the result.`,
    { expected: 'resultType: "complete"', actual: '(absent)' },
  );
}

/**
 * A 401 in the walkthrough's own MCP steps, just after signing in: if the resource now names another
 * authorization server, say so, so the recovery is to register there (SEP-2352).
 */
async function explainUnauthorized(
  run: StepRun,
  state: FlowState,
  err: McpAttemptError,
  error: FlowError,
): Promise<FlowError> {
  if (err.failure.kind !== 'unauthorized' || !('token' in state) || !('resource' in state)) return error;
  const change = await authorizationServerChange(run, state as SignedIn);
  return change ? new AuthorizationServerChangedError(error.info, change) : error;
}

/** The JSON-serialisable part of a wire verdict that the session keeps. */
function sessionInfoOf(wire: McpWire): McpSessionInfo {
  return {
    era: wire.era,
    ...(wire.serverInfo ? { serverInfo: wire.serverInfo as McpSessionInfo['serverInfo'] } : {}),
    ...(wire.protocolVersion ? { protocolVersion: wire.protocolVersion } : {}),
    ...(wire.capabilities ? { capabilities: wire.capabilities as Record<string, unknown> } : {}),
    ...(wire.discover && JSON.stringify(wire.discover).length <= MAX_KEPT_DISCOVER_BYTES
      ? { discover: cutDeepJson(wire.discover).value as McpSessionInfo['discover'] }
      : {}),
    ...(wire.sessionId ? { sessionId: wire.sessionId } : {}),
    ...(wire.instructions ? { instructions: wire.instructions } : {}),
  };
}

/** A discover result larger than this is not kept; later calls then negotiate again. */
const MAX_KEPT_DISCOVER_BYTES = 64 * 1024;

/** What an MCP request carries: the session's token, or nothing for a server that requires none. */
export function credentialsOf(state: FlowState): FlowSecrets | 'anonymous' {
  return (state as { unprotected?: unknown }).unprotected === true ? 'anonymous' : state.secrets;
}

export class McpAttemptError extends Error {
  constructor(
    readonly failure: McpFailure,
    readonly exchangeIds: string[],
    options?: { cause?: unknown },
  ) {
    super(failure.message, options);
    this.name = 'McpAttemptError';
  }
}

/**
 * Step 7: open the authenticated MCP conversation. 2026-07-28 first (server/discover); a legacy
 * server gets `initialize`, and a stateful one's session id is kept so later calls reuse it. The
 * revision the server speaks is recorded and judged.
 * @see MCP 2026-07-28 §Versioning; §Discovery; MCP 2025-11-25 §Token Requirements, §Lifecycle
 */
export async function runMcpInit(state: StateAt<'mcp-init'>, run: StepRun): Promise<FlowState> {
  const serverUrl = state.options.serverUrl;
  let result: Awaited<ReturnType<typeof withMcpSession<void>>>;
  try {
    result = await withMcpSession(run, serverUrl, credentialsOf(state), undefined, async () => undefined);
  } catch (err) {
    if (!(err instanceof McpAttemptError)) throw err;
    const flowError = mcpFlowError(err.failure, serverUrl);
    run.check('mcp.initialize', 'fail', flowError.message, {
      expected: '200 with a server/discover or initialize result',
      actual: flowError.info.actual ?? err.failure.message,
      exchangeIds: err.exchangeIds,
    });
    throw await explainUnauthorized(run, state, err, flowError);
  }
  const mcp = result.mcp;
  const wire = mcp as McpWire;
  const ids = run.record.exchanges.map((e) => e.id);
  const name = mcp.serverInfo ? `${mcp.serverInfo.name} ${mcp.serverInfo.version}` : 'The server';
  const opened = mcp.era === 'modern' ? 'server/discover' : 'initialize';
  run.check(
    'mcp.initialize',
    'pass',
    `${name} answered ${opened} (protocol ${mcp.protocolVersion ?? 'unknown'}) ${'unprotected' in state ? 'without a token (the server requires none)' : 'with the token in the Authorization header only'}.`,
    { actual: mcp.protocolVersion, exchangeIds: ids },
  );
  const revision = judgeRevision(wire, state.options.specVersion);
  run.check('mcp.protocol-revision', revision.status, revision.message, {
    ...detail(revision),
    exchangeIds: ids,
  });
  const rejection = judgeVersionRejection(wire, result.attempts, undefined);
  run.check(
    'mcp.version-rejection',
    rejection.status,
    rejection.status === 'skip' && mcp.era === 'modern'
      ? `${rejection.message} The access audit asks for one (audit.unsupported-version-rejected).`
      : rejection.message,
    { ...detail(rejection), exchangeIds: ids },
  );
  const discover = judgeDiscover(wire);
  run.check('mcp.server-discover', discover.status, discover.message, {
    ...detail(discover),
    exchangeIds: ids,
  });
  run.check(
    'mcp.session',
    'pass',
    mcp.era === 'modern'
      ? 'Stateless (2026-07-28): no Mcp-Session-Id; every call is a fresh request with the token and its own _meta.'
      : mcp.sessionId
        ? 'The server issued an Mcp-Session-Id; later calls reuse it, and every request still carries the token (sessions are not authentication).'
        : 'The server issued no Mcp-Session-Id (stateless); every call is a fresh request with the token.',
    { exchangeIds: ids },
  );
  run.fact('wire', describeWire(wire));
  run.fact('serverInfo', mcp.serverInfo ?? null);
  run.fact('protocolVersion', mcp.protocolVersion ?? null);
  run.fact('capabilities', mcp.capabilities ?? null);
  run.fact('sessionId', mcp.sessionId ? 'issued (kept server-side)' : null);
  if (mcp.instructions) run.fact('instructions', mcp.instructions);
  return { ...state, step: 'tools', mcp };
}

function detail(j: Judgement): { expected?: string; actual?: string } {
  return { ...(j.expected ? { expected: j.expected } : {}), ...(j.actual ? { actual: j.actual } : {}) };
}

/**
 * Step 8: list every tool (all pages) and mark which may be run (annotated read-only).
 * @see MCP 2025-11-25 §Tools (Listing Tools, Tool annotations)
 */
export async function runTools(
  state: StateAt<'tools'> | StateAt<'connected'>,
  run: StepRun,
): Promise<FlowState> {
  const serverUrl = state.options.serverUrl;
  if (state.mcp.capabilities && !('tools' in state.mcp.capabilities)) {
    run.check(
      'mcp.tools-listed',
      'skip',
      'The server does not advertise the tools capability, so there is nothing to list.',
    );
    run.check('tools.read-only-annotations', 'skip', 'No tools.');
    return { ...state, step: 'connected', tools: [] };
  }
  let listed: Awaited<ReturnType<typeof listAllTools>>;
  let mcp = state.mcp;
  try {
    const r = await withMcpSession(run, serverUrl, credentialsOf(state), state.mcp, (client) =>
      listAllTools(client, MAX_TOOL_PAGES),
    );
    listed = r.value;
    mcp = r.mcp;
    judgeResultType(run, r.missingResultType);
    if (r.reinitialized)
      run.fact('session', 'The stored MCP session was gone (404); a new one was initialised.');
  } catch (err) {
    if (!(err instanceof McpAttemptError)) throw err;
    const flowError = mcpFlowError(err.failure, serverUrl);
    run.check('mcp.tools-listed', 'fail', flowError.message, {
      expected: 'a tools/list result',
      actual: flowError.info.actual,
      exchangeIds: err.exchangeIds,
    });
    // The cause keeps the failure (and its challenge), so a caller can refresh or offer step-up.
    throw await explainUnauthorized(run, state, err, new FlowError(flowError.info, { cause: err }));
  }
  const tools = listed.tools.map(toToolView);
  const cut = tools.filter((t) => t.cut).map((t) => t.name);
  const ids = run.record.exchanges.map((e) => e.id);
  run.check(
    'mcp.tools-listed',
    listed.truncated || cut.length ? 'warn' : 'pass',
    `${tools.length} tool(s) in ${listed.pages} page(s)${listed.truncated ? `; stopped at the inspector’s limit (${MAX_TOOL_PAGES} pages, ${MAX_TOOLS} tools)` : ''}.${cut.length ? ` Schemas nested more than ${MAX_JSON_DEPTH} levels deep were cut for display: ${cut.join(', ')}.` : ''}`,
    { actual: String(tools.length), exchangeIds: ids },
  );
  const readOnly = tools.filter((t) => t.readOnly);
  const unannotated = tools.filter((t) => t.annotations.readOnlyHint === undefined);
  if (tools.length === 0) {
    run.check('tools.read-only-annotations', 'skip', 'No tools to judge.');
  } else if (unannotated.length) {
    // Annotations are optional hints (MCP §Tools), so their absence is no fault of the server; it only
    // decides which tools the inspector runs.
    run.check(
      'tools.read-only-annotations',
      'pass',
      `${readOnly.length} of ${tools.length} tool(s) are annotated read-only and can be run here. ${unannotated.length} declare no readOnlyHint (${unannotated.map((t) => t.name).join(', ')}): annotations are optional, but without readOnlyHint: true a client must assume a tool may change data, so the inspector lists them and does not run them (the CLI runs one with --call NAME --allow-write).`,
      { exchangeIds: ids },
    );
  } else {
    run.check(
      'tools.read-only-annotations',
      'pass',
      `Every tool declares readOnlyHint; ${readOnly.length} of ${tools.length} are read-only and can be run here.`,
      { exchangeIds: ids },
    );
  }
  if (mcp.era !== 'modern') {
    run.check(
      'tools.header-mirroring',
      'skip',
      `Not applicable: Mcp-Param headers are a 2026-07-28 rule and the server speaks ${mcp.protocolVersion ?? 'a legacy revision'}.`,
    );
  } else if (listed.excluded.length) {
    run.check(
      'tools.header-mirroring',
      'warn',
      `${listed.excluded.length} tool(s) excluded from the list, as clients MUST: ${listed.excluded.map((t) => `${t.name} (${t.reason})`).join('; ')}. The other tools stay usable.`,
      { actual: listed.excluded.map((t) => t.name).join(', '), exchangeIds: ids },
    );
  } else {
    const mirrored = tools.filter((t) => JSON.stringify(t.inputSchema).includes('"x-mcp-header"')).length;
    run.check(
      'tools.header-mirroring',
      'pass',
      mirrored
        ? `${mirrored} tool(s) declare x-mcp-header parameters; calls mirror them into Mcp-Param headers.`
        : 'No tool declares x-mcp-header; calls carry Mcp-Method and Mcp-Name only.',
      { exchangeIds: ids },
    );
  }
  run.fact(
    'tools',
    tools.map((t) => ({ name: t.name, readOnly: t.readOnly })),
  );
  if (listed.excluded.length) run.fact('excludedTools', listed.excluded);
  return {
    ...state,
    step: 'connected',
    mcp,
    tools,
    ...(listed.excluded.length ? { excludedTools: listed.excluded } : {}),
  };
}

/** A failure after connecting: 401/403 end the session (the UI offers refresh or reconnect). */
export function isSessionEnding(info: FlowErrorInfo): boolean {
  return info.code === 'unauthorized' || info.code === 'insufficient_scope';
}
