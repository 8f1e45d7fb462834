/**
 * Which revision a server speaks, judged from what the wire showed: the requests of a connection
 * (`WireAttempt`s, recorded by `connectMcp`) and, for modern servers, one deliberate request at a
 * revision nobody speaks, to see the rejection the spec prescribes.
 * @see MCP 2026-07-28 §Versioning (Protocol Version Negotiation, Backward Compatibility);
 *   §Streamable HTTP (Protocol Version Header, Backward Compatibility)
 */
import type { FetchLike } from '../http/types';
import { atLeast, type SpecVersion } from '../spec/version';
import { type McpWire, MODERN_PROTOCOL_VERSION, type WireAttempt } from './client';
import { jsonRpcErrorIn } from './jsonrpc';
import { rawMcpRequest } from './raw';

/** JSON-RPC code of UnsupportedProtocolVersionError (MCP 2026-07-28 §Error Codes). */
export const UNSUPPORTED_PROTOCOL_VERSION = -32022;
/** JSON-RPC code of HeaderMismatch (MCP 2026-07-28 §Streamable HTTP, Server Validation). */
export const HEADER_MISMATCH = -32020;
/** A revision no server implements, as in the spec's own example of the rejection. */
export const UNSPOKEN_PROTOCOL_VERSION = '1900-01-01';

export type Verdict = 'pass' | 'warn' | 'fail' | 'skip';

export interface Judgement {
  status: Verdict;
  message: string;
  expected?: string;
  actual?: string;
}

/** "2026-07-28 (modern: stateless, _meta on every request)" / "2025-11-25 (legacy: initialize, session)". */
export function describeWire(wire: Pick<McpWire, 'era' | 'protocolVersion' | 'sessionId'>): string {
  const version = wire.protocolVersion ?? 'an unknown revision';
  return wire.era === 'modern'
    ? `${version} (modern wire: stateless, _meta on every request)`
    : `${version} (legacy wire: initialize handshake${wire.sessionId ? ', Mcp-Session-Id session' : ', no session'})`;
}

/** Which revision the server speaks, against the one judged. */
export function judgeRevision(wire: McpWire, judged: SpecVersion): Judgement {
  const spoken = wire.protocolVersion;
  const described = describeWire(wire);
  if (!spoken) {
    return { status: 'warn', message: `The server did not say which revision it speaks (${described}).` };
  }
  const older = spoken < judged;
  if (!older) {
    return { status: 'pass', message: `The server speaks ${described}.`, actual: spoken };
  }
  return {
    status: 'warn',
    message:
      `The server speaks ${described}, older than the ${judged} revision judged.` +
      (wire.era === 'legacy' && atLeast(judged, '2026-07-28')
        ? ' The inspector fell back to initialize, as dual-era clients do; a client that speaks only 2026-07-28 cannot use this server.'
        : ''),
    expected: judged,
    actual: spoken,
  };
}

function supportedOf(error: WireAttempt['error']): string[] | undefined {
  const data = error?.data as { supported?: unknown } | undefined;
  return Array.isArray(data?.supported) && data.supported.every((v) => typeof v === 'string')
    ? (data.supported as string[])
    : undefined;
}

/**
 * Judges a rejection of a protocol version: 400, code -32022, and a `supported` list that names the
 * revision the server does speak. `spoken` is that revision when known.
 */
export function judgeRejection(
  attempt: Pick<WireAttempt, 'status' | 'error'>,
  requested: string,
  spoken: string | undefined,
): Judgement {
  const { status, error } = attempt;
  const supported = supportedOf(error);
  const actual = `${status}${error ? ` code ${String(error.code)}` : ''}${supported ? ` supported ${JSON.stringify(supported)}` : ''}`;
  const expected = `400 with code ${UNSUPPORTED_PROTOCOL_VERSION} and data.supported`;
  if (status !== 400 || error?.code !== UNSUPPORTED_PROTOCOL_VERSION || !supported?.length) {
    const problems = [
      status !== 400 ? `HTTP ${status}, not 400` : undefined,
      error?.code !== UNSUPPORTED_PROTOCOL_VERSION
        ? error
          ? `JSON-RPC code ${String(error.code)}, not ${UNSUPPORTED_PROTOCOL_VERSION}`
          : `no JSON-RPC error in the body`
        : undefined,
      !supported?.length ? 'no data.supported list of the versions it speaks' : undefined,
    ].filter(Boolean);
    return {
      status: 'fail',
      message: `Asked for protocol version ${requested}, which it does not implement, the server answered with ${problems.join(', ')}. Clients pick a version from data.supported; without it they cannot recover.`,
      expected,
      actual,
    };
  }
  if (spoken && !supported.includes(spoken)) {
    return {
      status: 'fail',
      message: `The server rejected ${requested} correctly, but its supported list ${JSON.stringify(supported)} omits ${spoken}, which it speaks.`,
      expected: `supported includes ${spoken}`,
      actual,
    };
  }
  return {
    status: 'pass',
    message: `Asked for ${requested}, the server answered 400 UnsupportedProtocolVersionError listing ${JSON.stringify(supported)}.`,
    expected,
    actual,
  };
}

