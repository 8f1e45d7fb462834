import { STEP_INFO } from './step-info';
import type { FlowOptions, StepId } from './types';

type Grant = NonNullable<FlowOptions['grant']>;
type Described = { summary: string; specRef: string };

const NO_BROWSER_CALLBACK: Described = {
  summary: 'Not used: this grant has no browser, so no authorization code comes back.',
  specRef: 'RFC 6749 §4.4; RFC 7523 §2.1',
};

/**
 * What the steps do on the grants without an authorization code, where STEP_INFO's words (a code,
 * a PKCE verifier, consent) would describe something that does not happen. Kept apart from
 * STEP_INFO so the start page does not carry them: only the step detail and the reports need them.
 */
const BY_GRANT: Partial<Record<Grant, Partial<Record<StepId, Described>>>> = {
  client_credentials: {
    authorize: {
      summary:
        'No browser and no user: the client asks for its own token. This step checks that the authorization server advertises the client credentials grant and plans the request (scope, resource).',
      specRef: 'RFC 6749 §4.4; RFC 8414 §2; MCP ext-auth (OAuth Client Credentials)',
    },
    callback: NO_BROWSER_CALLBACK,
    token: {
      summary:
        'Ask the token endpoint for a token with the client’s own credentials (a secret, or a private_key_jwt assertion) and the resource. The token stays in the inspector’s encrypted server-side session; you see redacted forms and decoded claims.',
      specRef: 'RFC 6749 §4.4.2; RFC 7523 §2.2; RFC 8707 §2.2',
    },
  },
  jwt_bearer: {
    authorize: {
      summary:
        'No browser: the workload presents an assertion from its platform. This step checks that the authorization server advertises the JWT bearer grant and plans the request (scope, resource).',
      specRef: 'RFC 7523 §2.1; RFC 8414 §2; MCP ext-auth (workload identity federation)',
    },
    callback: NO_BROWSER_CALLBACK,
    token: {
      summary:
        'Present the workload’s assertion as a JWT bearer grant, after checking its aud and exp. A server that issues a token for an assertion it must refuse fails here. The token stays in the inspector’s encrypted server-side session.',
      specRef: 'RFC 7523 §2.1, §3; RFC 8707 §2.2',
    },
  },
  id_jag: {
    authorize: {
      summary:
        'Sign the user in at the enterprise IdP (authorization code with PKCE, scope openid) for an ID token. There is no consent screen at the MCP server’s authorization server: the enterprise decided.',
      specRef: 'SEP-990 §3; OpenID Connect Core §3.1; RFC 7636',
    },
    callback: {
      summary:
        'The enterprise IdP sends the browser back with a code. The state must be the one we sent, and iss must name the IdP.',
      specRef: 'OAuth 2.1 §4.1.2; RFC 9207 §2.4',
    },
    token: {
      summary:
        'Redeem the code at the IdP for an ID token, exchange it there for an ID-JAG (RFC 8693), judge the ID-JAG (aud, resource, client_id), then present it to the MCP server’s authorization server as a JWT bearer grant.',
      specRef: 'RFC 8693 §2; RFC 7523 §2.1; SEP-990 §5',
    },
  },
};

/** The step's description for the walkthrough's grant (the code flow's words by default). */
export function stepSummary(id: StepId, grant: FlowOptions['grant']): Described {
  const info = STEP_INFO[id];
  return (grant && BY_GRANT[grant]?.[id]) ?? { summary: info.summary, specRef: info.specRef };
}
