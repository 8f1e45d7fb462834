import { ProtocolError, SdkErrorCode, SdkHttpError, UnauthorizedError } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { OutboundError } from '../http/errors';
import { describeMcpFailure } from './client';

const http = (status: number) => new SdkHttpError(SdkErrorCode.ClientHttpNotImplemented, 'x', { status });

describe('describeMcpFailure()', () => {
  it('reads a 401 challenge from the last response', () => {
    const f = describeMcpFailure(new UnauthorizedError(), {
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
      describeMcpFailure(http(403), {
        method: 'POST',
        status: 403,
        wwwAuthenticate: 'Bearer error="insufficient_scope", scope="w"',
      }),
    ).toMatchObject({ kind: 'insufficient_scope', challenge: { scope: 'w' } });
    expect(describeMcpFailure(http(403), { method: 'POST', status: 403 }).kind).toBe('forbidden');
  });

  it('recognises a lost session, JSON-RPC errors and network errors', () => {
    expect(describeMcpFailure(http(404), { method: 'POST', status: 404 }).kind).toBe('session_expired');
    expect(describeMcpFailure(new ProtocolError(-32601, 'nope'), undefined)).toMatchObject({
      kind: 'protocol',
      code: -32601,
    });
    expect(describeMcpFailure(new OutboundError('timeout', 'https://x', 'slow'), undefined)).toMatchObject({
      kind: 'outbound',
      outboundCode: 'timeout',
    });
  });
});

describe('describeMcpFailure() on the stateless wire', () => {
  it('does not call a 404 a lost session when there was no session', () => {
    expect(describeMcpFailure(http(404), { method: 'POST', status: 404 }, false)).toMatchObject({
      kind: 'http',
      status: 404,
    });
  });

  it('keeps a JSON-RPC error answered with 400 as the server’s protocol error', () => {
    expect(
      describeMcpFailure(new ProtocolError(-32020, 'Header mismatch'), { method: 'POST', status: 400 }),
    ).toMatchObject({ kind: 'protocol', code: -32020 });
  });
});