/**
 * The rejection check from a connection's own evidence. A legacy server predates the rule: how it
 * refused the 2026-07-28 request only decides the fallback. A modern one is judged on a rejection it
 * gave during negotiation, or on `probe` (the deliberate request), when there was none.
 */
export function judgeVersionRejection(
  wire: McpWire,
  attempts: WireAttempt[],
  probe: WireAttempt | undefined,
): Judgement {
  const rejected = attempts.find((a) => a.error?.code === UNSUPPORTED_PROTOCOL_VERSION);
  if (wire.era === 'legacy') {
    const first = attempts[0];
    if (rejected) {
      // A -32022 is a modern error: a server that sends it and is still treated as legacy gave no
      // usable supported list (otherwise the client would have retried, not fallen back).
      return judgeRejection(rejected, rejected.protocolVersion ?? MODERN_PROTOCOL_VERSION, undefined);
    }
    return {
      status: 'skip',
      message:
        `Not applicable: the server speaks ${wire.protocolVersion ?? 'a legacy revision'}, which predates per-request versions. ${
          first && first.rpcMethod !== 'initialize'
            ? `It answered the 2026-07-28 ${first.rpcMethod ?? 'request'} with HTTP ${first.status}${first.error ? ` (code ${String(first.error.code)})` : ''}, not a recognised modern error, so the inspector fell back to initialize (MCP 2026-07-28 §Streamable HTTP, Backward Compatibility).`
            : ''
        }`.trim(),
    };
  }
  if (rejected) return judgeRejection(rejected, rejected.protocolVersion ?? '?', wire.protocolVersion);
  if (probe) return judgeRejection(probe, UNSPOKEN_PROTOCOL_VERSION, wire.protocolVersion);
  return {
    status: 'skip',
    message:
      'Not testable: the server accepted 2026-07-28 at once, and no request at an unsupported version was made.',
  };
}

/** Whether the server answers server/discover (2026 servers MUST). */
export function judgeDiscover(wire: McpWire): Judgement {
  if (wire.era === 'legacy') {
    return {
      status: 'skip',
      message: `Not applicable: server/discover is a 2026-07-28 method, and the server speaks ${wire.protocolVersion ?? 'a legacy revision'}.`,
    };
  }
  const d = wire.discover;
  if (!d) {
    return {
      status: 'fail',
      message:
        'The server speaks the modern wire but gave no server/discover result. Servers MUST implement it.',
      expected: 'a DiscoverResult',
      actual: '(none)',
    };
  }
  const versions = Array.isArray(d.supportedVersions) ? d.supportedVersions : [];
  const serverInfo = (d._meta as Record<string, unknown> | undefined)?.['io.modelcontextprotocol/serverInfo'];
  return {
    status: serverInfo ? 'pass' : 'warn',
    message: `server/discover answered: supportedVersions ${JSON.stringify(versions)}, capabilities ${Object.keys(d.capabilities ?? {}).join(', ') || 'none'}.${serverInfo ? '' : ' It carries no _meta serverInfo (servers SHOULD identify themselves).'}`,
    actual: JSON.stringify(versions),
  };
}

/**
 * One server/discover at a revision no server implements, with the token: the spec says a server
 * MUST answer 400 with UnsupportedProtocolVersionError listing what it supports.
 * @see MCP 2026-07-28 §Versioning (Protocol Version Negotiation); §Streamable HTTP (Protocol Version Header)
 */
export async function requestUnspokenVersion(
  fetch: FetchLike,
  url: string,
  accessToken: string,
  init?: (init: RequestInit) => RequestInit,
): Promise<WireAttempt> {
  const { headers, body } = rawMcpRequest({
    era: 'modern',
    protocolVersion: UNSPOKEN_PROTOCOL_VERSION,
    method: 'server/discover',
    id: 'inspector-version-check',
  });
  const request: RequestInit = {
    method: 'POST',
    headers: { ...headers, authorization: `Bearer ${accessToken}` },
    body,
    redirect: 'manual',
  };
  const response = await fetch(url, init ? init(request) : request);
  const error = jsonRpcErrorIn(await response.text(), response.headers.get('content-type'));
  return {
    rpcMethod: 'server/discover',
    protocolVersion: UNSPOKEN_PROTOCOL_VERSION,
    status: response.status,
    ...(error ? { error } : {}),
  };
}
