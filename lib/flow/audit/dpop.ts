/** The audit's DPoP row: a bound token must not work without its proof, or with a proof for another request. */
import { dpopProof } from '../../oauth/dpop';
import type { Connected } from '../access';
import type { StepRun } from '../step-run';
import { accepted, auditRequest, protectedTarget, type RawAnswer, rawRequest, shownStatus } from './raw';

/**
 * With a DPoP-bound token (token_type DPoP, RFC 9449 §5) the MCP server must refuse it sent as
 * Bearer without a proof (§7.1: a bound token is not a bearer token), and refuse a proof made for
 * another method (§4.3 check 8: htm must match). Both requests are otherwise what the session sends.
 * @see RFC 9449 §4.3, §7.1; MCP ext-auth DPoP (SEP-1932)
 */
export async function judgeDpopBinding(run: StepRun, s: Connected): Promise<void> {
  const keys = s.secrets.dpopKeys;
  const token = s.secrets.accessToken;
  if (!s.secrets.dpopBound || !keys || !token) {
    run.check(
      'audit.dpop-binding-enforced',
      'skip',
      'Not applicable: this session’s token is not DPoP-bound (ask for DPoP with --dpop, and an authorization server that binds tokens).',
    );
    return;
  }
  const target = await protectedTarget(run, s);
  const asBearer = await rawRequest(
    run,
    'Audit (RFC 9449 §7.1) — the DPoP-bound token sent as Bearer, with no proof; expect 401',
    s.options.serverUrl,
    auditRequest(target, `Bearer ${token}`),
  );
  const wrongMethod = await rawRequest(
    run,
    'Audit (RFC 9449 §4.3) — the DPoP-bound token with a proof made for GET, sent with POST; expect 401',
    s.options.serverUrl,
    auditRequest(target, {
      authorization: `DPoP ${token}`,
      dpop: await dpopProof({ keys, method: 'GET', url: s.options.serverUrl, accessToken: token }),
    }),
  );
  const answers: Array<[string, RawAnswer]> = [
    ['the token as Bearer without a proof', asBearer],
    ['a proof for another method', wrongMethod],
  ];
  const at = {
    expected: '401 to both',
    actual: answers.map(([what, a]) => `${what}: ${shownStatus(a)}`).join('; '),
    exchangeIds: [...asBearer.exchangeIds, ...wrongMethod.exchangeIds],
  };
  const taken = answers.filter(([, a]) => accepted(a));
  if (taken.length) {
    run.check(
      'audit.dpop-binding-enforced',
      'fail',
      `The MCP server accepted ${taken.map(([what]) => what).join(' and ')}. A DPoP-bound token is only good with a proof of its key for this very request; accepting it otherwise makes a stolen token usable again, which DPoP exists to prevent.`,
      at,
    );
  } else if (answers.some(([, a]) => a.status === undefined)) {
    run.check('audit.dpop-binding-enforced', 'skip', 'Not testable: a request got no answer.', at);
  } else if (answers.every(([, a]) => a.status === 401)) {
    run.check(
      'audit.dpop-binding-enforced',
      'pass',
      'The MCP server refused the DPoP-bound token sent as Bearer and with a proof for another method (401 both times).',
      at,
    );
  } else {
    run.check(
      'audit.dpop-binding-enforced',
      'warn',
      `Both were refused, but not both with 401 (${at.actual}).`,
      at,
    );
  }
}
