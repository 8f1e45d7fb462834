import { describe, expect, it } from 'vitest';
import { StepRun } from '../step-run';
import { judgeRejection, type RejectionWords } from './judge';
import type { RawAnswer } from './raw';

const words: RejectionWords = {
  accepted: 'accepted it',
  rejected: 'rejected it',
  otherwise: (shown) => `refused with ${shown}`,
};

function judge(answer: RawAnswer, w: RejectionWords = words) {
  const run = new StepRun('tools', {}, {}, 0);
  const status = judgeRejection(run, 'audit.query-token-rejected', answer, w, { exchangeIds: ['x-1'] });
  return { status, check: run.record.checks[0] };
}

describe('judgeRejection()', () => {
  it('fails an accepted request, passes a 401, names any other refusal', () => {
    expect(judge({ status: 200, exchangeIds: ['e-1'] })).toMatchObject({
      status: 'fail',
      check: { message: 'accepted it', expected: '401', actual: '200', exchangeIds: ['x-1', 'e-1'] },
    });
    expect(
      judge({
        status: 401,
        challenge: { scheme: 'bearer', params: {}, error: 'invalid_token' } as never,
        exchangeIds: [],
      }),
    ).toMatchObject({
      status: 'pass',
      check: { message: 'rejected it', actual: '401 error="invalid_token"' },
    });
    expect(judge({ status: 400, exchangeIds: [] })).toMatchObject({
      status: 'warn',
      check: { message: 'refused with 400' },
    });
  });

  it('gives no verdict when the request got no answer', () => {
    expect(judge({ error: 'timeout', exchangeIds: [] })).toMatchObject({
      status: 'skip',
      check: { message: 'Not testable: the request got no answer (timeout).' },
    });
  });

  it('lets a row that cannot be sure warn instead of failing', () => {
    expect(judge({ status: 200, exchangeIds: [] }, { ...words, acceptedStatus: 'warn' }).status).toBe('warn');
  });
});
