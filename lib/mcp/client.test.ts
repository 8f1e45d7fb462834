import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { OutboundError } from '../http/errors';
import { describeMcpFailure, wireProtocolVersion } from './client';

describe('describeMcpFailure()', () => {
  it('reads a 401 challenge from the last response', () => {
    const f = describeMcpFailure(new StreamableHTTPError(401, 'x'), {
      method: 'POST',
      status: 401,
      wwwAuthenticate: 'Bearer error="invalid_token", error_description="revoked"',
    });
    expect(f).toMatchObject({
      kind: 'unauthorized',
      status: 401,
      challenge: { error: 'invalid_token', errorDescription: 'revoked' },
    });
  });

  it('tells 403 insufficient_scope from a bare 403', () => {
    expect(
      describeMcpFailure(new StreamableHTTPError(403, 'x'), {
        method: 'POST',
        status: 403,
        wwwAuthenticate: 'Bearer error="insufficient_scope", scope="w"',
      }),
    ).toMatchObject({ kind: 'insufficient_scope', challenge: { scope: 'w' } });
    expect(describeMcpFailure(new StreamableHTTPError(403, 'x'), { method: 'POST', status: 403 }).kind).toBe(
      'forbidden',
    );
  });

  it('recognises a lost session, JSON-RPC errors and network errors', () => {
    expect(describeMcpFailure(new StreamableHTTPError(404, 'x'), { method: 'POST', status: 404 }).kind).toBe(
      'session_expired',
    );
    expect(describeMcpFailure(new McpError(-32601, 'nope'), undefined)).toMatchObject({
      kind: 'protocol',
      code: -32601,
    });
    expect(describeMcpFailure(new OutboundError('timeout', 'https://x', 'slow'), undefined)).toMatchObject({
      kind: 'outbound',
      outboundCode: 'timeout',
    });
  });
});

describe('wireProtocolVersion()', () => {
  it('uses the revision when the SDK speaks it, else the SDK’s latest', () => {
    expect(wireProtocolVersion('2025-06-18')).toBe('2025-06-18');
    expect(wireProtocolVersion('2026-07-28')).toBe('2025-11-25');
  });
});
