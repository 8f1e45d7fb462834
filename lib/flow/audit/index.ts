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
 * | The token is refused for another resource    | audit.audience-restricted (audience.ts)  |
 * | A signed assertion is not accepted twice     | audit.assertion-replay (replay.ts; warn) |
 *
 * Everything is recorded in the 'tools' step. Revocation ends the session, so it is a separate,
 * confirmed operation (`testRevocation`); so is the audience test, which signs in once more.
 *
 * The folder, one job per file: probes.ts (read-only tools called with invalid arguments), raw.ts
 * (hand-made requests in the server's wire), judge.ts (the one "must be rejected" judge), wire.ts
 * (the 2026-07-28 rows), cors.ts (browser clients), audience.ts (the audience test, a side
 * authorization that keeps the session), revocation.ts; this file runs the read-only rows.
 */
import type { Exchange } from '../../http/types';
import { LEGACY_PROTOCOL_VERSION } from '../../mcp/client';
import { rawMcpRequest } from '../../mcp/raw';
import type { ToolView } from '../../mcp/tools';
import { parseBearerChallenge } from '../../oauth/www-authenticate';
import { type Connected, freshConnected, requireOAuth, settleAccess, withAccess } from '../access';
import { describeFindings } from '../leak-scanner';
import type { FlowState } from '../state';
import { type FlowContext, orderedRecord, StepRun, upsertRecord } from '../step-run';
import { FlowError, type StepRecord } from '../types';
import { judgeBrowserCors } from './cors';
import { judgeDpopBinding } from './dpop';
import { judgeRejection } from './judge';
import { probeToolErrors } from './probes';
import { accepted, auditRequest, rawRequest, shownStatus } from './raw';
import { judgeAssertionReplay } from './replay';
import { judgeModernWireRules } from './wire';

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

  // First without any token: it shows which request the server protects. A legacy server may open
  // initialize to everyone and protect tools/list; then the token rows use tools/list (in the
  // session), or an open handshake would read as accepted tokens.
  const noTokenPurpose =
    'Audit (RFC 6750 §3.1) — a request without any token; expect 401 whose challenge has no error code';
  let target: Pick<Connected, 'mcp' | 'probe'> = s;
  let none = await rawRequest(run, noTokenPurpose, serverUrl, auditRequest(target));
  if (s.mcp.era === 'legacy' && !s.probe.handshakeOpen && accepted(none)) {
    target = { mcp: s.mcp, probe: { ...s.probe, handshakeOpen: true } };
    run.fact('auditHandshakeOpen', 'initialize answered without a token; the token rows use tools/list');
    const again = await rawRequest(
      run,
      `${noTokenPurpose} (tools/list: initialize is open)`,
      serverUrl,
      auditRequest(target),
    );
    none = { ...again, exchangeIds: [...none.exchangeIds, ...again.exchangeIds] };
  }

  // An invalid token, and (for JWTs) the real claims with a signature that cannot verify.
  const forged = forgedSignature(token);
  run.addSecret(forged);
  const invalid = await rawRequest(
    run,
    'Audit (RFC 6750 §3.1) — a request with a made-up access token; expect 401 invalid_token',
    serverUrl,
    auditRequest(target, 'Bearer mcp-auth-inspector-audit-not-a-real-token'),
  );
  const forgedAnswer = forged
    ? await rawRequest(
        run,
        'Audit (RFC 6750 §3.1) — a request with this session’s JWT and a forged signature; expect 401',
        serverUrl,
        auditRequest(target, `Bearer ${forged}`),
      )
    : undefined;
  const invalidAnswers = [
    { what: 'a made-up token', a: invalid },
    ...(forgedAnswer ? [{ what: 'a JWT with a forged signature', a: forgedAnswer }] : []),
  ];
  const invalidIds = invalidAnswers.flatMap((x) => x.a.exchangeIds);
  const acceptedInvalid = invalidAnswers.filter((x) => accepted(x.a));
  // A request that got no answer judges nothing (the server may have gone away meanwhile).
  const answered = invalidAnswers.filter((x) => x.a.status !== undefined);
  const notInvalidToken = answered.filter(
    (x) => x.a.status !== 401 || x.a.challenge?.error !== 'invalid_token',
  );
  const actual = invalidAnswers.map((x) => `${x.what}: ${shownStatus(x.a)}`).join('; ');
  if (answered.length === 0) {
    run.check('audit.invalid-token-401', 'skip', `Not testable: the requests got no answer (${actual}).`, {
      expected: '401 with error="invalid_token"',
      actual,
      exchangeIds: invalidIds,
    });
  } else if (acceptedInvalid.length) {
    run.check(
      'audit.invalid-token-401',
      'fail',
      `The server accepted ${acceptedInvalid.map((x) => x.what).join(' and ')}: it does not validate access tokens${acceptedInvalid.some((x) => x.a === forgedAnswer) ? ' (the signature is not verified)' : ''}.`,
      { expected: '401 with error="invalid_token"', actual, exchangeIds: invalidIds },
    );
  } else if (notInvalidToken.length) {
    // Invalid tokens MUST get 401: a server error is a failure; another refusal, or a 401 without
    // error="invalid_token" (RFC 6750 §3.1: SHOULD), a warning.
    const serverError = notInvalidToken.some((x) => (x.a.status ?? 0) >= 500);
    run.check(
      'audit.invalid-token-401',
      serverError ? 'fail' : 'warn',
      `The server rejected ${answered.map((x) => x.what).join(' and ')}, but not with 401 and error="invalid_token" (${actual}); ${serverError ? 'a server error is no answer to an invalid token, which MUST get 401' : 'clients read that error to decide to refresh or sign in again'}.`,
      { expected: '401 with error="invalid_token"', actual, exchangeIds: invalidIds },
    );
  } else {
    run.check(
      'audit.invalid-token-401',
      'pass',
      `${answered.map((x) => x.what).join(' and ')} got 401 with error="invalid_token"${answered.length < invalidAnswers.length ? ` (the other request got no answer: ${actual})` : ''}.`,
      { expected: '401 with error="invalid_token"', actual, exchangeIds: invalidIds },
    );
  }

  // No token at all: 401, and the challenge carries no error code (the request had no credentials).
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
    auditRequest(target),
  );
  judgeRejection(run, 'audit.query-token-rejected', query, {
    accepted:
      'The server accepted a token from the URL query. OAuth 2.1 removed that method: URLs end up in logs and browser history. MCP clients send tokens only in the Authorization header.',
    rejected:
      'A valid token sent only as ?access_token= got 401: the server reads tokens from the Authorization header only.',
    otherwise: (shown) =>
      `The token in the query string was not accepted, but the answer was ${shown} rather than 401.`,
  });

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
    judgeRejection(run, 'audit.session-without-auth-rejected', session, {
      accepted:
        'The server answered a request that carried only the Mcp-Session-Id, without a token: it treats the session as a credential. Anyone who learns a session id can act as the user.',
      rejected:
        'A request with this session’s Mcp-Session-Id but no Authorization got 401: sessions are not authentication.',
      otherwise: (shown) =>
        `The request without a token was not answered, but with ${shown} rather than 401.`,
    });
  }

  await judgeModernWireRules(run, s);
  await judgeDpopBinding(run, s);
  await judgeAssertionReplay(run, s);
  await judgeBrowserCors(run, { ...s, probe: target.probe });

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
    // What the audit learned about which request the server protects, for the rows that come later.
    probe: target.probe,
    records: upsertRecord(s.records, orderedRecord(run.finish())),
    seq: run.nextSeq,
  };
  return next;
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

export { type ErrorProbe, type ErrorProbeResult, errorProbesFor, OTHER_ACCOUNT } from './probes';
export { testRevocation } from './revocation';
