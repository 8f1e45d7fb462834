/** The audit's rows that only the 2026-07-28 wire makes testable (version rejection, header mismatch). */
import {
  HEADER_MISMATCH,
  judgeVersionRejection,
  requestUnspokenVersion,
  UNSPOKEN_PROTOCOL_VERSION,
} from '../../mcp/negotiation';
import { rawMcpRequest } from '../../mcp/raw';
import type { Connected } from '../access';
import type { StepRun } from '../step-run';
import { accepted, rawRequest, shownStatus } from './raw';

/**
 * Two rows only the 2026-07-28 wire makes testable: a version nobody speaks must get 400 with
 * UnsupportedProtocolVersionError listing what the server speaks, and an `Mcp-Method` header that
 * contradicts the body must get 400 HeaderMismatch (-32020), so gateways routing on headers cannot
 * be steered past the server's own checks.
 * @see MCP 2026-07-28 §Versioning; §Streamable HTTP (Protocol Version Header, Server Validation)
 */
export async function judgeModernWireRules(run: StepRun, s: Connected): Promise<void> {
  if (s.mcp.era !== 'modern') {
    const why = `Not applicable: the server speaks ${s.mcp.protocolVersion ?? 'a legacy revision'}; the rule is 2026-07-28's.`;
    run.check('audit.unsupported-version-rejected', 'skip', why);
    run.check('audit.mcp-method-mismatch-rejected', 'skip', why);
    return;
  }
  const token = s.secrets.accessToken ?? '';
  const call = run.traced(
    `Audit (MCP 2026-07-28 §Versioning) — server/discover at protocol version ${UNSPOKEN_PROTOCOL_VERSION}; expect 400 UnsupportedProtocolVersionError listing the supported versions`,
  );
  try {
    const answer = await requestUnspokenVersion(call.fetch, s.options.serverUrl, token);
    const verdict =
      answer.status === 401
        ? {
            status: 'skip' as const,
            message:
              'Not testable: the server answered 401 to the request, so its version handling was not reached.',
          }
        : judgeVersionRejection(s.mcp as Parameters<typeof judgeVersionRejection>[0], [], answer);
    run.check('audit.unsupported-version-rejected', verdict.status, verdict.message, {
      ...('expected' in verdict && verdict.expected ? { expected: verdict.expected } : {}),
      ...('actual' in verdict && verdict.actual ? { actual: verdict.actual } : {}),
      exchangeIds: call.exchangeIds,
    });
  } catch (err) {
    run.check(
      'audit.unsupported-version-rejected',
      'skip',
      `Not testable: the request got no answer (${(err as Error).message}).`,
      { exchangeIds: call.exchangeIds },
    );
  }

  const mismatch = await rawRequest(
    run,
    'Audit (MCP 2026-07-28 §Streamable HTTP, Server Validation) — tools/list whose Mcp-Method header says tools/call; expect 400 HeaderMismatch',
    s.options.serverUrl,
    (() => {
      const r = rawMcpRequest({
        era: 'modern',
        method: 'tools/list',
        id: 'mcp-auth-inspector-audit',
        mcpMethodHeader: 'tools/call',
        ...(s.mcp.protocolVersion ? { protocolVersion: s.mcp.protocolVersion } : {}),
      });
      return { headers: { ...r.headers, authorization: `Bearer ${token}` }, body: r.body };
    })(),
  );
  const shown = `${shownStatus(mismatch)}${mismatch.rpcErrorCode !== undefined ? ` code ${String(mismatch.rpcErrorCode)}` : ''}`;
  const expected = `400 with code ${HEADER_MISMATCH}`;
  const at = { expected, actual: shown, exchangeIds: mismatch.exchangeIds };
  if (mismatch.status === undefined || mismatch.status === 401) {
    run.check(
      'audit.mcp-method-mismatch-rejected',
      'skip',
      `Not testable: ${mismatch.status === 401 ? 'the server answered 401, so header validation was not reached' : `no answer (${mismatch.error ?? 'failed'})`}.`,
      at,
    );
  } else if (accepted(mismatch)) {
    run.check(
      'audit.mcp-method-mismatch-rejected',
      'fail',
      'The server answered a request whose Mcp-Method header (tools/call) contradicts its body (tools/list). Servers MUST reject such requests with 400: a gateway that routes or authorizes on the header would be checking a different request than the one the server runs.',
      at,
    );
  } else if (mismatch.status === 400 && mismatch.rpcErrorCode === HEADER_MISMATCH) {
    run.check(
      'audit.mcp-method-mismatch-rejected',
      'pass',
      'A request whose Mcp-Method header contradicts its body got 400 HeaderMismatch (-32020).',
      at,
    );
  } else {
    run.check(
      'audit.mcp-method-mismatch-rejected',
      mismatch.status === 400 ? 'fail' : 'warn',
      mismatch.status === 400
        ? `The contradicting request got 400, but without the HeaderMismatch error code ${HEADER_MISMATCH} in a JSON-RPC error (MUST).`
        : `The contradicting request was refused, but with ${shown} rather than 400 HeaderMismatch.`,
      at,
    );
  }
}
