/**
 * The access-model audit: what an MCP server promises about access, checked from the client side
 * with read-only requests only. Each row is a doctor check with stable id and evidence (exchange ids):
 *
 * | Promise                                      | Check                                   |
 * | -------------------------------------------- | --------------------------------------- |
 * | Read-only tools only                         | audit.read-only-annotations             |
 * | (the inspector keeps to them)                | audit.non-read-only-never-called        |
 * | Invalid tokens are rejected                  | audit.invalid-token-401                 |
 * | No token: 401 without an error code          | audit.no-token-challenge                |
 * | Tokens only in the Authorization header      | audit.query-token-rejected              |
 * | Browser/MCP sessions are not credentials     | audit.session-without-auth-rejected     |
 * | Revoked access is rejected on the next call  | audit.revoked-token-rejected (asks first)|
 * | Missing permissions leak no system details   | audit.error-no-leak                     |
 * | Missing scope is a proper 403 challenge      | audit.insufficient-scope-challenge      |
 * | Browser clients can use every endpoint       | cors.browser-clients (warn only)        |
 *
 * Everything is recorded in the 'tools' step. Revocation ends the session, so it is a separate,
 * confirmed operation (`testRevocation`).
 */
import { ProtocolError } from '@modelcontextprotocol/client';
import type { Exchange } from '../../http/types';
import { httpStatusOf, LEGACY_PROTOCOL_VERSION, type McpFailure } from '../../mcp/client';
import {
  HEADER_MISMATCH,
  judgeVersionRejection,
  requestUnspokenVersion,
  UNSPOKEN_PROTOCOL_VERSION,
} from '../../mcp/negotiation';
import { rawMcpRequest } from '../../mcp/raw';
import { MCP_REQUEST_TIMEOUT_MS, shapeToolResult, type ToolView } from '../../mcp/tools';
import { parseBearerChallenge } from '../../oauth/www-authenticate';
import {
  type Attempt,
  type Connected,
  freshConnected,
  requireOAuth,
  settleAccess,
  withAccess,
} from '../access';
import { disconnectedState, revokeTokens } from '../disconnect';
import { describeFindings, type LeakFinding, scanForLeaks } from '../leak-scanner';
import type { FlowState } from '../state';
import { type FlowContext, orderedRecord, StepRun, upsertRecord } from '../step-run';
import { attemptFailure, withMcpSession } from '../steps/mcp';
import { FlowError, type FlowErrorInfo, type StepRecord } from '../types';
import { judgeBrowserCors } from './cors';
import { accepted, auditRequest, rawRequest, shownStatus } from './raw';

/** Tools probed with invalid arguments, and probes per tool: bounded, so an audit stays a few dozen calls. */
const MAX_AUDITED_TOOLS = 8;

/** A string no real account has, for "another account" probes. */
export const OTHER_ACCOUNT = 'mcp-auth-inspector-audit-other-account';

const OWNER_LIKE =
  /^(?:owner|user(?:_?id|_?name)?|username|account(?:_?id)?|tenant(?:_?id)?|org(?:ani[sz]ation)?(?:_?id)?|workspace(?:_?id)?|team(?:_?id)?|customer(?:_?id)?|project(?:_?id)?|email)$/i;

export interface ErrorProbe {
  /** What is wrong with the arguments, for the trace. */
  label: string;
  args: Record<string, unknown>;
}

type Schema = Record<string, unknown>;

const asSchema = (v: unknown): Schema =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Schema) : {};
const typeOf = (schema: Schema): string | undefined => {
  const t = schema.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.find((x): x is string => typeof x === 'string' && x !== 'null');
  if (schema.properties) return 'object';
  return undefined;
};

/** A value of the wrong JSON type for the schema. */
function wrongType(schema: Schema): unknown {
  switch (typeOf(schema)) {
    case 'string':
      return 12345;
    case 'number':
    case 'integer':
      return 'not-a-number';
    case 'boolean':
      return 'not-a-boolean';
    case 'array':
      return 'not-an-array';
    case 'object':
      return 'not-an-object';
    default:
      return null;
  }
}

/**
 * Well-typed but hostile values: another account's name for owner-like fields, extreme numbers,
 * ids that do not exist. They reach the tool's own code, where careless error handling leaks.
 */
