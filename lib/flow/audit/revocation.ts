/** The audit's revocation row: it revokes the session's own tokens, so it ends the session. */
import { freshConnected, requireOAuth } from '../access';
import { disconnectedState, revokeTokens } from '../disconnect';
import type { FlowState } from '../state';
import { type FlowContext, orderedRecord, StepRun, upsertRecord } from '../step-run';
import { FlowError } from '../types';

import { judgeRejection } from './judge';
import { auditRequest, presentToken, protectedTarget, rawRequest, shownStatus } from './raw';

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
  const target = await protectedTarget(run, s);
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
      'skip',
      `Not testable: ${revocation.message} Nothing was revoked, so the server’s reaction could not be tested.`,
      {
        expected: '200 from the revocation endpoint',
        actual: revocation.tokens.map((t) => t.detail).join('; '),
        exchangeIds: revocation.exchangeIds,
      },
    );
  } else {
    const presented = await presentToken(s, oldToken);
    const answer = await rawRequest(
      run,
      'Audit (RFC 7009; MCP §Token Handling) — a request with the access token just revoked; expect 401',
      s.options.serverUrl,
      auditRequest(target, presented),
    );
    const verdict = judgeRejection(
      run,
      'audit.revoked-token-rejected',
      answer,
      {
        accepted:
          'The MCP server still accepted the access token after it was revoked at the authorization server. Revoked access must be rejected on the next request (check revocation, e.g. by introspection or a deny list, or keep access tokens very short-lived).',
        rejected: `After revocation at the authorization server, the next request with the old access token got ${shownStatus(answer)}.`,
        otherwise: (shown) =>
          `After revocation the old access token was not accepted, but the answer was ${shown} rather than 401.`,
      },
      { exchangeIds: revocation.exchangeIds },
    );
    message =
      verdict === 'fail'
        ? `${revocation.message} The MCP server still accepted the revoked access token.`
        : verdict === 'skip'
          ? `${revocation.message} The MCP server did not answer the request with the old token.`
          : `${revocation.message} The MCP server rejected the revoked token (${shownStatus(answer)}).`;
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
