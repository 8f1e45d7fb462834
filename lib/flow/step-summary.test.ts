import { describe, expect, it } from 'vitest';
import { STEP_INFO } from './step-info';
import { stepSummary } from './step-summary';
import { STEP_ORDER } from './types';

describe('stepSummary: each step described as it happens on the walkthrough’s grant', () => {
  it('the code flow keeps STEP_INFO’s words, every step', () => {
    for (const id of STEP_ORDER) {
      for (const grant of [undefined, 'authorization_code' as const]) {
        expect(stepSummary(id, grant)).toEqual({
          summary: STEP_INFO[id].summary,
          specRef: STEP_INFO[id].specRef,
        });
      }
    }
  });

  it('grants without a code never speak of a code, a PKCE verifier or consent where there is none', () => {
    for (const grant of ['client_credentials', 'jwt_bearer'] as const) {
      const token = stepSummary('token', grant).summary;
      expect(token).not.toMatch(/Exchange the code|PKCE verifier/);
      expect(stepSummary('callback', grant).summary).toMatch(/^Not used: this grant has no browser/);
      expect(stepSummary('authorize', grant).summary).toMatch(/No browser/);
    }
    expect(stepSummary('token', 'client_credentials').summary).toMatch(/client’s own credentials/);
    expect(stepSummary('token', 'jwt_bearer').summary).toMatch(/workload’s assertion/);
    // Enterprise-managed has a browser, at the IdP, and an ID-JAG in the token step.
    expect(stepSummary('authorize', 'id_jag').summary).toMatch(/enterprise IdP .*PKCE/);
    expect(stepSummary('token', 'id_jag').summary).toMatch(/ID-JAG \(RFC 8693\)/);
    // Steps the grants share keep the common words.
    expect(stepSummary('prm', 'jwt_bearer')).toEqual({
      summary: STEP_INFO.prm.summary,
      specRef: STEP_INFO.prm.specRef,
    });
  });
});
