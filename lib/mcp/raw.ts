/**
 * Hand-made MCP requests, for what the SDK's client never sends on purpose: the unauthenticated
 * probe, the access audit's wrong tokens, a version nobody speaks, headers that contradict the body.
 * Each follows the rules of its era, so a server rejects it for the one thing under test.
 * @see MCP 2026-07-28 §Streamable HTTP (Sending Messages, Request Metadata); §Base Protocol (_meta)
 */
import {
  INSPECTOR_CLIENT_CAPABILITIES,
  INSPECTOR_CLIENT_INFO,
  LEGACY_PROTOCOL_VERSION,
  type McpEra,
  MODERN_PROTOCOL_VERSION,
} from './client';

export interface RawMcpRequest {
  era: McpEra;
  /** Defaults to 2026-07-28 (modern) or 2025-11-25 (legacy). */
  protocolVersion?: string;
  method: string;
  params?: Record<string, unknown>;
  id?: string | number;
  /** A legacy session to address. */
  sessionId?: string;
  /** Replaces the `Mcp-Method` header (the audit's contradicting header). */
  mcpMethodHeader?: string;
}

/**
 * A header value as SEP-2243 carries it: plain when it is visible ASCII without surrounding
 * whitespace (and not the sentinel itself), otherwise `=?base64?…?=` of its UTF-8 bytes.
 * @see MCP 2026-07-28 §Streamable HTTP (Value Encoding)
 */
export function encodeHeaderValue(value: string): string {
  const plain = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(value);
  const sentinel = value.startsWith('=?base64?') && value.endsWith('?=');
  return plain && !sentinel ? value : `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** Headers and body of one JSON-RPC request POSTed to the MCP endpoint, without credentials. */
export function rawMcpRequest(req: RawMcpRequest): { headers: Record<string, string>; body: string } {
  const version =
    req.protocolVersion ?? (req.era === 'modern' ? MODERN_PROTOCOL_VERSION : LEGACY_PROTOCOL_VERSION);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  let params: Record<string, unknown> = { ...(req.params ?? {}) };
  if (req.era === 'modern') {
    headers['mcp-protocol-version'] = version;
    headers['mcp-method'] = req.mcpMethodHeader ?? req.method;
    const name =
      typeof params.name === 'string' ? params.name : typeof params.uri === 'string' ? params.uri : undefined;
    if (name !== undefined) headers['mcp-name'] = encodeHeaderValue(name);
    params = {
      ...params,
      _meta: {
        'io.modelcontextprotocol/protocolVersion': version,
        'io.modelcontextprotocol/clientInfo': INSPECTOR_CLIENT_INFO,
        'io.modelcontextprotocol/clientCapabilities': INSPECTOR_CLIENT_CAPABILITIES,
      },
    };
  } else {
    headers['mcp-protocol-version'] = version;
    if (req.method === 'initialize') {
      params = { protocolVersion: version, capabilities: {}, clientInfo: INSPECTOR_CLIENT_INFO, ...params };
    }
    if (req.sessionId) headers['mcp-session-id'] = req.sessionId;
  }
  return {
    headers,
    body: JSON.stringify({ jsonrpc: '2.0', id: req.id ?? 'mcp-auth-inspector', method: req.method, params }),
  };
}