function hostile(schema: Schema, name: string, depth = 0): unknown {
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  switch (typeOf(schema)) {
    case 'string': {
      const value = OWNER_LIKE.test(name) ? OTHER_ACCOUNT : 'mcp-auth-inspector-audit-does-not-exist';
      return typeof schema.maxLength === 'number' ? value.slice(0, Math.max(1, schema.maxLength)) : value;
    }
    // The largest value the schema allows: it must pass validation to reach the tool's own code.
    case 'integer':
      return typeof schema.maximum === 'number' ? Math.floor(schema.maximum) : Number.MAX_SAFE_INTEGER;
    case 'number':
      return typeof schema.maximum === 'number' ? schema.maximum : Number.MAX_VALUE;
    case 'boolean':
      return true;
    case 'array': {
      const items = asSchema(schema.items);
      return Array.isArray(items.enum) && items.enum.length ? [items.enum[0]] : [];
    }
    case 'object': {
      if (depth > 3) return {};
      const props = asSchema(schema.properties);
      return Object.fromEntries(
        Object.entries(props).map(([k, v]) => [k, hostile(asSchema(v), k, depth + 1)]),
      );
    }
    default:
      return 'mcp-auth-inspector-audit';
  }
}

/**
 * Deliberately invalid arguments for a read-only tool: required ones left out, wrong types, and
 * well-typed hostile values (another account, extreme numbers). Pure.
 * @see MCP 2025-11-25 §Tools (Error Handling)
 */
export function errorProbesFor(tool: Pick<ToolView, 'inputSchema'>): ErrorProbe[] {
  const schema = asSchema(tool.inputSchema);
  const props = asSchema(schema.properties);
  const names = Object.keys(props);
  const required = Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : [];
  const probes: ErrorProbe[] = [];
  if (required.length) probes.push({ label: 'required arguments left out', args: {} });
  if (names.length) {
    probes.push({
      label: 'every argument of the wrong type',
      args: Object.fromEntries(names.map((n) => [n, wrongType(asSchema(props[n]))])),
    });
    probes.push({
      label: 'another account’s data, extreme numbers, ids that do not exist',
      args: hostile(schema, '') as Record<string, unknown>,
    });
  } else if (schema.additionalProperties === false) {
    probes.push({ label: 'an argument the tool does not take', args: { 'mcp-auth-inspector-audit': true } });
  }
  return probes;
}

export interface ErrorProbeResult extends ErrorProbe {
  tool: string;
  /** tool-error: isError result; protocol-error: JSON-RPC error; result: it worked; forbidden: 403. */
  outcome: 'tool-error' | 'protocol-error' | 'result' | 'forbidden' | 'failed';
  text?: string;
  findings: LeakFinding[];
  exchangeIds: string[];
}

/** Lets exchanges of a just-finished stream land before they are attributed to a probe. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Calls read-only tools with invalid arguments on the stored MCP session; a 401 stops it (to refresh). */
async function probeToolErrors(state: Connected, ctx: FlowContext): Promise<Attempt<ErrorProbeResult[]>> {
  const probes = state.tools
    .filter((t) => t.readOnly)
    .slice(0, MAX_AUDITED_TOOLS)
    .flatMap((t) => errorProbesFor(t).map((p) => ({ ...p, tool: t.name })));
  if (probes.length === 0) return { state, value: [] };
  const existing = state.records.find((r) => r.id === 'tools');
  const run = new StepRun('tools', ctx, state.secrets, state.seq, existing);
  const results: ErrorProbeResult[] = [];
  let mcp = state.mcp;
  let failure: McpFailure | undefined;
  let error: FlowErrorInfo | undefined;
  try {
    const r = await run.withinBudget(
      withMcpSession(run, state.options.serverUrl, state.secrets, state.mcp, async (client) => {
        results.length = 0; // a replaced session runs the probes again
        for (const probe of probes) {
          const before = run.record.exchanges.length;
          let outcome: ErrorProbeResult['outcome'];
          let text: string | undefined;
          try {
            const raw = await client.callTool(
              { name: probe.tool, arguments: probe.args },
              { timeout: MCP_REQUEST_TIMEOUT_MS },
            );
            const shaped = shapeToolResult(raw as Parameters<typeof shapeToolResult>[0]);
            outcome = shaped.isError ? 'tool-error' : 'result';
            if (shaped.isError) {
              text = shaped.content.map((c) => (c.type === 'text' ? c.text : JSON.stringify(c))).join('\n');
            }
          } catch (err) {
            // 401 (refresh and retry) and 404 (session gone) end the pass; the caller handles them.
            const status = httpStatusOf(err);
            if (status === 401 || status === 404) throw err;
            if (status === 403) outcome = 'forbidden';
            else if (err instanceof ProtocolError) {
              outcome = 'protocol-error';
              text = err.message;
            } else {
              outcome = 'failed';
              text = (err as Error).message;
            }
          }
          await settle();
          results.push({
            ...probe,
            outcome,
            ...(text !== undefined ? { text } : {}),
            findings:
              text !== undefined && (outcome === 'tool-error' || outcome === 'protocol-error')
                ? scanForLeaks(text)
                : [],
            exchangeIds: run.record.exchanges.slice(before).map((e) => e.id),
          });
        }
      }),
    );
    mcp = r.mcp;
  } catch (err) {
    ({ failure, error } = attemptFailure(err, state.options.serverUrl));
  }
  const record = orderedRecord(run.finish({ status: existing?.status ?? 'passed' }));
  if (existing?.durationMs !== undefined) record.durationMs = existing.durationMs;
  return {
    state: { ...state, mcp, records: upsertRecord(state.records, record), seq: run.nextSeq },
    value: [...results],
    // A 401 matters (refresh, then reconnect); other failures leave the probes that ran to judge.
    ...(failure?.kind === 'unauthorized' ? { failure, ...(error ? { error } : {}) } : {}),
  };
}

