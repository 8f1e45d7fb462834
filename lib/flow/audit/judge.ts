/**
 * One judge for the audit's "this request must be rejected" rows (a token in the query string, a
 * session id without a token, a revoked token, a token for another resource): accepted is the
 * failure the row is about, 401 is the answer the spec asks for, anything else is named as it was.
 * A request that got no answer is not testable: no verdict either way.
 */
import type { CheckId } from '../checks';
import type { StepRun } from '../step-run';
import { accepted, type RawAnswer, shownStatus } from './raw';

export interface RejectionWords {
  /** The failure, when the server answered 2xx. */
  accepted: string;
  /** The pass, when it answered 401. */
  rejected: string;
  /** Refused otherwise (e.g. 400, 403, 5xx): the message, given what was shown. */
  otherwise: (shown: string) => string;
  /** What an accepted request is: 'fail' unless the row cannot be sure (e.g. an unreadable audience). */
  acceptedStatus?: 'fail' | 'warn';
  /** What a refusal other than 401 is: 'warn' unless the row's rule needs 401 exactly. */
  otherStatus?: 'warn' | 'fail';
}

export interface RejectionEvidence {
  /** More exchanges that belong to the row (e.g. the revocation request before the probe). */
  exchangeIds?: string[];
  /** The answer as the row shows it (default: status and error code). */
  actual?: string;
}

/**
 * Judges one answer that must be a rejection and records `id`. Returns the status it recorded.
 * @see MCP 2025-11-25 §Token Requirements, §Token Handling; RFC 6750 §3.1
 */
export function judgeRejection(
  run: StepRun,
  id: CheckId,
  answer: RawAnswer,
  words: RejectionWords,
  evidence: RejectionEvidence = {},
): 'pass' | 'warn' | 'fail' | 'skip' {
  const at = {
    expected: '401',
    actual: evidence.actual ?? shownStatus(answer),
    exchangeIds: [...(evidence.exchangeIds ?? []), ...answer.exchangeIds],
  };
  if (answer.status === undefined) {
    run.check(id, 'skip', `Not testable: the request got no answer (${answer.error ?? 'failed'}).`, at);
    return 'skip';
  }
  if (accepted(answer)) {
    const status = words.acceptedStatus ?? 'fail';
    run.check(id, status, words.accepted, at);
    return status;
  }
  if (answer.status === 401) {
    run.check(id, 'pass', words.rejected, at);
    return 'pass';
  }
  const status = words.otherStatus ?? 'warn';
  run.check(id, status, words.otherwise(shownStatus(answer)), at);
  return status;
}
