/**
 * Hand-made requests to the MCP server for the audit's rows: one request in the era the server speaks,
 * sent with whatever credentials the row is about, and recorded with its purpose.
 */
import { LEGACY_PROTOCOL_VERSION } from '../../mcp/client';
import { rawMcpRequest } from '../../mcp/raw';
import { type BearerChallenge, parseBearerChallenge } from '../../oauth/www-authenticate';
import type { Connected } from '../access';
import type { StepRun } from '../step-run';
import { firstJsonRpcMessage } from '../steps/util';

/**
 * The request the audit's token rows send, in the era the server speaks: one it must authenticate
 * (tools/list on the modern wire; initialize on the legacy one, as a new client would).
 */
export function auditRequest(
  s: Connected,
  authorization?: string,
): { headers: Record<string, string>; body: string } {
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
          method: 'initialize',
          id: 'mcp-auth-inspector-audit',
          protocolVersion: s.mcp.protocolVersion ?? LEGACY_PROTOCOL_VERSION,
        });
  return { headers: authorization ? { ...headers, authorization } : headers, body };
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
