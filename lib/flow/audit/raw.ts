/**
 * Hand-made requests to the MCP server for the audit's rows: one request in the era the server speaks,
 * sent with whatever credentials the row is about, and recorded with its purpose.
 */
import { LEGACY_PROTOCOL_VERSION } from '../../mcp/client';
import { rawMcpRequest } from '../../mcp/raw';
import { dpopProof } from '../../oauth/dpop';
import { type BearerChallenge, parseBearerChallenge } from '../../oauth/www-authenticate';
import type { Connected } from '../access';
import type { StepRun } from '../step-run';
import { firstJsonRpcMessage } from '../steps/util';

/**
 * The request the audit's token rows send, in the era the server speaks: one it must authenticate
 * (tools/list on the modern wire; initialize on the legacy one, as a new client would). When the
 * probe found the handshake open (initialize answered without a token, tools/list challenged),
 * tools/list in the session instead: an open initialize says nothing about token checks.
 */
export function auditRequest(
  s: Pick<Connected, 'mcp' | 'probe'>,
  /** An Authorization header value, or the credential headers the row sends (e.g. presentToken's). */
  credentials?: string | Record<string, string>,
): { headers: Record<string, string>; body: string } {
  const legacyMethod = s.probe.handshakeOpen ? 'tools/list' : 'initialize';
  const { headers, body } =
    s.mcp.era === 'modern'
      ? rawMcpRequest({
          era: 'modern',
          method: 'tools/list',
          id: 'mcp-auth-inspector-audit',
          ...(s.mcp.protocolVersion ? { protocolVersion: s.mcp.protocolVersion } : {}),
        })
      : rawMcpRequest({
          era: 'legacy',
          method: legacyMethod,
          id: 'mcp-auth-inspector-audit',
          protocolVersion: s.mcp.protocolVersion ?? LEGACY_PROTOCOL_VERSION,
          ...(legacyMethod === 'tools/list' && s.mcp.sessionId ? { sessionId: s.mcp.sessionId } : {}),
        });
  const extra =
    typeof credentials === 'string' ? (credentials ? { authorization: credentials } : {}) : credentials;
  return { headers: extra ? { ...headers, ...extra } : headers, body };
}

/**
 * The headers that present `token` the way this session must: `Bearer`, or for a DPoP-bound session
 * `DPoP` with a fresh proof for this request (otherwise a DPoP server refuses it for the scheme alone,
 * and a row about revocation would pass for the wrong reason).
 * @see RFC 6750 §2.1; RFC 9449 §7.1
 */
export async function presentToken(
  s: Pick<Connected, 'secrets' | 'options'>,
  token: string,
  proof: { method?: string; url?: string } = {},
): Promise<Record<string, string>> {
  const keys = s.secrets.dpopKeys;
  if (!s.secrets.dpopBound || !keys) return { authorization: `Bearer ${token}` };
  return {
    authorization: `DPoP ${token}`,
    dpop: await dpopProof({
      keys,
      method: proof.method ?? 'POST',
      url: proof.url ?? s.options.serverUrl,
      accessToken: token,
    }),
  };
}

export interface RawAnswer {
  status?: number;
  challenge?: BearerChallenge;
  /** The JSON-RPC error code of the body, when it carried one. */
  rpcErrorCode?: unknown;
  /** Network-level failure (the request got no answer). */
  error?: string;
  exchangeIds: string[];
}

/** One hand-made request to the MCP server, recorded with its purpose. */
export async function rawRequest(
  run: StepRun,
  purpose: string,
  url: string,
  init: { method?: string; headers: Record<string, string>; body?: string },
): Promise<RawAnswer> {
  const call = run.traced(purpose);
  try {
    const response = await call.fetch(url, {
      method: init.method ?? 'POST',
      headers: init.headers,
      body: init.body,
    });
    // Read it all, so the exchange records the whole answer (an accepted request may stream it).
    const text = (await response.text().catch(() => undefined)) ?? '';
    const rpcErrorCode = firstJsonRpcMessage(text, response.headers.get('content-type'))?.error as
      | { code?: unknown }
      | undefined;
    return {
      status: response.status,
      challenge: parseBearerChallenge(response.headers.get('www-authenticate')),
      ...(rpcErrorCode?.code !== undefined ? { rpcErrorCode: rpcErrorCode.code } : {}),
      exchangeIds: call.exchangeIds,
    };
  } catch (err) {
    return { error: (err as Error).message, exchangeIds: call.exchangeIds };
  }
}

export const accepted = (a: RawAnswer) => a.status !== undefined && a.status >= 200 && a.status < 300;
export const shownStatus = (a: RawAnswer) =>
  a.status === undefined
    ? `no answer (${a.error ?? 'failed'})`
    : `${a.status}${a.challenge?.error ? ` error="${a.challenge.error}"` : ''}`;

/**
 * What the rows' requests must target (see auditRequest): on the legacy wire, when the probe did not
 * already find it, one request without a token tells whether initialize is open to everyone; if it
 * is, the rows use tools/list, or an open handshake would read as an accepted token.
 */
export async function protectedTarget(
  run: StepRun,
  s: Pick<Connected, 'mcp' | 'probe' | 'options'>,
): Promise<Pick<Connected, 'mcp' | 'probe'>> {
  if (s.mcp.era !== 'legacy' || s.probe.handshakeOpen) return s;
  const open = await rawRequest(
    run,
    'Audit — initialize without any token, to know whether the handshake is open before judging tokens with it',
    s.options.serverUrl,
    auditRequest(s),
  );
  return accepted(open) ? { mcp: s.mcp, probe: { ...s.probe, handshakeOpen: true } } : s;
}