/**
 * Two rows only the 2026-07-28 wire makes testable: a version nobody speaks must get 400 with
 * UnsupportedProtocolVersionError listing what the server speaks, and an `Mcp-Method` header that
 * contradicts the body must get 400 HeaderMismatch (-32020), so gateways routing on headers cannot
 * be steered past the server's own checks.
 * @see MCP 2026-07-28 §Versioning; §Streamable HTTP (Protocol Version Header, Server Validation)
 */
async function judgeModernWireRules(run: StepRun, s: Connected): Promise<void> {
  if (s.mcp.era !== 'modern') {
    const why = `Not applicable: the server speaks ${s.mcp.protocolVersion ?? 'a legacy revision'}; the rule is 2026-07-28's.`;
    run.check('audit.unsupported-version-rejected', 'skip', why);
    run.check('audit.mcp-method-mismatch-rejected', 'skip', why);
    return;
  }
  const token = s.secrets.accessToken ?? '';
  const call = run.traced(
    `Audit (MCP 2026-07-28 §Versioning) — server/discover at protocol version ${UNSPOKEN_PROTOCOL_VERSION}; expect 400 UnsupportedProtocolVersionError listing the supported versions`,
  );
  try {
    const answer = await requestUnspokenVersion(call.fetch, s.options.serverUrl, token);
    const verdict =
      answer.status === 401
        ? {
            status: 'skip' as const,
            message:
              'Not testable: the server answered 401 to the request, so its version handling was not reached.',
          }
        : judgeVersionRejection(s.mcp as Parameters<typeof judgeVersionRejection>[0], [], answer);
    run.check('audit.unsupported-version-rejected', verdict.status, verdict.message, {
      ...('expected' in verdict && verdict.expected ? { expected: verdict.expected } : {}),
      ...('actual' in verdict && verdict.actual ? { actual: verdict.actual } : {}),
      exchangeIds: call.exchangeIds,
    });
  } catch (err) {
    run.check(
      'audit.unsupported-version-rejected',
      'skip',
      `Not testable: the request got no answer (${(err as Error).message}).`,
      { exchangeIds: call.exchangeIds },
    );
  }

  const mismatch = await rawRequest(
    run,
    'Audit (MCP 2026-07-28 §Streamable HTTP, Server Validation) — tools/list whose Mcp-Method header says tools/call; expect 400 HeaderMismatch',
    s.options.serverUrl,
    (() => {
      const r = rawMcpRequest({
        era: 'modern',
        method: 'tools/list',
        id: 'mcp-auth-inspector-audit',
        mcpMethodHeader: 'tools/call',
        ...(s.mcp.protocolVersion ? { protocolVersion: s.mcp.protocolVersion } : {}),
      });
      return { headers: { ...r.headers, authorization: `Bearer ${token}` }, body: r.body };
    })(),
  );
  const shown = `${shownStatus(mismatch)}${mismatch.rpcErrorCode !== undefined ? ` code ${String(mismatch.rpcErrorCode)}` : ''}`;
  const expected = `400 with code ${HEADER_MISMATCH}`;
  const at = { expected, actual: shown, exchangeIds: mismatch.exchangeIds };
  if (mismatch.status === undefined || mismatch.status === 401) {
    run.check(
      'audit.mcp-method-mismatch-rejected',
      'skip',
      `Not testable: ${mismatch.status === 401 ? 'the server answered 401, so header validation was not reached' : `no answer (${mismatch.error ?? 'failed'})`}.`,
      at,
    );
  } else if (accepted(mismatch)) {
    run.check(
      'audit.mcp-method-mismatch-rejected',
      'fail',
      'The server answered a request whose Mcp-Method header (tools/call) contradicts its body (tools/list). Servers MUST reject such requests with 400: a gateway that routes or authorizes on the header would be checking a different request than the one the server runs.',
      at,
    );
  } else if (mismatch.status === 400 && mismatch.rpcErrorCode === HEADER_MISMATCH) {
    run.check(
      'audit.mcp-method-mismatch-rejected',
      'pass',
      'A request whose Mcp-Method header contradicts its body got 400 HeaderMismatch (-32020).',
      at,
    );
  } else {
    run.check(
      'audit.mcp-method-mismatch-rejected',
      mismatch.status === 400 ? 'fail' : 'warn',
      mismatch.status === 400
        ? `The contradicting request got 400, but without the HeaderMismatch error code ${HEADER_MISMATCH} in a JSON-RPC error (MUST).`
        : `The contradicting request was refused, but with ${shown} rather than 400 HeaderMismatch.`,
      at,
    );
  }
}

