/**
 * The audit's replay row: the same client assertion (private_key_jwt) or JWT bearer assertion presented
 * a second time. Refusing it is a MAY (RFC 7523 §3 (7)), so accepting it is a warning, never a failure.
 */
import type * as oauth from 'oauth4webapi';
import { describeOAuthError } from '../../oauth/errors';
import { decodeJwtPayloadUnverified } from '../../oauth/jwt';
import {
  clientCredentialsGrantRequest,
  jwtBearerGrantRequest,
  privateKeyJwtAuthentication,
  processTokenResponse,
  replayingClientAuth,
} from '../../oauth/token';
import type { Connected } from '../access';
import type { StepRun } from '../step-run';
import { clientAuthFor, oauthClientOf } from '../steps/token';

const ID = 'audit.assertion-replay';
const RULE =
  'RFC 7523 §3 (7) lets an authorization server keep used jti values to refuse replays (MAY); OpenID Connect Core §9 says client assertions "MUST only be used once"; the MCP client credentials extension adds no rule of its own.';

type Answer =
  | { ok: true; tokens: oauth.TokenEndpointResponse }
  | { ok: false; error?: string; message: string };

async function answer(run: StepRun, send: () => Promise<oauth.TokenEndpointResponse>): Promise<Answer> {
  try {
    const tokens = await send();
    run.addSecret(tokens.access_token);
    run.addSecret(tokens.refresh_token);
    return { ok: true, tokens };
  } catch (err) {
    const d = describeOAuthError(err, 'The token endpoint');
    return { ok: false, message: d.message, ...(d.oauthError ? { error: d.oauthError } : {}) };
  }
}

/** Which assertion this session presents, if any: the client's own (private_key_jwt) or the grant's. */
function assertionKind(s: Connected): 'client' | 'grant' | undefined {
  if (s.authorization.grant === 'jwt_bearer' || s.authorization.grant === 'id_jag') {
    return s.secrets.assertion ? 'grant' : undefined;
  }
  if (
    s.authorization.grant === 'client_credentials' &&
    s.client.tokenEndpointAuthMethod === 'private_key_jwt'
  ) {
    return s.secrets.clientPrivateKey ? 'client' : undefined;
  }
  return undefined;
}

/**
 * private_key_jwt: one assertion, two client credentials requests (the first must work). JWT bearer:
 * the assertion the token step already redeemed, once more (unless it has expired since).
 * @see RFC 7523 §3 (7); OpenID Connect Core §9; RFC 6749 §5.2 (invalid_grant, invalid_client)
 */
export async function judgeAssertionReplay(run: StepRun, s: Connected): Promise<void> {
  const kind = assertionKind(s);
  if (!kind) {
    run.check(
      ID,
      'skip',
      'Not applicable: this session presents no signed assertion (no private_key_jwt client credentials, no JWT bearer grant).',
    );
    return;
  }
  const as = s.authorizationServer.metadata;
  const client = oauthClientOf(s.client);
  const { resource, scope } = s.authorization;
  const extra = { ...(scope ? { scope } : {}), ...(resource ? { resource } : {}) };
  let first: Answer | undefined;
  let second: Answer;
  let exchangeIds: string[];
  if (kind === 'client') {
    const clientAuth = replayingClientAuth(
      await privateKeyJwtAuthentication(s.secrets.clientPrivateKey!, s.options.clientAssertionAlg),
    );
    const call = run.traced(
      'Audit (RFC 7523 §3) — one private_key_jwt client assertion sent twice; expect the second refused',
    );
    const send = async () =>
      processTokenResponse(
        as,
        client,
        await clientCredentialsGrantRequest({ fetch: call.fetch, as, client, clientAuth, ...extra }),
      );
    first = await answer(run, send);
    second = first.ok ? await answer(run, send) : first;
    exchangeIds = call.exchangeIds;
  } else {
    const assertion = s.secrets.assertion!;
    const exp = decodeJwtPayloadUnverified(assertion)?.exp;
    if (typeof exp === 'number' && exp * 1000 <= run.now()) {
      run.check(
        ID,
        'skip',
        'Not testable: the assertion the token step presented has expired since, so a second try would be refused for that reason alone. Run the audit right after connecting.',
      );
      return;
    }
    const clientAuth = await clientAuthFor(s);
    const call = run.traced(
      'Audit (RFC 7523 §3) — the JWT bearer assertion the token step redeemed, presented again; expect it refused',
    );
    second = await answer(run, async () =>
      processTokenResponse(
        as,
        client,
        await jwtBearerGrantRequest({ fetch: call.fetch, as, client, clientAuth, assertion, ...extra }),
      ),
    );
    exchangeIds = call.exchangeIds;
  }
  const what =
    kind === 'client'
      ? 'the same client assertion (one jti)'
      : 'the JWT bearer assertion it already redeemed';
  if (first && !first.ok) {
    run.check(
      ID,
      'skip',
      `Not testable: the first request with the assertion was already refused (${first.message}).`,
      { exchangeIds },
    );
  } else if (second.ok) {
    run.check(
      ID,
      'warn',
      `The authorization server accepted ${what} a second time and issued another token. ${RULE} Someone who captures an assertion can use it until it expires: keep used jti values until exp, and keep exp short.`,
      {
        expected: 'the second presentation refused (invalid_grant or invalid_client)',
        actual: `HTTP 200, token_type ${second.tokens.token_type}`,
        exchangeIds,
      },
    );
  } else if (second.error === 'invalid_grant' || second.error === 'invalid_client') {
    run.check(
      ID,
      'pass',
      `The authorization server refused ${what} the second time (${second.error}). ${RULE}`,
      {
        expected: 'the second presentation refused',
        actual: second.message,
        exchangeIds,
      },
    );
  } else {
    run.check(
      ID,
      'skip',
      `Not testable: the second request was refused, but not as a replay (${second.message}); the inspector cannot tell whether the assertion was recognised.`,
      { exchangeIds },
    );
  }
}