/** A JWT with the real header and payload but a signature that cannot verify. */
function forgedSignature(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[2]) return undefined;
  const random = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(parts[2].length)), (b) =>
    'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.charAt(b % 64),
  ).join('');
  return `${parts[0]}.${parts[1]}.${random}`;
}

/** Every exchange with the MCP server in the whole trace. */
function mcpExchanges(records: StepRecord[], serverUrl: string): Exchange[] {
  const base = serverUrl.split(/[?#]/)[0];
  return records.flatMap((r) => r.exchanges).filter((e) => e.request.url.split(/[?#]/)[0] === base);
}

/** Names of the tools a recorded request asked to call (JSON or a JSON batch). */
function calledTools(exchange: Exchange): string[] {
  if (exchange.request.method !== 'POST' || !exchange.request.body) return [];
  try {
    const parsed = JSON.parse(exchange.request.body) as unknown;
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    return messages
      .filter((m): m is { method: string; params?: { name?: unknown } } => m?.method === 'tools/call')
      .map((m) => (typeof m.params?.name === 'string' ? m.params.name : '(unnamed)'));
  } catch {
    return [];
  }
}

function judgeAnnotations(run: StepRun, tools: ToolView[]): void {
  if (tools.length === 0) {
    run.check('audit.read-only-annotations', 'skip', 'The server lists no tools.');
    return;
  }
  const others = tools.filter((t) => !t.readOnly);
  if (others.length === 0) {
    run.check(
      'audit.read-only-annotations',
      'pass',
      `All ${tools.length} tools are annotated readOnlyHint: true.`,
      { expected: 'readOnlyHint: true on every tool', actual: `${tools.length} of ${tools.length}` },
    );
    return;
  }
  const describe = (t: ToolView) =>
    `${t.name} (${t.annotations.readOnlyHint === false ? `readOnlyHint: false${t.annotations.destructiveHint ? ', destructive' : ''}` : 'no readOnlyHint'})`;
  run.check(
    'audit.read-only-annotations',
    'warn',
    `${others.length} of ${tools.length} tools are not marked read-only: ${others.map(describe).join(', ')}. A server that promises read-only access should not offer them; the inspector never calls them.`,
    {
      expected: 'readOnlyHint: true on every tool',
      actual: `${tools.length - others.length} of ${tools.length}`,
    },
  );
}

function judgeNeverCalled(run: StepRun, records: StepRecord[], tools: ToolView[], serverUrl: string): void {
  const readOnly = new Set(tools.filter((t) => t.readOnly).map((t) => t.name));
  const calls = mcpExchanges(records, serverUrl).flatMap((e) =>
    calledTools(e).map((tool) => ({ tool, id: e.id })),
  );
  const bad = calls.filter((c) => !readOnly.has(c.tool));
  const others = tools.filter((t) => !t.readOnly).map((t) => t.name);
  if (bad.length) {
    run.check(
      'audit.non-read-only-never-called',
      'fail',
      `The trace shows tools/call for tools that are not read-only: ${[...new Set(bad.map((c) => c.tool))].join(', ')}. The inspector must only call read-only tools.`,
      {
        expected: 'no tools/call for them',
        actual: `${bad.length} call(s)`,
        exchangeIds: bad.map((c) => c.id),
      },
    );
    return;
  }
  run.check(
    'audit.non-read-only-never-called',
    'pass',
    `${calls.length} tools/call request(s) in this session’s trace, all to read-only tools${others.length ? `; ${others.join(', ')} never called` : ''}.`,
    { actual: `${calls.length} call(s), 0 to other tools`, exchangeIds: calls.slice(-20).map((c) => c.id) },
  );
}

/**
 * Runs the access-model audit on a connected session (read-only requests only): tool annotations,
 * the trace's tools/call requests, an invalid and a forged-signature token, the token in the query
 * string, the session id without Authorization, tool errors for leaked internals, and any 403's
 * challenge. Revocation is left to `testRevocation`, which ends the session and so asks first.
 * A 401 that refreshing cannot fix ends the session with a reconnect offer, like a tool call.
 * @see MCP 2025-11-25 §Token Requirements, §Token Handling, §Scope Challenge Handling, §Tools;
 *   MCP Security Best Practices §Session Hijacking; RFC 6750 §2.3, §3.1
 */
export async function runAccessAudit(state: FlowState, ctx: FlowContext): Promise<FlowState> {
  if (state.step !== 'connected') {
    throw new FlowError({
      code: 'invalid_state',
      message: `The access audit runs on a connected session; the flow is at '${state.step}'.`,
    });
  }
  const signedIn = requireOAuth(state, 'The access audit');
  // Probing tool errors first also proves the token works (refreshing it if needed), so the
  // rejections below are about how the token is sent, not about the token.
  const outcome = await withAccess(freshConnected(signedIn), ctx, (s) => probeToolErrors(s, ctx));
  if (outcome.failure?.kind === 'unauthorized') return settleAccess(outcome, 'tools', undefined, 0).state;
  const s = outcome.state;
  const probes = outcome.value ?? [];
  const serverUrl = s.options.serverUrl;
  const token = s.secrets.accessToken ?? '';
  const existing = s.records.find((r) => r.id === 'tools');
  const run = new StepRun('tools', ctx, s.secrets, s.seq, existing);
  const startedAt = run.now();

  judgeAnnotations(run, s.tools);
  judgeNeverCalled(run, upsertRecord(s.records, run.record), s.tools, serverUrl);

  // An invalid token, and (for JWTs) the real claims with a signature that cannot verify.
  const forged = forgedSignature(token);
  run.addSecret(forged);
  const invalid = await rawRequest(
    run,
    'Audit (RFC 6750 §3.1) — a request with a made-up access token; expect 401 invalid_token',
    serverUrl,
    auditRequest(s, 'Bearer mcp-auth-inspector-audit-not-a-real-token'),
  );
  const forgedAnswer = forged
    ? await rawRequest(
        run,
        'Audit (RFC 6750 §3.1) — a request with this session’s JWT and a forged signature; expect 401',
        serverUrl,
        auditRequest(s, `Bearer ${forged}`),
      )
    : undefined;
  const invalidAnswers = [
    { what: 'a made-up token', a: invalid },
    ...(forgedAnswer ? [{ what: 'a JWT with a forged signature', a: forgedAnswer }] : []),
  ];
  const invalidIds = invalidAnswers.flatMap((x) => x.a.exchangeIds);
  const acceptedInvalid = invalidAnswers.filter((x) => accepted(x.a));
  const notInvalidToken = invalidAnswers.filter(
    (x) => x.a.status !== 401 || x.a.challenge?.error !== 'invalid_token',
  );
  const actual = invalidAnswers.map((x) => `${x.what}: ${shownStatus(x.a)}`).join('; ');
  if (acceptedInvalid.length) {
    run.check(
      'audit.invalid-token-401',
      'fail',
      `The server accepted ${acceptedInvalid.map((x) => x.what).join(' and ')}: it does not validate access tokens${acceptedInvalid.some((x) => x.a === forgedAnswer) ? ' (the signature is not verified)' : ''}.`,
      { expected: '401 with error="invalid_token"', actual, exchangeIds: invalidIds },
    );
  } else if (notInvalidToken.length) {
    const serverError = notInvalidToken.some((x) => (x.a.status ?? 0) >= 500 || x.a.status === undefined);
    run.check(
      'audit.invalid-token-401',
      serverError ? 'fail' : 'warn',
      `The server rejected ${invalidAnswers.map((x) => x.what).join(' and ')}, but not with 401 and error="invalid_token" (${actual}); clients read that error to decide to refresh or sign in again.`,
      { expected: '401 with error="invalid_token"', actual, exchangeIds: invalidIds },
    );
  } else {
    run.check(
      'audit.invalid-token-401',
      'pass',
      `${invalidAnswers.map((x) => x.what).join(' and ')} got 401 with error="invalid_token".`,
      { expected: '401 with error="invalid_token"', actual, exchangeIds: invalidIds },
    );
  }

  // No token at all: 401, and the challenge carries no error code (the request had no credentials).
  const none = await rawRequest(
    run,
    'Audit (RFC 6750 §3.1) — a request without any token; expect 401 whose challenge has no error code',
    serverUrl,
    auditRequest(s),
  );
  const noneAt = {
    expected: '401, WWW-Authenticate: Bearer without error=',
    actual: `${shownStatus(none)}${none.challenge ? '' : ' (no Bearer challenge)'}`,
    exchangeIds: none.exchangeIds,
  };
  if (none.status === undefined) {
    run.check(
      'audit.no-token-challenge',
      'skip',
      `Not testable: the request got no answer (${none.error ?? 'failed'}).`,
      noneAt,
    );
  } else if (accepted(none)) {
    run.check(
      'audit.no-token-challenge',
      'fail',
      `The server answered a request without any token (${shownStatus(none)}), although it asked for one at the start: its access check does not cover every request.`,
      noneAt,
    );
  } else if (none.status !== 401) {
    run.check(
      'audit.no-token-challenge',
      'warn',
      `A request without a token got ${shownStatus(none)} rather than 401, so clients do not know to sign in.`,
      noneAt,
    );
  } else if (!none.challenge) {
    run.check(
      'audit.no-token-challenge',
      'warn',
      'A request without a token got 401, but without a Bearer WWW-Authenticate challenge (a 401 MUST carry one, RFC 9110 §15.5.2), so clients cannot find the authorization server from it.',
      noneAt,
    );
  } else if (none.challenge.error) {
    run.check(
      'audit.no-token-challenge',
      'warn',
      `The 401 to a request without a token says error="${none.challenge.error}". A request that carries no credentials SHOULD NOT get an error code: clients read invalid_token as "this token went bad" and may throw a working session away.`,
      noneAt,
    );
  } else {
    run.check(
      'audit.no-token-challenge',
      'pass',
      'A request without a token got 401 with a Bearer challenge and no error code.',
      noneAt,
    );
  }

  // The (valid) token only in the query string.
  const queryUrl = new URL(serverUrl);
  queryUrl.searchParams.set('access_token', token);
  const query = await rawRequest(
    run,
    'Audit (OAuth 2.1 §5.2; RFC 6750 §2.3) — a request with the valid token only as ?access_token=; expect 401',
    queryUrl.href,
    auditRequest(s),
  );
  if (accepted(query)) {
    run.check(
      'audit.query-token-rejected',
      'fail',
      'The server accepted a token from the URL query. OAuth 2.1 removed that method: URLs end up in logs and browser history. MCP clients send tokens only in the Authorization header.',
      { expected: '401', actual: shownStatus(query), exchangeIds: query.exchangeIds },
    );
  } else if (query.status === 401) {
    run.check(
      'audit.query-token-rejected',
      'pass',
      'A valid token sent only as ?access_token= got 401: the server reads tokens from the Authorization header only.',
      { expected: '401', actual: shownStatus(query), exchangeIds: query.exchangeIds },
    );
  } else {
    run.check(
      'audit.query-token-rejected',
      'warn',
      `The token in the query string was not accepted, but the answer was ${shownStatus(query)} rather than 401.`,
      { expected: '401', actual: shownStatus(query), exchangeIds: query.exchangeIds },
    );
  }

  // The MCP session id without Authorization.
  if (!s.mcp.sessionId) {
    run.check(
      'audit.session-without-auth-rejected',
      'skip',
      s.mcp.era === 'modern'
        ? 'Not applicable: stateless server (2026-07-28 has no Mcp-Session-Id), so there is no session to misuse.'
        : 'Not applicable: the server issues no Mcp-Session-Id (stateless), so there is no session to misuse.',
    );
  } else {
    const session = await rawRequest(
      run,
      'Audit (MCP Security Best Practices §Session Hijacking) — tools/list with the Mcp-Session-Id and no Authorization; expect 401',
      serverUrl,
      {
        ...rawMcpRequest({
          era: 'legacy',
          method: 'tools/list',
          id: 'mcp-auth-inspector-audit',
          sessionId: s.mcp.sessionId,
          protocolVersion: s.mcp.protocolVersion ?? LEGACY_PROTOCOL_VERSION,
        }),
      },
    );
    if (accepted(session)) {
      run.check(
        'audit.session-without-auth-rejected',
        'fail',
        'The server answered a request that carried only the Mcp-Session-Id, without a token: it treats the session as a credential. Anyone who learns a session id can act as the user.',
        { expected: '401', actual: shownStatus(session), exchangeIds: session.exchangeIds },
      );
    } else if (session.status === 401) {
      run.check(
        'audit.session-without-auth-rejected',
        'pass',
        'A request with this session’s Mcp-Session-Id but no Authorization got 401: sessions are not authentication.',
        { expected: '401', actual: shownStatus(session), exchangeIds: session.exchangeIds },
      );
    } else {
      run.check(
        'audit.session-without-auth-rejected',
        'warn',
        `The request without a token was not answered, but with ${shownStatus(session)} rather than 401.`,
        { expected: '401', actual: shownStatus(session), exchangeIds: session.exchangeIds },
      );
    }
  }

  await judgeModernWireRules(run, s);
  await judgeBrowserCors(run, s);

  // Tool errors: what the deliberately invalid calls brought back.
  const errors = probes.filter((p) => p.outcome === 'tool-error' || p.outcome === 'protocol-error');
  const leaking = errors.filter((p) => p.findings.length);
  const probeIds = probes.flatMap((p) => p.exchangeIds);
  if (probes.length === 0) {
    run.check(
      'audit.error-no-leak',
      'skip',
      'No read-only tool takes arguments, so there was no error to provoke without risking a change.',
    );
  } else if (leaking.length) {
    run.check(
      'audit.error-no-leak',
      'fail',
      `Tool errors leak internals: ${leaking
        .map((p) => `${p.tool} (${p.label}) returned ${run.redactor.text(describeFindings(p.findings))}`)
        .join('. ')}. Return a short message and log the details server-side.`,
      {
        expected: 'error messages without stack traces, paths, internal hosts or SQL',
        actual: `${leaking.length} of ${errors.length} error(s) leak`,
        exchangeIds: leaking.flatMap((p) => p.exchangeIds),
      },
    );
  } else if (errors.length === 0) {
    run.check(
      'audit.error-no-leak',
      'skip',
      `${probes.length} call(s) with invalid arguments produced no error to inspect (the tools accepted them).`,
      { exchangeIds: probeIds },
    );
  } else {
    run.check(
      'audit.error-no-leak',
      'pass',
      `${errors.length} error(s) from ${new Set(errors.map((p) => p.tool)).size} read-only tool(s) called with invalid arguments (left out, wrong types, another account): no stack traces, file paths, internal hosts or addresses, or SQL.`,
      { actual: `${errors.length} error(s), 0 leaking`, exchangeIds: probeIds },
    );
  }

  // Any 403 the MCP server sent in this session must say which scope is missing.
  const forbidden = mcpExchanges(upsertRecord(s.records, run.record), serverUrl).filter(
    (e) => e.response?.status === 403,
  );
  if (forbidden.length === 0) {
    run.check(
      'audit.insufficient-scope-challenge',
      'skip',
      'No 403 was observed in this session, so there is no challenge to judge. Call a tool that needs more scope than the token has, then run the audit again.',
    );
  } else {
    const bad = forbidden.filter((e) => {
      const c = parseBearerChallenge(e.response?.headers['www-authenticate']);
      return c?.error !== 'insufficient_scope' || !c.scope;
    });
    const shown = (e: Exchange) => e.response?.headers['www-authenticate'] ?? '(no WWW-Authenticate)';
    run.check(
      'audit.insufficient-scope-challenge',
      bad.length ? 'fail' : 'pass',
      bad.length
        ? `${bad.length} of ${forbidden.length} 403 answer(s) lack WWW-Authenticate: Bearer error="insufficient_scope", scope="…" (got: ${shown(bad[0]!)}). Without it a client cannot tell which scope to ask for, so it cannot step up.`
        : `Every 403 (${forbidden.length}) carries error="insufficient_scope" and the scope to ask for (${shown(forbidden[0]!)}).`,
      {
        expected: 'Bearer error="insufficient_scope", scope="…"',
        actual: shown((bad[0] ?? forbidden[0])!),
        exchangeIds: (bad.length ? bad : forbidden).map((e) => e.id),
      },
    );
  }

  if (!run.record.checks.some((c) => c.id === 'audit.audience-restricted')) {
    run.check(
      'audit.audience-restricted',
      'skip',
      'Not tested yet: it needs a token issued for another resource, so it signs in once more (Test audience; your session is kept).',
    );
  }
  if (!run.record.checks.some((c) => c.id === 'audit.audience-as-restricted')) {
    run.check(
      'audit.audience-as-restricted',
      'skip',
      'Not tested yet: the audience test asks the authorization server for a token for a made-up resource (Test audience).',
    );
  }
  if (!run.record.checks.some((c) => c.id === 'audit.revoked-token-rejected')) {
    run.check(
      'audit.revoked-token-rejected',
      'skip',
      'Not tested yet: testing revocation revokes this session’s tokens, so it runs only when you confirm (Test revocation), and you sign in again afterwards.',
    );
  }
  run.fact('audit', {
    ranAt: startedAt,
    probes: probes.map((p) => ({
      tool: p.tool,
      label: p.label,
      outcome: p.outcome,
      exchangeIds: p.exchangeIds,
    })),
  });
  const next: Connected = {
    ...s,
    records: upsertRecord(s.records, orderedRecord(run.finish())),
    seq: run.nextSeq,
  };
  return next;
}

/**
 * The revocation row of the audit: revokes this session's tokens at the authorization server
 * (RFC 7009), then sends the old access token to the MCP server, which must answer 401. This ends
 * the session on purpose: the flow becomes 'disconnected' and the user reconnects. Only call it
 * after the user confirmed.
 * @see RFC 7009 §2.1; MCP 2025-11-25 §Token Handling
 */
export async function testRevocation(state: FlowState, ctx: FlowContext): Promise<FlowState> {
  if (state.step !== 'connected') {
    throw new FlowError({
      code: 'invalid_state',
      message: `Revocation is tested on a connected session; the flow is at '${state.step}'.`,
    });
  }
  const s = freshConnected(requireOAuth(state, 'The revocation test'));
  const existing = s.records.find((r) => r.id === 'tools');
  const run = new StepRun('tools', ctx, s.secrets, s.seq, existing);
  const oldToken = s.secrets.accessToken ?? '';
  const revocation = await revokeTokens(run, s);
  let message: string;
  if (revocation.outcome === 'no-endpoint') {
    message = revocation.message;
    run.check(
      'audit.revoked-token-rejected',
      'skip',
      'The authorization server publishes no revocation_endpoint, so a client cannot revoke access to test it.',
      { expected: 'revocation_endpoint', actual: '(absent)' },
    );
  } else if (revocation.outcome === 'failed') {
    message = revocation.message;
    run.check(
      'audit.revoked-token-rejected',
      'warn',
      `${revocation.message} Nothing was revoked, so the server’s reaction could not be tested.`,
      {
        expected: '200 from the revocation endpoint',
        actual: revocation.tokens.map((t) => t.detail).join('; '),
        exchangeIds: revocation.exchangeIds,
      },
    );
  } else {
    const answer = await rawRequest(
      run,
      'Audit (RFC 7009; MCP §Token Handling) — a request with the access token just revoked; expect 401',
      s.options.serverUrl,
      auditRequest(s, `Bearer ${oldToken}`),
    );
    const ids = [...revocation.exchangeIds, ...answer.exchangeIds];
    if (accepted(answer)) {
      message = `${revocation.message} The MCP server still accepted the revoked access token.`;
      run.check(
        'audit.revoked-token-rejected',
        'fail',
        'The MCP server still accepted the access token after it was revoked at the authorization server. Revoked access must be rejected on the next request (check revocation, e.g. by introspection or a deny list, or keep access tokens very short-lived).',
        { expected: '401', actual: shownStatus(answer), exchangeIds: ids },
      );
    } else {
      message = `${revocation.message} The MCP server rejected the revoked token (${shownStatus(answer)}).`;
      run.check(
        'audit.revoked-token-rejected',
        answer.status === 401 ? 'pass' : 'warn',
        answer.status === 401
          ? `After revocation at the authorization server, the next request with the old access token got ${shownStatus(answer)}.`
          : `After revocation the old access token was not accepted, but the answer was ${shownStatus(answer)} rather than 401.`,
        { expected: '401', actual: shownStatus(answer), exchangeIds: ids },
      );
    }
  }
  const at = run.now();
  run.fact('revocationTest', { at, revocation: revocation.outcome });
  const next = { ...s, records: upsertRecord(s.records, orderedRecord(run.finish())), seq: run.nextSeq };
  return disconnectedState(next, {
    at,
    by: 'audit',
    revocation: revocation.outcome,
    message: `The access audit revoked this session’s tokens to test revocation. ${message}`,
  });
}

/**
 * Kept for flows saved while an older version's audience test was under way (it signed in again
 * naming two resources): the test now runs in audience.ts and returns to 'connected' by itself, so
 * this only hands the session back.
 * @deprecated see beginAudienceTest / finishAudienceTest in ./audience
 */
export async function probeAudience(
  state: Connected,
  _ctx: FlowContext,
  _audience: string,
): Promise<Connected> {
  return state;
}
